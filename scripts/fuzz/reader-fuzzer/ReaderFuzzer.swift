import Foundation
import WXIO

/// The libFuzzer target over the reader entry points: each input is written to a file and opened, walked and read
/// as `wxens inspect` does (open, groups, variables, attributes, every numeric variable one 2-D field at a time).
/// Typed errors are expected; a crash or hang is a finding. Built only with WXENS_FUZZ=1 (see README "Fuzzing").
let inputPath: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    // The extension picks the reader: WXENS_FUZZ_EXT=h5 fuzzes HDF5File, the default .nc NetCDFFile.
    return dir.appendingPathComponent("input." + (ProcessInfo.processInfo.environment["WXENS_FUZZ_EXT"] ?? "nc")).path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FileManager.default.createFile(atPath: inputPath, contents: Data(bytes: data, count: size))
    guard let file = try? GriddedFiles.open(inputPath) else { return 0 }
    for group in (try? file.groupPaths()) ?? [] {
        _ = try? file.attributes(ofGroup: group)
        _ = try? file.dimensions(inGroup: group)
        for v in (try? file.variables(inGroup: group)) ?? [] where v.dataType.isNumeric {
            _ = try? file.dimensionRoles(of: v)
            guard let r = try? DirectChunkReader<Double>(file: file, variable: v.path) else { continue }
            try? r.forEachPlane { _, _ in }
        }
    }
    return 0
}

/// libFuzzer's driver (LLVM 11 and later), called from the entry point SwiftPM gives an executable target.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands the arguments to libFuzzer.
@_cdecl("wxens_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
