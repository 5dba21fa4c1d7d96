import Foundation
import StepConfASL
import Testing

@Suite struct BundleCheckTests {
    static var bootstrap: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bootstrap").path
    }

    @Test func readsTheLibrariesAndGlibcVersionsOfARealBinary() throws {
        let elf = try ELFDependencies(path: Self.bootstrap)
        #expect(elf.architecture != nil)
        #expect(elf.libraries.contains("libc.so.6"))
        #expect(elf.versions["libc.so.6"]?.contains("GLIBC_2.2.5") == true || elf.versions["libc.so.6"]?.contains("GLIBC_2.17") == true)
        let glibc = try #require(elf.highestGlibc)
        #expect(glibc[0] == 2 && glibc[1] >= 17)
    }

    @Test func refusesABinaryNeedingANewerGlibcOrAMissingLibraryAndSaysWhatToDo() throws {
        let elf = try ELFDependencies(path: Self.bootstrap)
        let glibc = try #require(elf.highestGlibc)
        let arch = try #require(elf.architecture)
        let old = BundleCheck.Runtime(name: "old", glibc: [2, glibc[1] - 1], libraries: ["libc.so.6"])
        let report = try BundleCheck(runtime: old, architecture: arch).check(Self.bootstrap)
        #expect(!report.ok)
        #expect(report.problems.contains { $0.contains("needs glibc") && $0.contains("Amazon Linux") })
        #expect(report.problems.contains { $0.contains("does not provide") })
        let roomy = BundleCheck.Runtime(name: "roomy", glibc: [2, 99], libraries: Set(elf.libraries))
        #expect(try BundleCheck(runtime: roomy, architecture: arch).check(Self.bootstrap).ok)
        let otherArch = arch == "x86_64" ? "arm64" : "x86_64"
        #expect(try BundleCheck(runtime: roomy, architecture: otherArch).check(Self.bootstrap).problems.count == 1)
    }

    @Test func aLibraryInTheBundlesLibDirectoryIsAccepted() throws {
        let elf = try ELFDependencies(path: Self.bootstrap)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/lib", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.bootstrap, toPath: dir + "/bootstrap")
        let extra = try #require(elf.libraries.first { $0 != "libc.so.6" })
        try Data().write(to: URL(fileURLWithPath: dir + "/lib/" + extra))
        let runtime = BundleCheck.Runtime(name: "r", glibc: [2, 99], libraries: Set(elf.libraries).subtracting([extra]))
        #expect(try BundleCheck(runtime: runtime, architecture: elf.architecture!).check(dir).ok)
    }

    @Test func notAnELFFileIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notelf-\(UUID().uuidString)").path
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ELFDependencies.Error.self) { try ELFDependencies(path: path) }
        #expect(throws: ELFDependencies.Error.self) { try ELFDependencies(data: Data([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 2, count: 60))) }
    }
}
