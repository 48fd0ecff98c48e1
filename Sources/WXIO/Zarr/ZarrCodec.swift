import CBlosc
import CZlib
import CZstd
import Foundation

/// A bytes-to-bytes Zarr codec wxens decodes, each through its maintained library: c-blosc, zstd, zlib.
enum ZarrCodec: Equatable, Sendable {
    /// c-blosc (any of its internal compressors); numcodecs `blosc`, Zarr v3 `blosc`.
    case blosc
    /// A zstd frame; numcodecs `zstd`, Zarr v3 `zstd`.
    case zstd
    /// A zlib stream (RFC 1950); numcodecs `zlib`.
    case zlib
    /// A gzip member (RFC 1952); numcodecs `gzip`, Zarr v3 `gzip`.
    case gzip
    /// Zarr v3 `crc32c`: the data followed by its CRC-32C, 4 bytes little-endian; verified, then removed.
    case crc32c

    /// The codec a v2 compressor `id` or v3 codec `name` names, or nil when wxens does not decode it.
    init?(name: String) {
        switch name.lowercased() {
        case "blosc", "numcodecs.blosc": self = .blosc
        case "zstd", "numcodecs.zstd": self = .zstd
        case "zlib", "numcodecs.zlib": self = .zlib
        case "gzip", "numcodecs.gzip": self = .gzip
        case "crc32c", "numcodecs.crc32c": self = .crc32c
        default: return nil
        }
    }

    /// Why decoding failed (the caller names the store, variable and chunk).
    struct Failure: Error { let detail: String }

    /// A `crc32c` checksum that does not match the data it follows.
    struct ChecksumMismatch: Error { let stored: UInt32; let computed: UInt32 }

    /// The data of a `crc32c`-encoded buffer (all but its last 4 bytes) once its checksum is verified.
    static func verifiedPayload(_ src: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard src.count >= 4, let base = src.baseAddress else {
            throw Failure(detail: "crc32c: \(src.count) bytes, fewer than the 4 of the checksum")
        }
        let data = UnsafeRawBufferPointer(start: base, count: src.count - 4)
        let stored = UInt32(littleEndian: (base + data.count).loadUnaligned(as: UInt32.self))
        let computed = CRC32C.checksum(data)
        guard stored == computed else { throw ChecksumMismatch(stored: stored, computed: computed) }
        return data
    }

    /// Decodes `src` into exactly `expected` bytes at `dst`.
    func decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawPointer, expected: Int) throws {
        switch self {
        case .blosc:
            var nbytes = 0
            guard src.count >= 16, blosc_cbuffer_validate(src.baseAddress, src.count, &nbytes) == 0 else {
                throw Failure(detail: "not a valid blosc buffer of \(src.count) bytes")
            }
            guard nbytes == expected else { throw Failure(detail: "blosc holds \(nbytes) bytes, the chunk needs \(expected)") }
            let got = blosc_decompress_ctx(src.baseAddress, dst, expected, 1)
            guard Int(got) == expected else { throw Failure(detail: "blosc_decompress_ctx returned \(got)") }
        case .zstd:
            let size = ZSTD_getFrameContentSize(src.baseAddress, src.count)
            if size == ZSTD_CONTENTSIZE_ERROR { throw Failure(detail: "not a zstd frame") }
            if size != ZSTD_CONTENTSIZE_UNKNOWN && size != UInt64(expected) {
                throw Failure(detail: "the zstd frame holds \(size) bytes, the chunk needs \(expected)")
            }
            let got = ZSTD_decompress(dst, expected, src.baseAddress, src.count)
            if ZSTD_isError(got) != 0 { throw Failure(detail: "zstd: \(String(cString: ZSTD_getErrorName(got)))") }
            guard got == expected else { throw Failure(detail: "zstd gave \(got) bytes, the chunk needs \(expected)") }
        case .zlib, .gzip:
            try ZarrCodec.inflate(src, into: dst, expected: expected, windowBits: self == .zlib ? 15 : 31)
        case .crc32c:
            guard src.count == expected + 4 else { throw Failure(detail: "crc32c: \(src.count) bytes, expected \(expected) + 4") }
            let data = try ZarrCodec.verifiedPayload(src)
            if expected > 0 { dst.copyMemory(from: data.baseAddress!, byteCount: expected) }
        }
    }

    /// The decoded length of `src` when an outer codec's output feeds another codec, from the format's own header
    /// (blosc, zstd), by inflating (zlib, gzip) or by the checksum's size (crc32c).
    func decode(_ src: UnsafeRawBufferPointer) throws -> [UInt8] {
        let size: Int
        switch self {
        case .blosc:
            var nbytes = 0
            guard src.count >= 16, blosc_cbuffer_validate(src.baseAddress, src.count, &nbytes) == 0 else {
                throw Failure(detail: "not a valid blosc buffer of \(src.count) bytes")
            }
            size = nbytes
        case .zstd:
            let s = ZSTD_getFrameContentSize(src.baseAddress, src.count)
            guard s != ZSTD_CONTENTSIZE_ERROR, s != ZSTD_CONTENTSIZE_UNKNOWN, s <= UInt64(Int.max) else {
                throw Failure(detail: "a zstd frame inside another codec must state its size")
            }
            size = Int(s)
        case .crc32c:
            guard src.count >= 4 else { throw Failure(detail: "crc32c: \(src.count) bytes, fewer than the 4 of the checksum") }
            size = src.count - 4
        case .zlib, .gzip:
            return try ZarrCodec.inflateAll(src, windowBits: self == .zlib ? 15 : 31)
        }
        guard size <= ReadMemoryCap.bytes else { throw Failure(detail: "declares \(size) decoded bytes, over the read cap") }
        var out = [UInt8](repeating: 0, count: size)
        try out.withUnsafeMutableBytes { try decode(src, into: $0.baseAddress!, expected: size) }
        return out
    }

    private static func inflate(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawPointer, expected: Int, windowBits: Int32) throws {
        var s = z_stream()
        guard inflateInit2_(&s, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(detail: "inflateInit2 failed")
        }
        defer { inflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
        s.avail_in = uInt(src.count)
        s.next_out = dst.assumingMemoryBound(to: Bytef.self)
        s.avail_out = uInt(expected)
        let r = CZlib.inflate(&s, Z_FINISH)
        guard r == Z_STREAM_END, Int(s.total_out) == expected else {
            throw Failure(detail: r == Z_STREAM_END ? "inflated to \(s.total_out) bytes, the chunk needs \(expected)"
                                                    : "inflate: \(s.msg.map { String(cString: $0) } ?? "error \(r)")")
        }
    }

    private static func inflateAll(_ src: UnsafeRawBufferPointer, windowBits: Int32) throws -> [UInt8] {
        var s = z_stream()
        guard inflateInit2_(&s, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(detail: "inflateInit2 failed")
        }
        defer { inflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
        s.avail_in = uInt(src.count)
        var out: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let r: Int32 = block.withUnsafeMutableBufferPointer { b in
                s.next_out = b.baseAddress
                s.avail_out = uInt(b.count)
                return CZlib.inflate(&s, Z_NO_FLUSH)
            }
            out += block.prefix(block.count - Int(s.avail_out))
            if r == Z_STREAM_END { return out }
            guard r == Z_OK else { throw Failure(detail: "inflate: \(s.msg.map { String(cString: $0) } ?? "error \(r)")") }
            guard out.count <= ReadMemoryCap.bytes else { throw Failure(detail: "inflates past the read cap") }
        }
    }
}
