import Foundation
import StepConfAWS
import StepConfHTTP
import Testing

/// The fault proxy in front of moto: statuses, stalls, failing parts, corrupted bodies.
@Suite(.serialized) struct FaultTests {
    let moto: Moto

    init() throws {
        moto = try Moto.shared()
        try S3Client(configuration: try moto.configuration()).createBucket("faults")
    }

    func proxy(_ rules: String) throws -> HelperServer {
        try HelperServer(script: "fault_proxy.py", arguments: ["\(moto.server.port)", rules])
    }

    func requestsSeen(_ proxy: HelperServer) throws -> Int {
        Int(String(decoding: try HTTPClient().send(HTTPRequest(url: proxy.url + "/__count")).body, as: UTF8.self)) ?? -1
    }

    @Test func slowDownAnswersAreRetriedUntilTheyPass() throws {
        let proxy = try proxy(#"{"fail_first": 2, "status": 503}"#)
        let s3 = S3Client(configuration: try Moto.configuration(url: proxy.url))
        try s3.putObject(bucket: "faults", key: "retried.txt", data: Data("ok".utf8))
        #expect(try requestsSeen(proxy) == 3)
        #expect(try s3.getObject(bucket: "faults", key: "retried.txt") == Data("ok".utf8))
    }

    @Test func aServerThatKeepsFailingGivesAClearErrorAfterTheLastAttempt() throws {
        let proxy = try proxy(#"{"fail_always": 500}"#)
        let s3 = S3Client(configuration: try Moto.configuration(url: proxy.url))
        let error = #expect(throws: AWSError.self) { try s3.putObject(bucket: "faults", key: "never.txt", data: Data("x".utf8)) }
        #expect(error?.code == .service && error?.status == 500 && error?.awsCode == "InternalError")
        #expect(error?.message.contains("after 3 attempts") == true)
        #expect(try requestsSeen(proxy) == 3)
        #expect(try S3Client(configuration: try moto.configuration()).headObject(bucket: "faults", key: "never.txt") == nil)
    }

    @Test func aStalledServerTimesOutAndIsRetried() throws {
        let proxy = try proxy(#"{"stall_first": 1}"#)
        let configuration = try Moto.configuration(url: proxy.url, timeout: .seconds(3))
        let s3 = S3Client(configuration: configuration)
        try s3.putObject(bucket: "faults", key: "after-stall.txt", data: Data("late".utf8))
        #expect(try requestsSeen(proxy) == 2)

        let hung = try self.proxy(#"{"stall_first": 99}"#)
        let stuck = S3Client(configuration: try Moto.configuration(url: hung.url, timeout: .seconds(1)))
        let error = #expect(throws: AWSError.self) { try stuck.getObject(bucket: "faults", key: "after-stall.txt") }
        #expect(error?.code == .transport)
    }

    @Test func aFailingPartAbortsTheUploadAndNoObjectAppears() throws {
        let proxy = try proxy(#"{"fail_part": 2}"#)
        let s3 = S3Client(configuration: try Moto.configuration(url: proxy.url))
        let transfer = S3TransferManager(s3: s3, threads: 2, partSize: 5 << 20, multipartThreshold: 5 << 20)
        let data = Data(repeating: 0xAB, count: 12 << 20)
        let error = #expect(throws: AWSError.self) { try transfer.upload(data, bucket: "faults", key: "half.bin") }
        #expect(error?.message.contains("UploadPart 2") == true)
        let direct = S3Client(configuration: try moto.configuration())
        #expect(try direct.headObject(bucket: "faults", key: "half.bin") == nil)
        #expect(try direct.listObjects(bucket: "faults", prefix: "half").isEmpty)
        // The upload was aborted: S3 lists no upload in progress.
        let uploads = try direct.transport.send(AWSTransport.Call(
            service: .s3, method: "GET", endpoint: direct.transport.configuration.endpoint(.s3), path: "/faults", query: "uploads="))
        #expect(!String(decoding: uploads.body, as: UTF8.self).contains("<UploadId>"))
    }

    @Test func aCorruptedDownloadIsCaught() throws {
        try S3Client(configuration: try moto.configuration()).putObject(bucket: "faults", key: "fragile.txt", data: Data("precious bytes".utf8))
        let proxy = try proxy(#"{"corrupt_get": true}"#)
        let s3 = S3Client(configuration: try Moto.configuration(url: proxy.url))
        let error = #expect(throws: AWSError.self) { try s3.getObject(bucket: "faults", key: "fragile.txt") }
        #expect(error?.code == .integrity)
    }
}
