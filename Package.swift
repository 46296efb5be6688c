// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mkspy",
    products: [
        .executable(name: "mkspy-spec", targets: ["mkspy-spec"]),
        .executable(name: "mkspy-gen", targets: ["mkspy-gen"]),
        .executable(name: "mkspy-check", targets: ["mkspy-check"]),
        .executable(name: "mkspy-score", targets: ["mkspy-score"]),
        .executable(name: "mkspy-evolve", targets: ["mkspy-evolve"]),
        .executable(name: "mkspy-serve", targets: ["mkspy-serve"]),
    ],
    dependencies: [],
    targets: [
        // Libraries: the core records and plumbing, then one library per stage.
        .target(name: "MkspyCore"),
        .target(name: "PythonSyntax"),
        .target(name: "MkspySpec", dependencies: ["MkspyCore", "MkspyCheck", "PythonSyntax"]),
        .target(name: "MkspyGen", dependencies: ["MkspyCore"]),
        .target(name: "MkspyCheck", dependencies: ["MkspyCore", "PythonSyntax"]),
        .target(name: "MkspyRuntime", dependencies: ["MkspyCore"]),
        .target(name: "MkspyScore", dependencies: ["MkspyCore", "MkspyRuntime"]),
        .target(name: "MkspyEvolve", dependencies: ["MkspyCore", "MkspyRuntime"]),
        .target(name: "MkspyServe", dependencies: ["MkspyCore", "MkspyRuntime"]),

        // Executables: thin mains over the libraries.
        .executableTarget(name: "mkspy-spec", dependencies: ["MkspyCore", "MkspySpec"]),
        .executableTarget(name: "mkspy-gen", dependencies: ["MkspyCore", "MkspyGen"]),
        .executableTarget(name: "mkspy-check", dependencies: ["MkspyCore", "MkspyCheck", "PythonSyntax"]),
        .executableTarget(name: "mkspy-score", dependencies: ["MkspyCore", "MkspyScore"]),
        .executableTarget(name: "mkspy-evolve", dependencies: ["MkspyCore", "MkspyEvolve"]),
        .executableTarget(name: "mkspy-serve", dependencies: ["MkspyServe"]),
        .executableTarget(name: "pyast", dependencies: ["PythonSyntax"]),  // parser dev tool

        // Tests: one target per library, plus end-to-end tests of the binaries.
        .testTarget(name: "MkspyCoreTests", dependencies: ["MkspyCore"]),
        .testTarget(name: "PythonSyntaxTests", dependencies: ["PythonSyntax"], exclude: ["Fixtures"]),
        .testTarget(name: "MkspyScoreTests", dependencies: ["MkspyScore", "MkspyCore", "MkspyRuntime"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MkspySpecTests", dependencies: ["MkspySpec", "MkspyGen", "MkspyCore", "MkspyRuntime"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MkspyGenTests", dependencies: ["MkspyGen", "MkspyCore", "MkspyRuntime"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MkspyEvolveTests", dependencies: ["MkspyEvolve", "MkspyCore", "MkspyRuntime"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "MkspyCheckTests", dependencies: ["MkspyCheck", "MkspyCore", "PythonSyntax"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MkspyCore"]),
        .testTarget(name: "ServeTests", dependencies: ["MkspyCore", "MkspyRuntime"]),
    ]
)
