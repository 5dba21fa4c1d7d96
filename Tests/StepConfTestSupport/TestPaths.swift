import Foundation

/// Where things are for a test: this checkout, its Python helpers, and the products built beside the test bundle.
public enum TestPaths {
    /// The checkout's root.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// A file of the checkout, by its path from the root.
    public static func file(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// A helper of `Tests/support`.
    public static func support(_ name: String) -> String { file("Tests/support/\(name)") }

    /// A product of the build folder next to the test bundle (`stepconf`, `bootstrap`, `fixture-bootstrap`).
    public static func product(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The shipped Lambda binary.
    public static var bootstrap: String { product("bootstrap") }

    /// The tests' bootstrap: the shipped runtime plus echo, sleep and crash handlers and worker faults.
    public static var fixtureBootstrap: String { product("fixture-bootstrap") }
}
