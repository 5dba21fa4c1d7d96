import CCurlShim
import Foundation
import StepConfTestSupport
import Testing

/// The libcurl numbers the shim declares itself (so that building needs no libcurl headers) are the ones libcurl's
/// own header gives: checked by compiling a C program against that header where it is installed.
@Suite struct CurlDeclarationsTests {
    /// Our declarations, by the names libcurl's header gives them.
    static let ours: [(String, Int64)] = [
        ("CURLE_OK", Int64(CURLE_OK.rawValue)), ("CURLE_UNSUPPORTED_PROTOCOL", Int64(CURLE_UNSUPPORTED_PROTOCOL.rawValue)),
        ("CURLE_URL_MALFORMAT", Int64(CURLE_URL_MALFORMAT.rawValue)),
        ("CURLE_COULDNT_RESOLVE_HOST", Int64(CURLE_COULDNT_RESOLVE_HOST.rawValue)),
        ("CURLE_COULDNT_CONNECT", Int64(CURLE_COULDNT_CONNECT.rawValue)),
        ("CURLE_OPERATION_TIMEDOUT", Int64(CURLE_OPERATION_TIMEDOUT.rawValue)),
        ("CURLOPT_WRITEDATA", Int64(CURLOPT_WRITEDATA.rawValue)), ("CURLOPT_URL", Int64(CURLOPT_URL.rawValue)),
        ("CURLOPT_WRITEFUNCTION", Int64(CURLOPT_WRITEFUNCTION.rawValue)), ("CURLOPT_POSTFIELDS", Int64(CURLOPT_POSTFIELDS.rawValue)),
        ("CURLOPT_HTTPHEADER", Int64(CURLOPT_HTTPHEADER.rawValue)), ("CURLOPT_HEADERDATA", Int64(CURLOPT_HEADERDATA.rawValue)),
        ("CURLOPT_CUSTOMREQUEST", Int64(CURLOPT_CUSTOMREQUEST.rawValue)), ("CURLOPT_NOBODY", Int64(CURLOPT_NOBODY.rawValue)),
        ("CURLOPT_HEADERFUNCTION", Int64(CURLOPT_HEADERFUNCTION.rawValue)), ("CURLOPT_HTTPGET", Int64(CURLOPT_HTTPGET.rawValue)),
        ("CURLOPT_NOSIGNAL", Int64(CURLOPT_NOSIGNAL.rawValue)),
        ("CURLOPT_POSTFIELDSIZE_LARGE", Int64(CURLOPT_POSTFIELDSIZE_LARGE.rawValue)),
        ("CURLOPT_TIMEOUT_MS", Int64(CURLOPT_TIMEOUT_MS.rawValue)), ("CURLOPT_CONNECTTIMEOUT_MS", Int64(CURLOPT_CONNECTTIMEOUT_MS.rawValue)),
        ("CURLINFO_RESPONSE_CODE", Int64(CURLINFO_RESPONSE_CODE.rawValue)), ("CURL_GLOBAL_ALL", 3),
        ("sizeof(curl_off_t)", Int64(MemoryLayout<curl_off_t>.size)),
        ("sizeof(struct curl_slist)", Int64(MemoryLayout<curl_slist>.size)),
        ("offsetof(struct curl_slist, next)", Int64(MemoryLayout<curl_slist>.offset(of: \curl_slist.next)!)),
    ]

    @Test func theDeclaredNumbersAreLibcurlsOwn() throws {
        let header = ["/usr/include/curl/curl.h", "/usr/include/x86_64-linux-gnu/curl/curl.h", "/usr/include/aarch64-linux-gnu/curl/curl.h"]
            .first { FileManager.default.fileExists(atPath: $0) }
        let compiler = ["/usr/bin/cc", "/usr/bin/clang", "/usr/bin/gcc"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard header != nil, let compiler else {
            print("libcurl's header or a C compiler is not installed: the declarations are checked by the HTTP tests alone")
            return
        }
        let directory = TestPaths.scratch("curl-declarations")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Self.ours.map { name, _ in "    printf(\"%s %lld\\n\", \"\(name)\", (long long)(\(name)));" }
        let program = "#include <curl/curl.h>\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n"
            + lines.joined(separator: "\n") + "\n    return 0;\n}\n"
        try program.write(toFile: directory + "/check.c", atomically: true, encoding: .utf8)
        let compiled = try TestProcess.run(compiler, [directory + "/check.c", "-o", directory + "/check"])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        guard compiled.status == 0 else { return }
        let run = try TestProcess.run(directory + "/check", [])
        var theirs: [String: Int64] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let value = Int64(line[line.index(after: space)...]) else { continue }
            theirs[String(line[..<space])] = value
        }
        for (name, value) in Self.ours { #expect(theirs[name] == value, "\(name)") }
    }
}
