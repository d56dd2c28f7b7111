// swift-tools-version:6.0
import PackageDescription

// Library targets carry no unsafeFlags (a package with them cannot be a versioned dependency);
// release builds use SwiftPM's -O with whole-module optimization, and the hot loops run on unsafe
// buffer pointers. The constant stays so the target lines need no edit.
let optimize: [SwiftSetting] = []

let package = Package(
  name: "autoloss-swift",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "autoloss", targets: ["autoloss"]),
    // Libraries for other packages: the task protocol, controllers and trainers; the tensor engine.
    .library(name: "AutoLoss", targets: ["AutoLoss"]),
    .library(name: "Engine", targets: ["Engine"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // `swift package generate-documentation` (make docs).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
      providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(
      name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
      providers: [.apt(["libopenmpi-dev"])]),
    .systemLibrary(
      name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),
    // oneDNN (Debian ships no pkg-config file for it; the module map links libdnnl)
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
    .target(name: "Engine", dependencies: ["CBLAS", "CDNNL"], swiftSettings: optimize),
    .target(name: "Store", dependencies: ["CHDF5", "CPNG", "CZlib"], swiftSettings: optimize),
    .target(name: "Datasets", dependencies: ["Store", "Engine", "CZlib"], swiftSettings: optimize),
    .target(name: "AutoLoss", dependencies: ["Engine"], swiftSettings: optimize),
    .target(
      name: "Tasks", dependencies: ["AutoLoss", "Engine", "Datasets"], swiftSettings: optimize),
    .target(name: "Distributed", dependencies: ["AutoLoss", "CMPI"], swiftSettings: optimize),
    // Paired t-intervals, Wilcoxon, TOST and slopes: used by the stages and the report.
    .target(name: "Statistics", swiftSettings: optimize),
    .target(
      name: "Pipeline", dependencies: ["AutoLoss", "Tasks", "Datasets", "Store", "Engine", "Statistics"],
      swiftSettings: optimize),
    // `autoloss bench`: the timed workloads and their harness (issue 15: bench code in its own target).
    .target(
      name: "Bench", dependencies: ["Pipeline", "AutoLoss", "Tasks", "Datasets", "Store", "Engine"],
      swiftSettings: optimize),
    // The report reads artifacts only: it depends on no stage.
    .target(name: "Report", dependencies: ["Store", "Statistics"], swiftSettings: optimize),
    .executableTarget(
      name: "autoloss",
      dependencies: [
        "Pipeline", "Report", "Bench", "Datasets", "Tasks", "Engine", "Distributed",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: optimize),
    .testTarget(name: "EngineTests", dependencies: ["Engine", "Store"], resources: [.copy("Fixtures")]),
    .testTarget(name: "StoreTests", dependencies: ["Store"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Store"]),
    .testTarget(name: "AutoLossTests", dependencies: ["AutoLoss", "Engine"]),
    .testTarget(name: "TasksTests", dependencies: ["Tasks", "AutoLoss", "Engine", "Datasets"]),
    .testTarget(
      name: "PipelineTests",
      dependencies: ["Pipeline", "Report", "Statistics", "Store", "AutoLoss", "Engine", "Tasks"]),
    .testTarget(name: "DistributedTests", dependencies: ["Distributed", "AutoLoss", "Pipeline"]),
    // Runs the built `autoloss` binary (swift test builds it) on bad arguments and configs.
    .testTarget(name: "CLITests", dependencies: ["autoloss"]),
  ]
)
