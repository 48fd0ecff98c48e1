import XCTest
import WXCore

/// Asserts the tensor equals reference values to a relative error `tolerance` (scaled by the largest reference).
/// `scaleFloor` sets the smallest scale the error is measured against (for references that are zero by symmetry).
func assertClose(_ t: Tensor, _ reference: [Double], shape: [Int]? = nil, tolerance: Double, scaleFloor: Double = 1e-6,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "\(what): shape", file: file, line: line) }
    XCTAssertEqual(t.count, reference.count, "\(what): element count", file: file, line: line)
    guard t.count == reference.count else { return }
    // Largest |difference| over the output's scale, floored at 1e-6 so all-but-zero outputs compare absolutely.
    var maxDiff = 0.0, scale = scaleFloor
    for (x, y) in zip(t.array, reference) {
        maxDiff = max(maxDiff, abs(Double(x) - y))
        scale = max(scale, abs(y))
    }
    let e = maxDiff / scale
    XCTAssertLessThanOrEqual(e, tolerance, "\(what): relative error \(e)", file: file, line: line)
}

/// Asserts two tensors are the same bits.
func assertSameBits(_ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "\(what): shape", file: file, line: line)
    XCTAssertEqual(a.array.map(\.bitPattern), b.array.map(\.bitPattern), "\(what): bits differ", file: file, line: line)
}

extension SeededRandom {
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// A tensor of the shape with entries uniform in [lo, hi).
    mutating func tensor(_ shape: [Int], _ lo: Double, _ hi: Double) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(uniform(lo, hi)) })
    }
}
