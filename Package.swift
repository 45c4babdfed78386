// swift-tools-version:6.0
import PackageDescription

/// keyctl has no package dependencies by design: Foundation and Dispatch only,
/// so a clean clone builds with nothing but the toolchain.
let package = Package(
  name: "keyctl",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "KeyCore", targets: ["KeyCore"]),
    .executable(name: "keyctl", targets: ["keyctl"]),
  ],
  targets: [
    .target(name: "KeyCore"),
    .executableTarget(name: "keyctl", dependencies: ["KeyCore"]),
    .testTarget(name: "KeyCoreTests", dependencies: ["KeyCore"]),
    .testTarget(
      name: "keyctlTests",
      dependencies: ["keyctl", "KeyCore"],
      resources: [.copy("Golden")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
