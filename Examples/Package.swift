// swift-tools-version:6.0
// Examples of AutoLoss used as a library: each depends on the root package by path, through its
// products AutoLoss and Engine only (as another package would by URL and version).
import PackageDescription

let package = Package(
  name: "autoloss-examples",
  platforms: [.macOS(.v14)],
  dependencies: [.package(name: "autoloss-swift", path: "..")],
  targets: [
    .executableTarget(
      name: "FairnessSchedule",
      dependencies: [
        .product(name: "AutoLoss", package: "autoloss-swift"),
        .product(name: "Engine", package: "autoloss-swift"),
      ])
  ]
)
