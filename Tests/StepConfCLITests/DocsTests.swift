import Foundation
import Testing

/// The README and docs/ as a reader uses them: every relative link resolves, and every `stepconf` command they show
/// exists as written — its verb and each option (`--help` lists them), and a command in a shell block parses and
/// validates as it stands (`STEPCONF_PARSE_ONLY=1`: parsed, not run).
@Suite struct DocsTests {
    let cli = CLITests()

    /// README.md and every page of docs/, by path relative to the checkout.
    static var pages: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: CLITests.root.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    static func text(_ page: String) throws -> String {
        try String(contentsOf: CLITests.root.appendingPathComponent(page), encoding: .utf8)
    }

    @Test func theReadmeIsAFrontPageAndTheReferenceIsInDocs() throws {
        let readme = try Self.text("README.md")
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 250)
        for page in ["cli", "files", "model", "policies", "evaluation", "lambda", "deploy", "architecture"] {
            #expect(Self.pages.contains("docs/\(page).md"), "docs/\(page).md")
        }
        #expect(FileManager.default.fileExists(atPath: CLITests.root.appendingPathComponent("docs/promise.svg").path))
    }

    @Test func everyRelativeLinkResolves() throws {
        var broken: [String] = []
        let link = /\]\(([^)\s]+)\)/
        for page in Self.pages {
            let base = URL(fileURLWithPath: page).deletingLastPathComponent().relativePath
            for match in try Self.text(page).matches(of: link) {
                let target = String(match.1)
                guard !target.hasPrefix("http://"), !target.hasPrefix("https://"), !target.hasPrefix("#"),
                    !target.hasPrefix("mailto:")
                else { continue }
                let path = String(target.split(separator: "#", maxSplits: 1)[0])
                let resolved = CLITests.root.appendingPathComponent(base == "." ? path : base + "/" + path).path
                if !FileManager.default.fileExists(atPath: resolved) { broken.append("\(page): \(target)") }
            }
        }
        #expect(broken.isEmpty, "\(broken)")
        #expect(!Self.pages.isEmpty)
    }

    /// A command as shown: its words after `stepconf`, and whether it stands in a shell block (whole, runnable).
    struct Shown: Hashable {
        var page: String
        var words: [String]
        var inBlock: Bool
    }

    static func shownCommands() throws -> [Shown] {
        var shown: [Shown] = []
        for page in pages {
            var inBlock = false
            var output = false
            for line in try text(page).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix("```") {
                    inBlock.toggle()
                    // A `text` block shows what a command printed: only its `$ ` lines are commands.
                    output = inBlock && line.dropFirst(3).hasPrefix("text")
                    continue
                }
                if inBlock {
                    if output && !line.hasPrefix("$ ") { continue }
                    let visible = output ? String(line.dropFirst(2)) : line
                    let command = visible.split(separator: "#", maxSplits: 1).first.map(String.init) ?? ""
                    if let words = stepconfWords(command) { shown.append(Shown(page: page, words: words, inBlock: true)) }
                } else {
                    for match in line.matches(of: /`([^`]+)`/) {
                        if let words = stepconfWords(String(match.1)) { shown.append(Shown(page: page, words: words, inBlock: false)) }
                    }
                }
            }
        }
        return shown
    }

    /// The words after `stepconf` in `text` (`swift run [-c release] stepconf …` or `stepconf …`), up to a shell
    /// operator; nil when it shows no `stepconf` command.
    static func stepconfWords(_ text: String) -> [String]? {
        let words = text.split(separator: " ").map(String.init)
        guard let at = words.firstIndex(of: "stepconf"), at == 0 || words[..<at].contains("run") else { return nil }
        var rest: [String] = []
        for word in words[(at + 1)...] {
            if ["&&", "|", ";", ">", "2>&1", "||"].contains(word) || word.hasPrefix("$(") { break }
            rest.append(word)
        }
        return rest.isEmpty ? nil : rest
    }

    @Test func everyStepconfCommandShownExistsAsWritten() throws {
        let shown = try Self.shownCommands()
        #expect(shown.count >= 40, "found \(shown.count) commands")
        var helpByPath: [[String]: String?] = [:]
        func help(_ path: [String]) throws -> String? {
            if let known = helpByPath[path] { return known }
            let r = try cli.run(path + ["--help"])
            let text = r.status == 0 ? r.stdout : nil
            helpByPath[path] = text
            return text
        }
        var problems: [String] = []
        for command in Set(shown) {
            // The verb: the longest run of leading words `--help` accepts.
            let leading = Array(command.words.prefix { !$0.hasPrefix("-") }.prefix(3))
            var verb: [String]?
            var text: String?
            if leading.isEmpty, let root = try help([]) {
                verb = []
                text = root + " --version --generate-completion-script"
            }
            for n in stride(from: leading.count, through: 1, by: -1) where verb == nil {
                if let found = try help(Array(leading.prefix(n))), found.contains("USAGE:") {
                    verb = Array(leading.prefix(n))
                    text = found
                    break
                }
            }
            guard let verb, let text else {
                problems.append("\(command.page): stepconf \(command.words.joined(separator: " ")): no such verb")
                continue
            }
            for word in command.words where word.hasPrefix("--") && word.count > 2 {
                let option = String(word.split(separator: "=", maxSplits: 1)[0])
                if !text.contains(option) { problems.append("\(command.page): stepconf \(verb.joined(separator: " ")): no option \(option)") }
            }
            // A whole command in a shell block parses and validates (placeholders aside).
            let placeholders = command.words.contains { $0.contains("…") || $0.contains("<") || $0 == "DIR" || $0 == "FILE" }
            if command.inBlock && !placeholders {
                let r = try cli.run(command.words, environment: ["STEPCONF_PARSE_ONLY": "1"])
                if r.status != 0 {
                    problems.append("\(command.page): stepconf \(command.words.joined(separator: " ")): \(r.stderr.prefix(200))")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.sorted().joined(separator: "\n"))")
    }
}
