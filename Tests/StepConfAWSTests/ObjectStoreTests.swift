import Foundation
import StepConfAWS
import StepConfCore
import StepConfFunctions
import StepConfStorage
import StepConfWorker
import Testing

/// One contract, two stores: a local directory and an S3 bucket on moto behave the same.
@Suite(.serialized) struct ObjectStoreTests {
    static func makeStores() throws -> (stores: [(String, any ObjectStore)], keepAlive: Moto) {
        let moto = try Moto.shared()
        let s3 = S3Client(configuration: try moto.configuration())
        try s3.createBucket("store")
        let local = try LocalDirectoryStore(
            root: FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-store-\(UUID().uuidString)").path)
        let remote = S3ObjectStore(
            transfer: S3TransferManager(s3: s3, threads: 4, partSize: 5 << 20, multipartThreshold: 6 << 20), bucket: "store",
            prefix: "run-1")
        return ([("local", local), ("s3", remote)], moto)
    }

    @Test func bothStoresKeepTheSameContract() throws {
        let (stores, moto) = try Self.makeStores()
        _ = moto
        for (name, store) in stores {
            let big = Data((0..<(7 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try store.put("in/a.bin", data: Data("alpha".utf8))
            try store.put("in/sub/b.bin", data: big)
            try store.put("out/c.txt", data: Data("gamma".utf8))
            try store.put("in/a.bin", data: Data("alpha2".utf8))  // replaces
            #expect(try store.get("in/a.bin") == Data("alpha2".utf8), "\(name)")
            #expect(try store.get("in/sub/b.bin") == big, "\(name)")
            #expect(try store.get("in/sub/b.bin", range: 10...19) == big[10...19], "\(name)")
            #expect(try store.list(prefix: "in/") == [ObjectEntry(key: "in/a.bin", size: 6), ObjectEntry(key: "in/sub/b.bin", size: big.count)], "\(name)")
            #expect(try store.list(prefix: "").map(\.key) == ["in/a.bin", "in/sub/b.bin", "out/c.txt"], "\(name)")
            #expect(try store.size("out/c.txt") == 5 && store.size("nope") == nil, "\(name)")
            try store.delete("out/c.txt")
            try store.delete("out/c.txt")  // missing: not an error
            let missing = #expect(throws: ObjectStoreError.self) { try store.get("out/c.txt") }
            #expect(missing?.code == .notFound, "\(name)")
            for bad in ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "a/./b", "nul\u{0}byte", "dir/", "back\\slash"] {
                let error = #expect(throws: ObjectStoreError.self) { try store.put(bad, data: Data()) }
                #expect(error?.code == .invalidKey, "\(name) accepted \(bad.debugDescription)")
            }
        }
    }

    @Test func aLocalWriteIsAllOrNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stepconf-atomic-\(UUID().uuidString)").path
        let store = try LocalDirectoryStore(root: root)
        try store.put("x/file.bin", data: Data(repeating: 0xFF, count: 500))
        // Many writers of different sizes at once: every read sees one whole version.
        let group = DispatchGroup()
        for w in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                for _ in 0..<20 { try? store.put("x/file.bin", data: Data(repeating: UInt8(w), count: 1000 * (w + 1))) }
            }.start()
        }
        var torn = 0
        for _ in 0..<200 {
            let data = try store.get("x/file.bin")
            // Writer w writes 1000·(w+1) bytes of value w; the first version is 500 bytes of 0xFF.
            guard let first = data.first else { torn += 1; continue }
            let expectedCount = first == 0xFF ? 500 : 1000 * (Int(first) + 1)
            if data.count != expectedCount || !data.allSatisfy({ $0 == first }) { torn += 1 }
        }
        group.wait()
        #expect(torn == 0)
        #expect(try store.list(prefix: "x/").map(\.key) == ["x/file.bin"])
    }
}

/// The intra-function wrapper reading and writing S3 (moto), as on Lambda with `STEPCONF_STORE=s3://…`.
@Suite(.serialized) struct WrapperOnS3Tests {
    @Test func wordCountRunsAgainstS3ThroughTheStoreSetting() throws {
        let moto = try Moto.shared()
        let s3 = S3Client(configuration: try moto.configuration())
        try s3.createBucket("words")
        let variables = [
            "STEPCONF_STORE": "s3://words/run", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL_S3": moto.server.url,
        ]
        let store = try StepFunctions.store(try FunctionEnvironment(decoding: variables), variables: variables)
        let corpus = WordCount.corpus(files: 6, wordsPerFile: 638, seed: 5)
        for file in corpus { try store.put("in/\(file.name)", data: Data(file.text.utf8)) }
        let bootstrap = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bootstrap").path
        let wrapper = StepWrapper(function: WordCountMap(), store: store, workerExecutable: bootstrap, functionMemoryMB: 1024)
        let output = try wrapper.run(StepEvent(
            execution: "e-s3", step: "map", intra: 3, jobEnd: 6, keys: corpus.map { "in/\($0.name)" }))
        let counts = try WordCount.decode(try store.get(output.outputs[0]))
        #expect(counts.values.reduce(0, +) == 6 * 638)
        // Under the bucket, everything sits below the prefix.
        let listed = try s3.listObjects(bucket: "words", prefix: "run/runs/e-s3/map/0/").map(\.key)
        #expect(listed == ["run/runs/e-s3/map/0/counts.json", "run/runs/e-s3/map/0/manifest.json"])
    }
}
