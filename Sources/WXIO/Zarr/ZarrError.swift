/// Why a Zarr store could not be listed or read; every case names the store, and the variable or metadata file.
public enum ZarrError: Error, Equatable, CustomStringConvertible {
    /// A metadata document (`.zarray`, `.zattrs`, `.zgroup`, `.zmetadata`, `zarr.json`) is not valid JSON or lacks a field.
    case invalidMetadata(store: String, file: String, detail: String)
    /// A variable is compressed or filtered with a codec wxens does not decode.
    case unsupportedCodec(store: String, variable: String, codec: String)
    /// A chunk file exists but does not decode to the chunk's size.
    case corruptChunk(store: String, variable: String, chunk: String, detail: String)
    /// A chunk's `crc32c` checksum does not match its data.
    case checksumMismatch(store: String, variable: String, chunk: String, stored: UInt32, computed: UInt32)
    /// Two arrays of a group give one dimension name different lengths.
    case inconsistentDimension(store: String, dimension: String, detail: String)

    /// The store the error is about.
    public var store: String {
        switch self {
        case .invalidMetadata(let s, _, _), .unsupportedCodec(let s, _, _), .corruptChunk(let s, _, _, _),
             .checksumMismatch(let s, _, _, _, _), .inconsistentDimension(let s, _, _):
            return s
        }
    }

    /// The message without the leading store path, for callers that name the store themselves.
    public var detail: String {
        let d = description
        return d.hasPrefix(store + ": ") ? String(d.dropFirst(store.count + 2)) : d
    }

    public var description: String {
        switch self {
        case .invalidMetadata(let s, let f, let d): return "\(s): Zarr metadata \(f): \(d)"
        case .unsupportedCodec(let s, let v, let c):
            return "\(s): variable \"\(v)\": Zarr codec \"\(c)\" is not supported (blosc, zstd, zlib, gzip, crc32c and bytes are)"
        case .corruptChunk(let s, let v, let c, let d): return "\(s): variable \"\(v)\": chunk \(c) is corrupt (\(d))"
        case .checksumMismatch(let s, let v, let c, let stored, let computed):
            return "\(s): variable \"\(v)\": chunk \(c) fails its crc32c check (stored \(hex(stored)), computed \(hex(computed)))"
        case .inconsistentDimension(let s, let dim, let d): return "\(s): dimension \"\(dim)\" has conflicting lengths (\(d))"
        }
    }

    private func hex(_ x: UInt32) -> String {
        let h = String(x, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - h.count) + h
    }
}
