import Foundation
import XCTest
import WXIO

/// CRC-32C (ISA-L) against RFC 3720's test vectors and a plain bitwise implementation.
final class CRC32CTests: XCTestCase {
    /// Bit by bit, reflected polynomial 0x82F63B78, as RFC 3720 appendix B.4 defines it.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    func testRFC3720Vectors() {
        var pdu = [UInt8](repeating: 0, count: 48)
        // The iSCSI Read (10) command PDU of RFC 3720 B.4.
        for (i, b) in [(0, 0x01), (1, 0xc0), (16, 0x14), (22, 0x04), (27, 0x14), (31, 0x18), (32, 0x28), (40, 0x02)] { pdu[i] = UInt8(b) }
        let vectors: [([UInt8], UInt32)] = [
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            ((0..<32).map { UInt8($0) }, 0x46DD_794E),
            ((0..<32).reversed().map { UInt8($0) }, 0x113F_DB5C),
            (pdu, 0xD996_3A56),
            (Array("123456789".utf8), 0xE306_9283),
            ([], 0),
        ]
        for (bytes, expected) in vectors {
            XCTAssertEqual(CRC32C.checksum(bytes), expected, "\(bytes.count) bytes")
            XCTAssertEqual(CRC32CTests.reference(bytes), expected, "reference, \(bytes.count) bytes")
        }
    }

    func testAgreesWithThePlainImplementationOnRandomLengthsAndOffsets() {
        var g = SystemRandomNumberGenerator()
        for n in [1, 3, 7, 8, 15, 16, 63, 64, 65, 255, 1000, 4099] {
            let bytes = (0..<(n + 3)).map { _ in UInt8.random(in: 0...255, using: &g) }
            for offset in 0..<3 {
                let got = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                XCTAssertEqual(got, CRC32CTests.reference(Array(bytes[offset..<(offset + n)])), "\(n) bytes at offset \(offset)")
            }
        }
    }
}
