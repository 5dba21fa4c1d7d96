import Foundation
import StepConfTestSupport
import Testing

/// The support every test target uses keeps its promises: private directories are private and go away.
@Suite struct TestSupportTests {
    @Test func aPrivateDirectoryIsOwnedByUsAloneAndRemovedWithItsContents() throws {
        var path = ""
        do {
            let directory = PrivateDirectory("support")
            path = directory.path
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o700)
            let file = try directory.write("a/b/c.txt", Data("x".utf8))
            #expect(FileManager.default.fileExists(atPath: file) && file.hasPrefix(path))
            #expect(directory.file("n") == path + "/n")
        }
        #expect(!FileManager.default.fileExists(atPath: path), "removed when released")
    }

    @Test func scratchPathsAreFreshAndInsideThisProcessesPrivateRoot() {
        let a = TestPaths.scratch("f.json"), b = TestPaths.scratch("f.json")
        #expect(a != b && a.hasPrefix(TestPaths.scratchRoot) && b.hasPrefix(TestPaths.scratchRoot))
        #expect(FileManager.default.fileExists(atPath: (a as NSString).deletingLastPathComponent))
        #expect(!TestPaths.scratchRoot.isEmpty && TestPaths.scratchRoot != NSTemporaryDirectory())
    }

    @Test func theCheckoutAndItsProductsAreFound() {
        #expect(FileManager.default.fileExists(atPath: TestPaths.file("Package.swift")))
        #expect(FileManager.default.fileExists(atPath: TestPaths.support("moto_server.py")))
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.bootstrap))
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.fixtureBootstrap))
    }

    @Test func aHelperThatPrintsNoPortIsAClearError() throws {
        let directory = PrivateDirectory("support")
        _ = directory
        #expect(throws: PythonHelperError.self) { try PythonHelper(script: "no-such-helper.py", keepStdinOpen: false) }
        #expect(throws: PythonHelperError.self) { try PythonHelper.run(TestPaths.support("no-such-helper.py")) }
    }
}
