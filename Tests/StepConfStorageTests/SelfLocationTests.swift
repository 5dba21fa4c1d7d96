import Foundation
import StepConfTestSupport
import Testing

@testable import StepConfStorage

/// Which commit a binary names in `--version`: HEAD's ref, a loose ref file or packed-refs, a detached HEAD.
@Suite struct SelfLocationTests {
    @Test func aHeadNamesItsCommitThroughTheRefsAsGitKeepsThem() throws {
        let directory = PrivateDirectory("git")
        let git = URL(fileURLWithPath: directory.file(".git"))
        try directory.write(".git/refs/heads/main", Data("0123456789abcdef0123456789abcdef01234567\n".utf8))
        #expect(SelfLocation.resolve("ref: refs/heads/main", git: git) == "0123456789ab")
        try directory.write(".git/packed-refs", Data("""
            # pack-refs with: peeled fully-peeled sorted
            fedcba9876543210fedcba9876543210fedcba98 refs/heads/feature
            1111111111111111111111111111111111111111 refs/tags/v1
            """.utf8))
        #expect(SelfLocation.resolve("ref: refs/heads/feature", git: git) == "fedcba987654")
        #expect(SelfLocation.resolve("ref: refs/heads/missing", git: git) == nil)
        #expect(SelfLocation.resolve("abcdef0123456789abcdef0123456789abcdef01", git: git) == "abcdef012345", "a detached HEAD")
    }

    @Test func theVersionTextNamesTheToolAndTheBuild() {
        #expect(SelfLocation.versionText.hasPrefix("stepconf \(StepConfCore.BuildVersion.version) (bundle format"))
        #expect(SelfLocation.directory.path == SelfLocation.executable.deletingLastPathComponent().path)
    }
}

import StepConfCore
