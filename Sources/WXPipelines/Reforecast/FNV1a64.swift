import Foundation

/// FNV-1a 64-bit hashes of bytes and files: the config hash of a plan and the checksum of a part file.
public struct FNV1a64: Sendable {
    /// The hash so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// A fresh hash.
    public init() {}

    /// Hashes more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        value = h
    }

    /// The hash as 16 lowercase hex digits.
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The hash of `data`.
    public static func hex(of data: Data) -> String {
        var h = FNV1a64()
        data.withUnsafeBytes { h.update($0) }
        return h.hex
    }

    /// The hash and length of a file, read 1 MiB at a time; nil when it cannot be read.
    public static func file(_ path: String) -> (hex: String, bytes: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var h = FNV1a64(), n = 0
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }
            n += chunk.count
            chunk.withUnsafeBytes { h.update($0) }
        }
        return (h.hex, n)
    }
}
