import CISAL

/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected, initial value and final XOR 0xFFFFFFFF; RFC 3720 appendix B.4),
/// the checksum of Zarr v3's `crc32c` codec, computed by ISA-L's `crc32_iscsi`.
public enum CRC32C {
    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        // ISA-L takes an Int32 length and neither pre- nor post-inverts: feed pieces, invert once.
        var crc: UInt32 = 0xFFFF_FFFF
        var left = bytes.count
        while left > 0 {
            let n = min(left, 1 << 30)
            crc = crc32_iscsi(UnsafeMutablePointer(mutating: p), Int32(n), crc)
            p += n
            left -= n
        }
        return ~crc
    }
}

extension CRC32C {
    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
