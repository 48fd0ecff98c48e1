// swift-tools-version:5.9
import PackageDescription
import Foundation

// Kernels are compiled for the CPU that builds them (FMA, AVX2/AVX-512) unless
// WXENS_TARGET_CPU names another one (e.g. x86-64 for a portable build, znver3, skylake-avx512).
let env = ProcessInfo.processInfo.environment
let targetCPU = env["WXENS_TARGET_CPU"] ?? "native"
// WXENS_FMA is defined when that CPU has fused multiply-add: SIMD `addingProduct` is then one
// instruction, while without FMA hardware it becomes a per-lane libm call, so kernels use mul + add.
let targetHasFMA: Bool = {
    #if arch(arm64)
    return true
    #else
    if targetCPU == "native" {
        return ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" fma ")
    }
    let withoutFMA: Set<String> = ["x86-64", "x86-64-v2", "generic", "core2", "nehalem", "westmere", "sandybridge",
                                   "ivybridge", "btver1", "btver2", "bonnell", "silvermont", "goldmont", "k8", "amdfam10"]
    return !withoutFMA.contains(targetCPU)
    #endif
}()
// WXENS_AVX512 is defined when that CPU has AVX-512F: the hot micro-kernels then use SIMD16 (one zmm register),
// so each FMA does twice the work of a SIMD8 one (twice the throughput where the cores have full-width 512-bit FMA units).
let targetHasAVX512: Bool = {
    #if arch(x86_64)
    if targetCPU == "native" {
        return ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512f ")
    }
    // (x86-64-v4 is not a CPU name this toolchain's -target-cpu accepts.)
    let withAVX512: Set<String> = ["skylake-avx512", "skx", "cascadelake", "cooperlake", "icelake-server", "icelake-client",
                                   "tigerlake", "sapphirerapids", "emeraldrapids", "graniterapids", "znver4", "znver5"]
    return withAVX512.contains(targetCPU)
    #else
    return false
    #endif
}()
let cpuFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU, "-Ounchecked"], .when(configuration: .release))]
    + (targetHasFMA ? [.define("WXENS_FMA", .when(configuration: .release))] : [])
    + (targetHasAVX512 ? [.define("WXENS_AVX512", .when(configuration: .release))] : [])

let package = Package(
    name: "wxens",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wxens", targets: ["wxens"]),
        .executable(name: "wxens-bench", targets: ["wxens-bench"]),
        .library(name: "WXCore", targets: ["WXCore"]),
        .library(name: "WXIO", targets: ["WXIO"]),
        .library(name: "WXKernels", targets: ["WXKernels"]),
        .library(name: "WXVerification", targets: ["WXVerification"]),
        .library(name: "WXNN", targets: ["WXNN"]),
        .library(name: "WXGenerative", targets: ["WXGenerative"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CNetCDF", path: "Sources/CNetCDF", pkgConfig: "netcdf",
                       providers: [.apt(["libnetcdf-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CEcCodes", path: "Sources/CEcCodes", pkgConfig: "eccodes",
                       providers: [.apt(["libeccodes-dev"])]),
        .systemLibrary(name: "CBlosc", path: "Sources/CBlosc", pkgConfig: "blosc",
                       providers: [.apt(["libblosc-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CISAL", path: "Sources/CISAL", pkgConfig: "libisal",
                       providers: [.apt(["libisal-dev"])]),
        .target(name: "WXCore", swiftSettings: cpuFlags),
        .target(name: "WXIO", dependencies: ["WXCore", "CNetCDF", "CHDF5", "CZlib", "CEcCodes", "CBlosc", "CZstd", "CISAL"]),
        .target(name: "WXKernels", dependencies: ["WXCore"], swiftSettings: cpuFlags),
        .target(name: "WXNN", dependencies: ["WXCore", "WXKernels"], swiftSettings: cpuFlags),
        .target(name: "WXGenerative", dependencies: ["WXCore", "WXKernels", "WXNN"], swiftSettings: cpuFlags),
        .target(name: "WXVerification", dependencies: ["WXCore"], swiftSettings: cpuFlags),
        .target(name: "WXPipelines", dependencies: ["WXCore", "WXIO", "CNetCDF", "WXKernels", "WXNN", "WXGenerative", "WXVerification",
                                                  .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "wxens", dependencies: [
            "WXCore", "WXIO", "WXNN", "WXVerification", "WXGenerative", "WXPipelines",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wxens-bench", dependencies: [
            "WXCore", "WXIO", "WXKernels", "WXVerification", "WXPipelines",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: cpuFlags),
        .testTarget(name: "WXCoreTests", dependencies: ["WXCore"], exclude: ["Golden"]),
        .testTarget(name: "WXIOTests", dependencies: ["WXCore", "WXIO", "CHDF5"], exclude: ["Golden"]),
        .testTarget(name: "WXKernelsTests", dependencies: ["WXCore", "WXKernels"], exclude: ["Golden"]),
        .testTarget(name: "WXVerificationTests", dependencies: ["WXCore", "WXVerification"]),
        .testTarget(name: "WXNNTests", dependencies: ["WXCore", "WXKernels", "WXNN"], exclude: ["Golden"]),
        .testTarget(name: "WXGenerativeTests", dependencies: ["WXCore", "WXNN", "WXGenerative", "WXVerification"], exclude: ["Golden"]),
        .testTarget(name: "WXPipelinesTests", dependencies: ["WXCore", "WXIO", "WXVerification", "WXNN", "WXGenerative", "WXPipelines"], exclude: ["Golden"]),
    ]
)

// `WXENS_FUZZ=1 swift build -c release --product wxens-fuzz -Xswiftc -sanitize=fuzzer,address`: the libFuzzer target
// over the readers (README "Fuzzing"); absent from every other build.
if env["WXENS_FUZZ"] == "1" {
    package.products.append(.executable(name: "wxens-fuzz", targets: ["wxens-fuzz"]))
    package.targets.append(.executableTarget(name: "wxens-fuzz", dependencies: ["WXIO"], path: "scripts/fuzz/reader-fuzzer",
                                             swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
