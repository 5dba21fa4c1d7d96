import Foundation

/// The Python helpers `stepconf` runs: `scripts/python/*.py`, embedded (``embedded``) so an installed `stepconf`
/// carries them. Each is written into a directory of ours and run isolated (`python3 -I FILE`): neither the user's
/// working directory nor the file's own directory nor `PYTHON*` variables reach its import path, so a `json.py`
/// beside the user is never imported in place of the standard library's.
package enum PythonScripts {
    /// A helper.
    package enum Script: String, Sendable, CaseIterable {
        /// Creates the local stack on moto from template.yaml (`stepconf local up`).
        case stackHelper = "stack_helper.py"
        /// moto's server with our patches (`stepconf local up`, `stepconf bench aws`).
        case motoLauncher = "moto_launcher.py"
        /// Platypus's runs on a configuration table (`stepconf bench pareto`).
        case platypusBench = "platypus_bench.py"
    }

    /// The helper's text.
    package static func text(_ script: Script) -> Data {
        embedded[script.rawValue].flatMap { Data(base64Encoded: $0) } ?? Data()
    }

    /// Writes `script` into `directory` (replacing an earlier copy through a file of its own, mode 0600) and returns
    /// the arguments that run it isolated: `-I FILE`.
    /// - Throws: ``LocalError`` (`.io`) when the directory cannot hold it.
    package static func install(_ script: Script, in directory: String) throws -> [String] {
        let path = (directory as NSString).appendingPathComponent(script.rawValue)
        let staging = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: staging, contents: text(script), attributes: [.posixPermissions: 0o600])
        else { throw LocalError(.io, "\(directory): cannot write \(script.rawValue)") }
        guard rename(staging, path) == 0 else {
            unlink(staging)
            throw LocalError(.io, "\(directory): cannot write \(script.rawValue): \(String(cString: strerror(errno)))")
        }
        return ["-I", path]
    }
}
