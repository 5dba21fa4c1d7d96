import Foundation

/// The DynamoDB operations StepConf needs (JSON 1.0 protocol), over ``AWSTransport``. Items are
/// `[String: Any]` in DynamoDB's attribute-value JSON (`{"S": "x"}`, `{"N": "1.5"}`, `{"SS": [..]}`).
public final class DynamoDBClient: Sendable {
    public let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    public convenience init(configuration: AWSConfiguration) { self.init(transport: AWSTransport(configuration: configuration)) }

    /// Calls `operation` with a JSON body. - Returns: the JSON answer.
    /// - Throws: ``AWSError`` with AWS's code (`ConditionalCheckFailedException`, …).
    @discardableResult
    public func call(_ operation: String, _ body: [String: Any]) throws -> [String: Any] {
        try transport.sendJSON(
            service: .dynamodb, target: "DynamoDB_20120810.\(operation)", body: body, operation: "DynamoDB \(operation)")
    }

    /// The item with `key`, or nil. `consistent` asks for a strongly consistent read.
    public func getItem(table: String, key: [String: Any], consistent: Bool = true) throws -> [String: Any]? {
        try call("GetItem", ["TableName": table, "Key": key, "ConsistentRead": consistent])["Item"] as? [String: Any]
    }

    /// Writes a whole item; with `condition`, only if it holds.
    /// - Throws: ``AWSError`` with `awsCode` `ConditionalCheckFailedException` when the condition fails.
    public func putItem(
        table: String, item: [String: Any], condition: String? = nil, names: [String: String] = [:], values: [String: Any] = [:]
    ) throws {
        var body: [String: Any] = ["TableName": table, "Item": item]
        if let condition { body["ConditionExpression"] = condition }
        if !names.isEmpty { body["ExpressionAttributeNames"] = names }
        if !values.isEmpty { body["ExpressionAttributeValues"] = values }
        try call("PutItem", body)
    }

    /// Applies `update` (an UpdateExpression) to the item with `key`; with `condition`, only if it holds.
    /// - Returns: false when the condition failed (nothing written), true when the update was applied.
    /// - Throws: ``AWSError`` for any other failure.
    @discardableResult
    public func updateItem(
        table: String, key: [String: Any], update: String, condition: String? = nil, names: [String: String] = [:],
        values: [String: Any] = [:]
    ) throws -> Bool {
        var body: [String: Any] = ["TableName": table, "Key": key, "UpdateExpression": update]
        if let condition { body["ConditionExpression"] = condition }
        if !names.isEmpty { body["ExpressionAttributeNames"] = names }
        if !values.isEmpty { body["ExpressionAttributeValues"] = values }
        do {
            try call("UpdateItem", body)
            return true
        } catch let error as AWSError where error.awsCode == "ConditionalCheckFailedException" {
            return false
        }
    }

    /// Creates a table with a string partition key `keyName`, on-demand billing, and waits until it is
    /// active; with `ttlAttribute`, turns on time to live for it. An existing table is left as it is.
    /// - Throws: ``AWSError``.
    public func createTable(_ table: String, keyName: String = "pk", ttlAttribute: String? = nil, timeoutSeconds: Double = 60) throws {
        do {
            try call("CreateTable", [
                "TableName": table, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": keyName, "AttributeType": "S"]],
                "KeySchema": [["AttributeName": keyName, "KeyType": "HASH"]],
            ])
        } catch let error as AWSError where error.awsCode == "ResourceInUseException" {}
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            let description = try call("DescribeTable", ["TableName": table])["Table"] as? [String: Any]
            if description?["TableStatus"] as? String == "ACTIVE" { break }
            guard Date() < deadline else { throw AWSError(.service, "DynamoDB table \(table) not active after \(Int(timeoutSeconds)) s") }
            Thread.sleep(forTimeInterval: 0.5)
        }
        if let ttlAttribute {
            try call("UpdateTimeToLive", [
                "TableName": table, "TimeToLiveSpecification": ["Enabled": true, "AttributeName": ttlAttribute],
            ])
        }
    }

    /// A number attribute value (DynamoDB sends numbers as strings).
    public static func number(_ value: Double) -> [String: Any] {
        ["N": value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)]
    }

    /// The number in an attribute value, or nil.
    public static func number(in attribute: Any?) -> Double? {
        ((attribute as? [String: Any])?["N"] as? String).flatMap(Double.init)
    }
}
