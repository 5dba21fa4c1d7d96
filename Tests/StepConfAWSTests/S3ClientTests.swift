import Foundation
import StepConfAWS
import StepConfCore
import StepConfHTTP
import Testing

@Suite(.serialized) struct S3ClientTests {
    let moto: Moto
    let s3: S3Client

    init() throws {
        moto = try Moto.shared()
        s3 = S3Client(configuration: try moto.configuration())
        try s3.createBucket("stepconf-test")
    }

    @Test func objectsRoundTripWithRangesHeadAndDelete() throws {
        let key = "in/ä file+(1).bin"
        let data = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let etag = try s3.putObject(bucket: "stepconf-test", key: key, data: data)
        #expect(etag.count == 32)
        #expect(try s3.getObject(bucket: "stepconf-test", key: key) == data)
        #expect(try s3.getObject(bucket: "stepconf-test", key: key, range: 100...199) == data[100...199])
        #expect(try s3.headObject(bucket: "stepconf-test", key: key) == S3ObjectInfo(key: key, size: 10_000, etag: etag))
        try s3.deleteObject(bucket: "stepconf-test", key: key)
        #expect(try s3.headObject(bucket: "stepconf-test", key: key) == nil)
        let missing = #expect(throws: AWSError.self) { try s3.getObject(bucket: "stepconf-test", key: key) }
        #expect(missing?.code == .notFound && missing?.awsCode == "NoSuchKey")
    }

    @Test func badNamesAreRefusedBeforeAnyRequest() {
        #expect(throws: AWSError.self) { try s3.putObject(bucket: "Bad_Bucket", key: "k", data: Data()) }
        #expect(throws: AWSError.self) { try s3.putObject(bucket: "stepconf-test", key: "", data: Data()) }
        #expect(throws: AWSError.self) { try s3.putObject(bucket: "stepconf-test", key: String(repeating: "k", count: 1025), data: Data()) }
    }

    @Test func aThousandObjectsListInPagesAndDeleteInABatch() throws {
        let transfer = S3TransferManager(s3: s3, threads: 8)
        let objects = (0..<1000).map { (key: String(format: "many/%04d.txt", $0), data: Data("object \($0)".utf8)) }
        try transfer.upload(objects, bucket: "stepconf-test")
        let all = try s3.listObjects(bucket: "stepconf-test", prefix: "many/")
        #expect(all.map(\.key) == objects.map(\.key))
        var pages = 0
        var token: String?
        var seen = 0
        repeat {
            let page = try s3.listObjectsPage(bucket: "stepconf-test", prefix: "many/", continuationToken: token, maxKeys: 150)
            seen += page.objects.count
            token = page.next
            pages += 1
        } while token != nil
        #expect(pages == 7 && seen == 1000)
        let fetched = try transfer.download(keys: ["many/0007.txt", "many/0999.txt"], bucket: "stepconf-test")
        #expect(fetched["many/0999.txt"] == Data("object 999".utf8))
        try s3.deleteObjects(bucket: "stepconf-test", keys: objects.map(\.key))
        #expect(try s3.listObjects(bucket: "stepconf-test", prefix: "many/").isEmpty)
    }

    @Test func largeObjectsGoUpAndComeDownInParts() throws {
        let transfer = S3TransferManager(s3: s3, threads: 4, partSize: 5 << 20, multipartThreshold: 6 << 20)
        var random = SeededRandom(seed: 7)
        let data = Data((0..<(23 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        try transfer.upload(data, bucket: "stepconf-test", key: "big/video.y4m")
        let head = try #require(try s3.headObject(bucket: "stepconf-test", key: "big/video.y4m"))
        #expect(head.size == data.count && head.etag.hasSuffix("-5"))
        #expect(try transfer.download(bucket: "stepconf-test", key: "big/video.y4m") == data)
    }

    @Test func presignedURLsFetchTheObject() throws {
        try s3.putObject(bucket: "stepconf-test", key: "shared/note.txt", data: Data("hello".utf8))
        let url = try s3.presignedURL(bucket: "stepconf-test", key: "shared/note.txt", expiresSeconds: 60)
        #expect(url.contains("X-Amz-Signature="))
        let response = try HTTPClient().send(HTTPRequest(url: url))
        #expect(response.status == 200 && response.body == Data("hello".utf8))
    }
}
