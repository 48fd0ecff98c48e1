import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which library inflates zlib-compressed chunks on the direct-chunk path.
public enum InflateBackend: String, Sendable, CaseIterable {
    /// zlib's `uncompress` (always available; HDF5 itself uses zlib).
    case zlib
    /// libdeflate's whole-buffer `libdeflate_zlib_decompress` (about twice zlib's speed), when the system has
    /// libdeflate.so.0 (Debian libdeflate0); loaded at run time, so it is never a build dependency.
    case libdeflate

    /// libdeflate when it can be loaded, else zlib.
    public static var best: InflateBackend { Libdeflate.shared != nil ? .libdeflate : .zlib }

    /// True when this backend can be used on this machine.
    public var isAvailable: Bool { self == .zlib || Libdeflate.shared != nil }

    /// Library name and version, for benchmark reports.
    public var versionDescription: String {
        switch self {
        case .zlib: return "zlib \(String(cString: zlibVersion()))"
        case .libdeflate: return "libdeflate (libdeflate.so.0)"
        }
    }
}

/// libdeflate's decompression entry points, looked up with dlopen/dlsym.
struct Libdeflate: @unchecked Sendable {
    typealias Alloc = @convention(c) () -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    typealias ZlibDecompress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int,
                                               UnsafeMutablePointer<Int>?) -> Int32
    let alloc: Alloc
    let free: Free
    let zlibDecompress: ZlibDecompress

    static let shared: Libdeflate? = {
        guard let h = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL),
              let a = dlsym(h, "libdeflate_alloc_decompressor"),
              let f = dlsym(h, "libdeflate_free_decompressor"),
              let z = dlsym(h, "libdeflate_zlib_decompress") else { return nil }
        return Libdeflate(alloc: unsafeBitCast(a, to: Alloc.self), free: unsafeBitCast(f, to: Free.self),
                          zlibDecompress: unsafeBitCast(z, to: ZlibDecompress.self))
    }()
}

/// One worker's zlib-stream inflater (not shared between threads).
final class Inflater {
    let backend: InflateBackend
    private let lib: Libdeflate?
    private let decompressor: OpaquePointer?

    init(_ backend: InflateBackend) {
        let lib = backend == .libdeflate ? Libdeflate.shared : nil
        let d = lib?.alloc()
        self.lib = d == nil ? nil : lib
        self.decompressor = d
        self.backend = d == nil ? .zlib : backend
    }

    deinit { if let d = decompressor { lib?.free(d) } }

    /// Inflates a whole zlib stream into exactly `expected` bytes; false on any error or other length.
    func inflate(_ src: UnsafeRawPointer, _ srcCount: Int, into dst: UnsafeMutableRawPointer, expected: Int) -> Bool {
        if let lib, let d = decompressor {
            var actual = 0
            return lib.zlibDecompress(d, src, srcCount, dst, expected, &actual) == 0 && actual == expected
        }
        var destLen = uLongf(expected)
        let z = uncompress(dst.assumingMemoryBound(to: Bytef.self), &destLen, src.assumingMemoryBound(to: Bytef.self), uLong(srcCount))
        return z == Z_OK && Int(destLen) == expected
    }
}
