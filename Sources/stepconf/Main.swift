import ArgumentParser
import Foundation
import Logging
import StepConfCore
import StepConfStorage

/// Entry point: usage errors exit 2, invalid input exits 1, never a trap or a stack trace on user input.
@main
enum Main {
    static func main() async {
        // Libraries log through swift-log; the command line shows their records as text on stderr (stdout stays
        // the command's own output: tables, JSON).
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        var command: any ParsableCommand
        do {
            command = try StepConf.parseAsRoot(Self.joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
        } catch {
            // Help and --version print and exit 0 the parser's way; every other parse error is a usage error.
            if StepConf.exitCode(for: error) == .success { StepConf.exit(withError: error) }
            FileHandle.standardError.write(Data((StepConf.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
        // Parsed and validated, not run: how the docs' test checks that every command they show exists as written.
        if ProcessInfo.processInfo.environment["STEPCONF_PARSE_ONLY"] == "1" {
            print("parsed: \(type(of: command).configuration.commandName ?? "stepconf")")
            exit(0)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any CodedError {
            // Every module's error carries a message a user can act on; none of them is a usage error.
            fail(error.message)
        } catch {
            let code = StepConf.exitCode(for: error)
            if code == .success { StepConf.exit(withError: error) }
            FileHandle.standardError.write(Data((StepConf.fullMessage(for: error) + "\n").utf8))
            exit(code == .validationFailure ? 2 : 1)
        }
    }

    /// `--option -1` as `--option=-1`: without it the parser takes `-1` for an option and says the value is
    /// missing; with it, the option's own check says what the value must be ("must be ≥ 0", …).
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument.hasPrefix("--"), !argument.contains("="), i + 1 < arguments.count,
                arguments[i + 1].hasPrefix("-"), Double(arguments[i + 1]) != nil
            {
                result.append(argument + "=" + arguments[i + 1])
                i += 2
            } else {
                result.append(argument)
                i += 1
            }
        }
        return result
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(code)
    }
}

/// An error of the command line itself (exit code 1, as every coded error).
struct CLIError: CodedError {
    enum Code: Sendable, Hashable {
        /// A file or option names something that is not there or not usable.
        case input
        /// A tool the command needs (swift, python3 with moto) is missing or failed.
        case environment
        /// A broken promise inside StepConf itself: a bug to report.
        case internalFailure
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

struct StepConf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepconf",
        abstract: "SLO-aware per-step configuration of serverless workflows on AWS Lambda + Step Functions.",
        discussion: """
            StepConf picks each step's memory size, fan-out (inter-function parallelism p) and worker \
            processes per instance (intra-function parallelism q) so the workflow meets its latency SLO at the \
            lowest cost. Workflows and models default to the embedded example `synthetic16`.

            Exit codes: 0 success, 1 invalid input (a file or its contents), 2 usage error.
            """,
        version: SelfLocation.versionText,
        subcommands: [PlanCommand.self, RunCommand.self, CalibrateCommand.self, ParetoCommand.self, ASLCommand.self, TemplateCommand.self, CheckBundleCommand.self, InvokeCommand.self, LocalCommand.self, ConfigsCommand.self, ProfileCommand.self, FitCommand.self, EvaluateCommand.self, CacheCommand.self, EmulatorCommand.self, GenerateCommand.self, BenchCommand.self])
}
