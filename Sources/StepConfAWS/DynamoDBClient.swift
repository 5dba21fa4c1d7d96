import FoundationEssentials
import StepConfStorage
import Glibc
import StepConfCore

/// The DynamoDB operations StepConf needs (JSON 1.0 protocol), over ``AWSTransport``. Items are ``JSONValue``
/// objects in DynamoDB's attribute-value JSON (`{"S": "x"}`, `{"N": "1.5"}`, `{"SS": [..]}`).
public final class DynamoDBClient: Sendable {
    public let transport: AWSTransport

    public init(transport: AWSTransport) { self.transport = transport }

    public convenience init(configuration: AWSConfiguration) { self.init(transport: AWSTransport(configuration: configuration)) }

    /// Calls `operation` with a JSON body. - Returns: the JSON answer.
    /// - Throws: ``AWSError`` with AWS's code (`ConditionalCheckFailedException`, …).
    @discardableResult
    public func call(_ operation: String, _ body: JSONValue) throws -> JSONValue {
        try transport.sendJSON(
            service: .dynamodb, target: "DynamoDB_20120810.\(operation)", body: body, operation: "DynamoDB \(operation)")
    }

    /// The item with `key`, or nil. `consistent` asks for a strongly consistent read.
    public func getItem(table: String, key: JSONValue, consistent: Bool = true) throws -> JSONValue? {
        try call("GetItem", ["TableName": .string(table), "Key": key, "ConsistentRead": .bool(consistent)])["Item"]
    }

    /// Writes a whole item; with `condition`, only if it holds.
    /// - Throws: ``AWSError`` with `awsCode` `ConditionalCheckFailedException` when the condition fails.
    public func putItem(
        table: String, item: JSONValue, condition: String? = nil, names: [String: String] = [:], values: JSONValue = [:]
    ) throws {
        try call("PutItem", Self.conditioned(["TableName": .string(table), "Item": item], condition, names, values))
    }

    /// Applies `update` (an UpdateExpression) to the item with `key`; with `condition`, only if it holds.
    /// - Returns: false when the condition failed (nothing written), true when the update was applied.
    /// - Throws: ``AWSError`` for any other failure.
    @discardableResult
    public func updateItem(
        table: String, key: JSONValue, update: String, condition: String? = nil, names: [String: String] = [:],
        values: JSONValue = [:]
    ) throws -> Bool {
        let body = Self.conditioned(
            ["TableName": .string(table), "Key": key, "UpdateExpression": .string(update)], condition, names, values)
        do {
            try call("UpdateItem", body)
            return true
        } catch let error as AWSError where error.awsCode == "ConditionalCheckFailedException" {
            return false
        }
    }

    /// `body` with the condition and the expression's names and values, where given.
    private static func conditioned(
        _ body: JSONValue, _ condition: String?, _ names: [String: String], _ values: JSONValue
    ) -> JSONValue {
        body.setting("ConditionExpression", condition.map(JSONValue.string))
            .setting(
                "ExpressionAttributeNames",
                names.isEmpty ? nil : .object(names.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
            .setting("ExpressionAttributeValues", values.members?.isEmpty ?? true ? nil : values)
    }

    /// Creates a table with a string partition key `keyName`, on-demand billing, and waits until it is
    /// active; with `ttlAttribute`, turns on time to live for it. An existing table is left as it is.
    /// - Throws: ``AWSError``.
    public func createTable(_ table: String, keyName: String = "pk", ttlAttribute: String? = nil, timeoutSeconds: Double = 60) throws {
        do {
            try call("CreateTable", [
                "TableName": .string(table), "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": .string(keyName), "AttributeType": "S"]],
                "KeySchema": [["AttributeName": .string(keyName), "KeyType": "HASH"]],
            ])
        } catch let error as AWSError where error.awsCode == "ResourceInUseException" {}
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            let description = try call("DescribeTable", ["TableName": .string(table)])["Table"]
            if description?["TableStatus"]?.stringValue == "ACTIVE" { break }
            guard Date() < deadline else { throw AWSError(.service, "DynamoDB table \(table) not active after \(Int(timeoutSeconds)) s") }
            OSThread.sleep(0.5)
        }
        if let ttlAttribute {
            try call("UpdateTimeToLive", [
                "TableName": .string(table),
                "TimeToLiveSpecification": ["Enabled": true, "AttributeName": .string(ttlAttribute)],
            ])
        }
    }

    /// A string attribute value.
    public static func string(_ value: String) -> JSONValue { ["S": .string(value)] }

    /// A number attribute value (DynamoDB sends numbers as strings).
    public static func number(_ value: Double) -> JSONValue {
        ["N": .string(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))]
    }

    /// The number in an attribute value, or nil.
    public static func number(in attribute: JSONValue?) -> Double? {
        attribute?["N"]?.stringValue.flatMap(Double.init)
    }
}
