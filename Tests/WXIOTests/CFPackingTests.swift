import Foundation
import XCTest
import WXIO

/// CF int16 packing against a plain reference (explicit round-half-to-even) and its edge cases.
final class CFPackingTests: XCTestCase {
    /// Reference: round((x - offset) / scale) with ties to even, written out by hand.
    private func referencePack(_ x: Double, _ p: CFPacking) -> Double {
        let q = (x - Double(p.addOffset)) / Double(p.scaleFactor)
        let f = q.rounded(.down)
        let d = q - f
        if d < 0.5 { return f }
        if d > 0.5 { return f + 1 }
        return f.truncatingRemainder(dividingBy: 2) == 0 ? f : f + 1
    }

    func testPackMatchesReferenceOnRandomValues() throws {
        let p = CFPacking(scaleFactor: 0.09375, addOffset: 255)
        var g = SystemRandomNumberGenerator()
        let xs: [Float] = (0..<5000).map { _ in Float.random(in: 200...320, using: &g) }
        var out = [Int16](repeating: 0, count: xs.count)
        try xs.withUnsafeBufferPointer { src in try out.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        for (x, q) in zip(xs, out) {
            XCTAssertEqual(Double(q), referencePack(Double(x), p), "x = \(x)")
            XCTAssertLessThanOrEqual(abs(p.unpack(q) - Double(x)), Double(p.scaleFactor) / 2 + 1e-9)
        }
    }

    func testTiesRoundToEven() throws {
        let p = CFPacking(scaleFactor: 0.5, addOffset: 0)
        let xs: [Double] = [0.25, 0.75, 1.25, 1.75, -0.25, -0.75, -1.25]
        var out = [Int16](repeating: 0, count: xs.count)
        try xs.withUnsafeBufferPointer { src in try out.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        XCTAssertEqual(out, [0, 2, 2, 4, 0, -2, -2])
    }

    func testNaNBecomesFillAndUnpacksToNaN() throws {
        let p = CFPacking(scaleFactor: 1, addOffset: 0)
        let xs: [Float] = [1, .nan, 3]
        var out = [Int16](repeating: 0, count: 3)
        try xs.withUnsafeBufferPointer { src in try out.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        XCTAssertEqual(out, [1, CFPacking.fillValue, 3])
        XCTAssertTrue(p.unpack(out[1]).isNaN)
    }

    func testOutOfRangeAndInfinityThrowWithTheirIndex() {
        let p = CFPacking(scaleFactor: 1, addOffset: 0)
        for (xs, index) in [([0, 32767, 32768] as [Double], 2), ([-32766, -32767], 1), ([5, .infinity], 1)] {
            var out = [Int16](repeating: 0, count: xs.count)
            XCTAssertThrowsError(try xs.withUnsafeBufferPointer { src in try out.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }) {
                guard let e = $0 as? CFPacking.OutOfRange else { return XCTFail("wrong error \($0)") }
                XCTAssertEqual(e.index, index)
                XCTAssertFalse(e.description.isEmpty)
            }
        }
    }

    func testFloatDoubleAndGenericPathsAgree() throws {
        let p = CFPacking(scaleFactor: 0.25, addOffset: -32)
        let halves: [Float16] = (0..<400).map { Float16(-40 + Double($0) * 0.3) } + [.nan]
        var a = [Int16](repeating: 0, count: halves.count), b = a, c = a
        try halves.withUnsafeBufferPointer { src in try a.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        let floats = halves.map(Float.init), doubles = halves.map(Double.init)
        try floats.withUnsafeBufferPointer { src in try b.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        try doubles.withUnsafeBufferPointer { src in try c.withUnsafeMutableBufferPointer { try p.pack(src, into: $0) } }
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
        for (x, q) in zip(doubles, c) where !x.isNaN { XCTAssertEqual(Double(q), referencePack(x, p)) }
        XCTAssertEqual(c.last, CFPacking.fillValue)
    }
}
