import Foundation
import StepConfCore
import StepConfStorage
import StepConfTestSupport
import Synchronization
import Testing

@Suite struct LocalDirectoryStoreTests {
    func store() throws -> (LocalDirectoryStore, PrivateDirectory) {
        let directory = PrivateDirectory("store")
        return (try LocalDirectoryStore(root: directory.file("root")), directory)
    }

    @Test func objectsRoundTripAndListSortedByPrefix() throws {
        let (store, directory) = try store()
        _ = directory
        try store.put("runs/e/b/1", data: Data("bb".utf8))
        try store.put("runs/e/a/0", data: Data("a".utf8))
        try store.put("runs/f/a/0", data: Data("other".utf8))
        try store.put("inputs/x.y4m", data: Data(count: 1000))
        #expect(try store.get("runs/e/b/1") == Data("bb".utf8))
        #expect(try store.list(prefix: "runs/e/") == [ObjectEntry(key: "runs/e/a/0", size: 1), ObjectEntry(key: "runs/e/b/1", size: 2)])
        #expect(try store.list(prefix: "runs/").count == 3)
        #expect(try store.list(prefix: "").map(\.key) == ["inputs/x.y4m", "runs/e/a/0", "runs/e/b/1", "runs/f/a/0"])
        #expect(try store.list(prefix: "nothing/here").isEmpty)
        #expect(try store.size("inputs/x.y4m") == 1000)
    }

    @Test func aPutReplacesAndADeleteOfAMissingKeyIsNoError() throws {
        let (store, directory) = try store()
        _ = directory
        try store.put("k", data: Data("one".utf8))
        try store.put("k", data: Data("two".utf8))
        #expect(try store.get("k") == Data("two".utf8))
        try store.delete("k")
        try store.delete("k")
        #expect(try store.size("k") == nil)
        do {
            _ = try store.get("k")
            Issue.record("a deleted object was read")
        } catch let error as ObjectStoreError {
            #expect(error.code == .notFound)
        }
    }

    @Test(arguments: [(0...3, "abcd"), (4...7, "efgh"), (8...100, "ij"), (20...30, "")])
    func aRangeIsClippedToTheObjectsEnd(range: ClosedRange<Int>, expected: String) throws {
        let (store, directory) = try store()
        _ = directory
        try store.put("r", data: Data("abcdefghij".utf8))
        #expect(String(decoding: try store.get("r", range: range), as: UTF8.self) == expected)
    }

    @Test(arguments: ["", "/abs", "a/../b", "a//b", "./a", "a/.", "a\\b", "a\u{0}b", "a\nb", String(repeating: "k", count: 1025)])
    func aKeyThatCouldEscapeTheRootOrFailOnS3IsRefusedBeforeAnyIO(key: String) throws {
        let (store, directory) = try store()
        for attempt in [{ try store.put(key, data: Data("x".utf8)) }, { _ = try store.get(key) }, { try store.delete(key) }] {
            do {
                try attempt()
                Issue.record("key \(key.debugDescription) was accepted")
            } catch let error as ObjectStoreError {
                #expect(error.code == .invalidKey)
            }
        }
        // Nothing was written anywhere in the private directory but the empty root.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["root"])
        #expect(try store.list(prefix: "").isEmpty)
    }

    @Test func writesInProgressAreNeverListed() throws {
        let (store, directory) = try store()
        _ = directory
        try FileManager.default.createDirectory(at: store.root.appendingPathComponent("d"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: store.root.appendingPathComponent("d/.x.1234.part").path, contents: Data("half".utf8))
        try store.put("d/x", data: Data("whole".utf8))
        #expect(try store.list(prefix: "d/") == [ObjectEntry(key: "d/x", size: 5)])
    }

    @Test func manyThreadsWritingOneKeyLeaveOneWholeObject() throws {
        let (store, directory) = try store()
        _ = directory
        let payloads = (0..<8).map { Data(repeating: UInt8($0), count: 64 * 1024) }
        try ParallelWork.run(count: 64, threads: 8) { i in try store.put("hot", data: payloads[i % 8]) }
        let read = try store.get("hot")
        #expect(payloads.contains(read), "a reader sees one writer's object whole")
        #expect(try store.list(prefix: "").map(\.key) == ["hot"])
    }
}

@Suite struct ParallelWorkTests {
    @Test(arguments: [(0, 4), (1, 4), (7, 1), (100, 3), (5, 50)])
    func everyPieceRunsExactlyOnce(count: Int, threads: Int) throws {
        let seen = Mutex([Int](repeating: 0, count: count))
        try ParallelWork.run(count: count, threads: threads) { i in seen.withLock { $0[i] += 1 } }
        #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count))
    }

    struct Planted: Error, Equatable { let index: Int }

    @Test func theFirstErrorStopsTheHandOutAndIsRethrown() throws {
        let ran = Mutex(0)
        do {
            try ParallelWork.run(count: 1000, threads: 2) { i in
                ran.withLock { $0 += 1 }
                if i == 3 { throw Planted(index: i) }
                Thread.sleep(forTimeInterval: 0.001)
            }
            Issue.record("no error came back")
        } catch let error as Planted {
            #expect(error.index == 3)
        }
        #expect(ran.withLock { $0 } < 1000, "pieces after the error were not handed out")
    }

    @Test func resultSlotsKeepEachPiecesValueInItsPlace() throws {
        let slots = ResultSlots<Int>(count: 50)
        try ParallelWork.run(count: 50, threads: 4) { i in slots.set(i, i * i) }
        #expect(slots.values == (0..<50).map { Optional($0 * $0) })
    }
}

@Suite struct LoadingTests {
    @Test func aMissingFileIsAnErrorNamingIt() throws {
        let directory = PrivateDirectory("load")
        let path = directory.file("nope.json")
        for load in [{ _ = try Workflow.load(from: path) }, { _ = try Platform.load(from: path) }, { _ = try ProfileCSV.load(from: path) }] {
            do {
                try load()
                Issue.record("a missing file loaded")
            } catch {
                #expect("\(error)".contains(path))
            }
        }
    }

    @Test func anOverlongProfileLineIsRefusedWithItsNumber() throws {
        let directory = PrivateDirectory("load")
        let line = String(repeating: "9", count: ProfileCSV.maxLineBytes + 1)
        let path = try directory.write("p.csv", Data("step,memory_mb\n\(line)\n".utf8))
        do {
            _ = try ProfileCSV.load(from: path)
            Issue.record("an over-long line was read")
        } catch let error as InputError {
            #expect(error.message.contains("line 2") && error.message.contains(path))
        }
    }

    @Test func aWorkflowFileLoadsAndNamesItselfInItsErrors() throws {
        let directory = PrivateDirectory("load")
        let good = try directory.write(
            "w.json", Data(#"{"name": "w", "steps": [{"id": "a", "kind": "synthetic", "jobs": 4, "depends_on": []}]}"#.utf8))
        #expect(try Workflow.load(from: good).steps.map(\.id) == ["a"])
        let bad = try directory.write("bad.json", Data(#"{"name": "w", "steps": [}"#.utf8))
        do {
            _ = try Workflow.load(from: bad)
            Issue.record("a malformed workflow loaded")
        } catch {
            #expect("\(error)".contains(bad))
        }
    }
}
