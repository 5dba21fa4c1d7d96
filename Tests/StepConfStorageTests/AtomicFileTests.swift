import Foundation
import StepConfCore
import StepConfStorage
import StepConfTestSupport
import Testing

@Suite struct AtomicFileTests {
    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func entries(_ directory: PrivateDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func aNewFileIsWrittenWhole() throws {
        let directory = PrivateDirectory("atomic")
        let path = directory.file("out.json")
        try AtomicFile.write(Data("{\"a\": 1}".utf8), to: path)
        #expect(try read(path) == "{\"a\": 1}")
        #expect(try entries(directory) == ["out.json"], "no temporary file is left")
    }

    @Test func replacingAFileKeepsItsPermissions() throws {
        let directory = PrivateDirectory("atomic")
        let path = try directory.write("out.txt", Data("old".utf8))
        chmod(path, 0o640)
        try AtomicFile.write(Data("new".utf8), to: path)
        #expect(try read(path) == "new")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == 0o640)
    }

    @Test func aSymbolicLinkIsWrittenThroughAndStaysALink() throws {
        let directory = PrivateDirectory("atomic")
        let target = try directory.write("real/target.txt", Data("old".utf8))
        let link = directory.file("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real/target.txt")
        try AtomicFile.write(Data("through".utf8), to: link)
        #expect(try read(target) == "through")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "real/target.txt")
    }

    @Test func aDanglingLinksTargetIsCreated() throws {
        let directory = PrivateDirectory("atomic")
        let link = directory.file("dangling")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory.file("made.txt"))
        try AtomicFile.write(Data("x".utf8), to: link)
        #expect(try read(directory.file("made.txt")) == "x")
    }

    @Test func aLoopOfLinksIsRefusedWithoutWriting() throws {
        let directory = PrivateDirectory("atomic")
        let a = directory.file("a"), b = directory.file("b")
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        #expect(throws: InputError.self) { try AtomicFile.write(Data("x".utf8), to: a) }
        #expect(try entries(directory) == ["a", "b"])
    }

    @Test func aDirectoryIsRefusedAndLeftAsItWas() throws {
        let directory = PrivateDirectory("atomic")
        try directory.write("dir/keep.txt", Data("kept".utf8))
        do {
            try AtomicFile.write(Data("x".utf8), to: directory.file("dir"))
            Issue.record("a directory was replaced")
        } catch let error as InputError {
            #expect(error.code == .unwritable && error.message.contains("it is a directory"))
        }
        #expect(try read(directory.file("dir/keep.txt")) == "kept")
    }

    @Test func aFIFOIsWrittenDirectlyAndNeverReplaced() throws {
        let directory = PrivateDirectory("atomic")
        let fifo = directory.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = ReceivedBytes()
        let reader = Thread {
            let handle = FileHandle(forReadingAtPath: fifo)
            received.set(handle?.readDataToEndOfFile() ?? Data())
        }
        reader.start()
        try AtomicFile.write(Data("streamed".utf8), to: fifo)
        #expect(String(decoding: received.wait(), as: UTF8.self) == "streamed")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is still a FIFO")
    }

    @Test func aMissingParentIsAClearErrorNamingThePath() throws {
        let directory = PrivateDirectory("atomic")
        let path = directory.file("no/such/dir/out.txt")
        do {
            try AtomicFile.write(Data("x".utf8), to: path)
            Issue.record("wrote into a missing directory")
        } catch let error as InputError {
            #expect(error.message.hasPrefix("cannot write \(path): "))
        }
    }

    @Test func anUnwritableDirectoryLeavesNoTemporaryFile() throws {
        guard geteuid() != 0 else { return }  // root writes anywhere
        let directory = PrivateDirectory("atomic")
        let locked = directory.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        try directory.write("locked/old.txt", Data("old".utf8))
        chmod(locked, 0o500)
        defer { chmod(locked, 0o700) }
        #expect(throws: InputError.self) { try AtomicFile.write(Data("new".utf8), to: locked + "/old.txt") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["old.txt"])
        #expect(try read(locked + "/old.txt") == "old")
    }
}

/// Bytes one thread hands another.
final class ReceivedBytes: @unchecked Sendable {
    // Written once before `done` is signalled and read after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    func set(_ value: Data) {
        data = value
        done.signal()
    }
    func wait() -> Data {
        done.wait()
        return data
    }
}

@Suite struct StagedDirectoryTests {
    @Test func filesAppearOnlyWhenCommitted() throws {
        let directory = PrivateDirectory("staged")
        let out = directory.file("report")
        let staged = try StagedDirectory(out)
        try staged.write(Data("a".utf8), as: "a.json")
        try staged.write(Data("b".utf8), as: "b.html")
        #expect(!FileManager.default.fileExists(atPath: out))
        try staged.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["a.json", "b.html"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report"], "no staging left")
    }

    @Test func aCommitReplacesAnEarlierDirectoryWhole() throws {
        let directory = PrivateDirectory("staged")
        let out = directory.file("report")
        try directory.write("report/old.json", Data("old".utf8))
        let staged = try StagedDirectory(out)
        try staged.write(Data("new".utf8), as: "new.json")
        try staged.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["new.json"])
    }

    @Test func aFileInTheWayIsRefusedAndKept() throws {
        let directory = PrivateDirectory("staged")
        let out = try directory.write("report", Data("a file".utf8))
        let staged = try StagedDirectory(out)
        try staged.write(Data("x".utf8), as: "x.json")
        #expect(throws: InputError.self) { try staged.commit() }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "a file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report"])
    }

    @Test func aDiscardedStagingLeavesNothing() throws {
        let directory = PrivateDirectory("staged")
        let staged = try StagedDirectory(directory.file("report"))
        try staged.write(Data("x".utf8), as: "x.json")
        staged.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aFailedWriteNamesTheUsersPathAndRemovesTheStaging() throws {
        let directory = PrivateDirectory("staged")
        let out = directory.file("report")
        let staged = try StagedDirectory(out)
        do {
            try staged.write(Data("x".utf8), as: "missing/x.json")
            Issue.record("wrote into a missing sub-directory")
        } catch let error as InputError {
            #expect(error.message.contains(out + "/missing/x.json") && !error.message.contains(".partial-"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
