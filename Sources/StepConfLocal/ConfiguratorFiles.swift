import Foundation
import StepConfCore
import StepConfStorage

/// What a configurator reads from its workflow directory (``FunctionEnvironment/workflowDirectory``): `{workflow}.json`,
/// `{workflow}.model.json`, and `platform.json` (``FunctionEnvironment/platform``), the platform it decides on — the one
/// whose grid the emulator's functions cover.
public enum ConfiguratorFiles {
    /// The platform file's name, relative to the workflow directory.
    public static let platformFile = "platform.json"

    /// Writes the files into `directory` (created if missing).
    /// - Throws: ``LocalError`` when the directory or a file cannot be written.
    public static func write(_ workflows: [(Workflow, PerformanceModel)], platform: Platform, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LocalError(.io, "\(directory): cannot create the directory (\(error.localizedDescription))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        for (workflow, model) in workflows {
            try AtomicFile.write(try encoder.encode(workflow), to: "\(directory)/\(workflow.name).json")
            try AtomicFile.write(try encoder.encode(model), to: "\(directory)/\(workflow.name).model.json")
        }
        try AtomicFile.write(try encoder.encode(platform), to: "\(directory)/\(platformFile)")
    }
}
