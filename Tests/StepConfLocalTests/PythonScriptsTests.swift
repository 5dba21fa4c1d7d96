import Foundation
import StepConfLocal
import StepConfTestSupport
import Testing

@Suite struct PythonScriptsTests {
    @Test(arguments: PythonScripts.Script.allCases)
    func theEmbeddedCopyIsTheFileInScripts(script: PythonScripts.Script) throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: TestPaths.file("scripts/python/\(script.rawValue)")))
        #expect(PythonScripts.text(script) == file, "scripts/python/\(script.rawValue) changed: run scripts/embed-python.sh")
    }

    @Test func aHelperRunsIsolatedFromADirectoryThatShadowsTheStandardLibrary() throws {
        // The launcher lands in a directory with a json.py that would break moto's import of the standard library's.
        let user = PrivateDirectory("shadow")
        try user.write("json.py", Data("raise SystemExit('the json.py beside the helper was imported')\n".utf8))
        let arguments = try PythonScripts.install(.motoLauncher, in: user.path)
        #expect(arguments.first == "-I" && arguments.count == 2)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments + ["--help"]
        process.currentDirectoryURL = URL(fileURLWithPath: user.path)
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!said.contains("was imported"))
        // moto's own `--help` exits 0; without moto the import fails, which is not what this checks.
        #expect(process.terminationStatus == 0 || said.contains("No module named 'moto'"), "\(said)")
    }

    @Test func installingTwiceReplacesTheCopyAndLeavesNoStagingFile() throws {
        let directory = PrivateDirectory("install")
        _ = try PythonScripts.install(.stackHelper, in: directory.path)
        _ = try PythonScripts.install(.stackHelper, in: directory.path)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == [PythonScripts.Script.stackHelper.rawValue])
        #expect(throws: (any Error).self) { try PythonScripts.install(.stackHelper, in: directory.file("missing/dir")) }
    }

    @Test(arguments: PythonScripts.Script.allCases)
    func everyHelperIsPythonThatCompilesAndSaysWhatItIs(script: PythonScripts.Script) throws {
        let directory = PrivateDirectory("compile")
        let arguments = try PythonScripts.install(script, in: directory.path)
        let check = directory.file("check.py")
        try Data("import ast, sys\ntree = ast.parse(open(sys.argv[1]).read())\nprint(ast.get_docstring(tree) or '')\n".utf8)
            .write(to: URL(fileURLWithPath: check))
        let printed = String(decoding: try PythonHelper.run(check, arguments: [arguments[1]]), as: UTF8.self)
        #expect(!printed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(script.rawValue) explains itself in its docstring")
        if script == .motoLauncher { #expect(printed.contains("--ephemeral")) }
        if script == .stackHelper { #expect(printed.contains("template.yaml")) }
    }
}
