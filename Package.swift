// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "StepConf",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StepConfCore", targets: ["StepConfCore"]),
        .library(name: "StepConfSimulator", targets: ["StepConfSimulator"]),
        .library(name: "StepConfHTTP", targets: ["StepConfHTTP"]),
        .executable(name: "stepconf", targets: ["stepconf"]),
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Pure: the model, the policies, the driver; decoding from bytes, no files, threads or processes.
        .target(name: "StepConfCore"),
        // Files: atomic writes, the local-directory object store, file loaders, threads for blocking I/O.
        .target(name: "StepConfStorage", dependencies: ["StepConfCore"]),
        // The shipped example workflows and models, generated from examples/ (scripts/embed-examples.sh).
        .target(name: "StepConfExamples", dependencies: ["StepConfCore"]),
        .target(name: "StepConfSimulator", dependencies: ["StepConfCore"]),
        .target(name: "StepConfASL", dependencies: ["StepConfCore"]),
        .target(name: "StepConfPareto", dependencies: ["StepConfCore", "StepConfStorage"]),
        .target(
            name: "CCurlShim",
            linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]
        ),
        .target(name: "StepConfHTTP", dependencies: ["CCurlShim", "StepConfCore"]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "StepConfLambda",
            dependencies: ["StepConfHTTP", "StepConfCore", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "StepConfAWS",
            dependencies: ["StepConfHTTP", "StepConfCore", "StepConfStorage", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "StepConfSQLite", dependencies: ["StepConfCore", "CSQLite"]),
        .target(name: "StepConfWorker", dependencies: ["StepConfCore", "StepConfStorage"]),
        .target(
            name: "StepConfFunctions",
            dependencies: [
                "StepConfLambda", "StepConfCore", "StepConfStorage", "StepConfSQLite", "StepConfAWS", "StepConfWorker",
                .product(name: "Logging", package: "swift-log"),
            ],
            // The step functions are the work a local run and a calibration time: optimised in every build, so that
            // `swift run stepconf run` calibrates in the time a release build does.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .executableTarget(name: "bootstrap", dependencies: ["StepConfFunctions", "StepConfCore"]),
        // The tests' bootstrap: the shipped runtime plus echo/sleep/crash handlers and worker faults.
        .executableTarget(
            name: "fixture-bootstrap", dependencies: ["StepConfFunctions", "StepConfLambda", "StepConfWorker", "StepConfTestSupport"],
            path: "Tests/FixtureBootstrap"),
        .target(
            name: "StepConfLocal",
            dependencies: [
                "StepConfCore", "StepConfStorage", "StepConfFunctions", "StepConfHTTP", "StepConfLambda", "StepConfWorker",
                "StepConfASL", "StepConfAWS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "stepconf",
            dependencies: [
                "StepConfCore",
                "StepConfStorage",
                "StepConfExamples",
                "StepConfSimulator",
                "StepConfASL",
                "StepConfPareto",
                "StepConfSQLite",
                "StepConfLocal",
                "StepConfFunctions",
                "StepConfHTTP",
                "StepConfLambda",
                "StepConfAWS",
                "StepConfWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every test target shares: paths, private directories, the Python-helper launcher, ASL data paths.
        .target(name: "StepConfTestSupport", dependencies: ["StepConfCore"], path: "Tests/StepConfTestSupport"),
        .testTarget(
            name: "StepConfCoreTests",
            dependencies: [
                "StepConfTestSupport",
                "StepConfCore", "StepConfStorage", "StepConfExamples",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StepConfAWSTests",
            dependencies: [
                "StepConfTestSupport", "StepConfAWS", "StepConfCore", "StepConfStorage", "StepConfHTTP", "StepConfFunctions", "StepConfLambda", "StepConfWorker", "bootstrap", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfWorkerTests",
            dependencies: [
                "StepConfTestSupport", "StepConfWorker", "StepConfFunctions", "StepConfCore", "StepConfStorage", "bootstrap", "fixture-bootstrap", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfASLTests",
            dependencies: [
                "StepConfTestSupport", "StepConfASL", "StepConfCore", "StepConfStorage", "StepConfExamples", "bootstrap", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfParetoTests",
            dependencies: [
                "StepConfTestSupport", "StepConfPareto", "StepConfCore", "StepConfExamples", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfHTTPTests",
            dependencies: [
                "StepConfTestSupport", "StepConfHTTP", "CCurlShim", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "StepConfLambdaTests",
            dependencies: [
                "StepConfTestSupport", "StepConfLambda", "StepConfFunctions", "StepConfSQLite", "StepConfCore", "StepConfStorage", "bootstrap", "fixture-bootstrap", "stepconf", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfLocalTests",
            dependencies: [
                "StepConfTestSupport",
                "StepConfLocal", "StepConfHTTP", "StepConfCore", "StepConfStorage", "StepConfExamples", "StepConfASL", "StepConfAWS", "StepConfFunctions", "StepConfSimulator",
                "bootstrap",
                "fixture-bootstrap",
                "stepconf",
            ]
        ),
        .testTarget(
            name: "StepConfSimulatorTests",
            dependencies: [
                "StepConfTestSupport", "StepConfSimulator", "StepConfCore", "StepConfExamples", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StepConfFunctionsTests",
            dependencies: [
                "StepConfTestSupport", "StepConfFunctions", "StepConfASL", "StepConfCore", "StepConfExamples", "StepConfLambda",
                "StepConfWorker", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StepConfStorageTests",
            dependencies: ["StepConfTestSupport", "StepConfStorage", "StepConfCore"]
        ),
        .testTarget(
            name: "StepConfSQLiteTests",
            dependencies: ["StepConfTestSupport", "StepConfSQLite", "StepConfCore"]
        ),
        .testTarget(
            name: "StepConfCLITests",
            dependencies: [
                "StepConfTestSupport", "stepconf", "StepConfCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
