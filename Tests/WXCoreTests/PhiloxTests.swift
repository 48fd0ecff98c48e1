import XCTest
import WXCore

final class PhiloxTests: XCTestCase {
    /// Random123's known-answer vectors for philox4x32-10 (kat_vectors: zeros, all-ones, pi digits).
    func testKnownAnswers() {
        XCTAssertEqual(Philox.block(counter: .zero, key: .zero), SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        XCTAssertEqual(Philox.block(counter: SIMD4(repeating: .max), key: SIMD2(repeating: .max)),
                       SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
        XCTAssertEqual(Philox.block(counter: SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
                                    key: SIMD2(0xA409_3822, 0x299F_31D0)),
                       SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1))
    }

    /// A stream is the blocks of counters (0, 0, id), (1, 0, id), ... under the seed's key, word by word.
    func testStreamIsCounterMode() {
        var g = Philox(key: SIMD2(3, 4), stream: 0x0000_0009_0000_0008)
        let words = (0..<8).map { _ in g.next32() }
        let b0 = Philox.block(counter: SIMD4(0, 0, 8, 9), key: SIMD2(3, 4))
        let b1 = Philox.block(counter: SIMD4(1, 0, 8, 9), key: SIMD2(3, 4))
        XCTAssertEqual(words, [b0[0], b0[1], b0[2], b0[3], b1[0], b1[1], b1[2], b1[3]])
        XCTAssertEqual(g.block, 2)
    }

    /// Streams keyed alike repeat; any change of seed, purpose or index gives another stream.
    func testKeyedStreams() {
        var a = Philox(seed: 5, purpose: .sampling, index: [1, 2, 3])
        var b = Philox(seed: 5, purpose: .sampling, index: [1, 2, 3])
        XCTAssertEqual((0..<9).map { _ in a.next() }, (0..<9).map { _ in b.next() })
        let variants = [Philox(seed: 5, purpose: .sampling, index: [1, 2, 3]), Philox(seed: 6, purpose: .sampling, index: [1, 2, 3]),
                        Philox(seed: 5, purpose: .latent, index: [1, 2, 3]), Philox(seed: 5, purpose: .sampling, index: [1, 3, 2]),
                        Philox(seed: 5, purpose: .sampling, index: [1, 2])]
        let firsts = variants.map { v -> UInt64 in var g = v; return g.next() }
        XCTAssertEqual(Set(firsts).count, firsts.count)
    }

    /// Uniforms lie in [0, 1) with mean 1/2; normals have mean 0, variance 1 and the normal's tail mass.
    func testDistributions() {
        var g = Philox(seed: 1, purpose: .trainingNoise)
        let n = 200_000
        var sum = 0.0
        for _ in 0..<n {
            let u = g.nextUniform()
            XCTAssert(u >= 0 && u < 1)
            sum += u
        }
        XCTAssertEqual(sum / Double(n), 0.5, accuracy: 4 * (1.0 / 12 / Double(n)).squareRoot())
        var z = [Float](repeating: 0, count: n)
        z.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        let mean = z.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = z.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n - 1)
        XCTAssertEqual(mean, 0, accuracy: 4 / Double(n).squareRoot())
        XCTAssertEqual(variance, 1, accuracy: 4 * (2 / Double(n)).squareRoot())
        let tail = Double(z.filter { abs($0) > 1.959964 }.count) / Double(n)
        XCTAssertEqual(tail, 0.05, accuracy: 4 * (0.05 * 0.95 / Double(n)).squareRoot())
    }
}
