import Foundation
import StepConfCore
import StepConfLocal
import StepConfTestSupport
import Testing

@Suite struct FunctionSpecTests {
    @Test func aFunctionsFileLoadsWithDefaultsAndRelativeExecutables() throws {
        let directory = PrivateDirectory("functions")
        let path = try directory.write("functions.json", Data(#"""
            [{"name": "a", "handler": "echo"},
             {"name": "b", "handler": "sleep", "memory_mb": 2048, "timeout_s": 30, "executable": "/opt/bootstrap",
              "environment": {"K": "V"}, "qualifiers": ["1", "prod"], "reserved_concurrency": 2}]
            """#.utf8))
        let specs = try FunctionSpec.load(from: path)
        #expect(specs.count == 2)
        #expect(specs[0].memoryMB == 128 && specs[0].timeoutSeconds == 3 && specs[0].executable == directory.path + "/bootstrap")
        #expect(specs[1].executable == "/opt/bootstrap" && specs[1].environment == ["K": "V"] && specs[1].reservedConcurrency == 2)
        #expect(specs[1].accepts(qualifier: "prod") && specs[1].accepts(qualifier: "$LATEST") && !specs[1].accepts(qualifier: "2"))
        let rebased = try FunctionSpec.load(from: path, baseDirectory: "/elsewhere")
        #expect(rebased[0].executable == "/elsewhere/bootstrap")
    }

    @Test(arguments: [
        (#"{"name": "a"}"#, "JSON array"), (#"[{"name": "a"}]"#, "JSON array"),
        (#"[{"name": "a", "handler": "h", "memory_mb": 64}]"#, "memory_mb"),
        (#"[{"name": "a", "handler": "h", "timeout_s": 0}]"#, "timeout_s"),
        (#"[{"name": "a", "handler": "h", "timeout_s": 901}]"#, "timeout_s"),
        (#"[{"name": "a", "handler": "h", "reserved_concurrency": -1}]"#, "reserved_concurrency"),
        (#"[{"name": "a", "handler": "h", "qualifiers": ["a:b"]}]"#, "qualifier"),
        (#"[{"name": "a", "handler": "h"}, {"name": "a", "handler": "g"}]"#, "repeats"),
    ])
    func aBadFunctionsFileNamesTheFileAndTheField(text: String, field: String) throws {
        let directory = PrivateDirectory("functions")
        let path = try directory.write("functions.json", Data(text.utf8))
        do {
            _ = try FunctionSpec.load(from: path)
            Issue.record("accepted \(text)")
        } catch let error as LocalError {
            #expect(error.message.hasPrefix(path) && error.message.contains(field), "\(error.message)")
        }
    }

    @Test func aStackHasTheConfiguratorAndOneFunctionPerKindAndMemorySize() {
        let specs = FunctionSpec.stack(
            kinds: ["synthetic", "video.detect"], memorySizes: [512, 2048], bootstrap: "/b", prefix: "p", environment: ["E": "1"])
        #expect(specs.map(\.name) == [
            "p-configurator", "p-synthetic-m512", "p-synthetic-m2048", "p-video-detect-m512", "p-video-detect-m2048",
        ])
        #expect(specs[0].handler == "configurator" && specs[3].handler == "video.detect" && specs[3].memoryMB == 512)
        #expect(specs.allSatisfy { $0.executable == "/b" && $0.environment == ["E": "1"] })
        let profile = FunctionSpec.stack(kinds: ["synthetic"], memorySizes: [1024], bootstrap: "/b", prefix: "p", environment: [:], includesConfigurator: false)
        #expect(profile.map(\.name) == [FunctionNames.step(prefix: "p", kind: "synthetic", memoryMB: 1024)])
    }

    @Test func aSpecRoundTripsThroughItsJSON() throws {
        let spec = FunctionSpec(
            name: "f", handler: "h", memoryMB: 1769, timeoutSeconds: 12.5, executable: "/x", environment: ["A": "b"],
            qualifiers: ["live"], reservedConcurrency: 0)
        #expect(try JSONDecoder().decode(FunctionSpec.self, from: try JSONEncoder().encode(spec)) == spec)
    }
}
