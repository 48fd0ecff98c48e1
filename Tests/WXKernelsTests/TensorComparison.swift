import XCTest
import WXCore

/// Largest |a - b| relative to the largest |b| (with a floor of 1e-6), the error measure the tests use.
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) values")
    var maxDiff = 0.0, maxRef = 1e-6
    for (x, y) in zip(a, b) {
        maxDiff = max(maxDiff, abs(Double(x) - y))
        maxRef = max(maxRef, abs(y))
    }
    return maxDiff / maxRef
}

/// Asserts the tensor equals reference values to a relative error `tolerance` (scaled by the largest reference).
func assertClose(_ t: Tensor, _ reference: [Double], shape: [Int]? = nil, tolerance: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "\(what): shape", file: file, line: line) }
    XCTAssertEqual(t.count, reference.count, "\(what): element count", file: file, line: line)
    guard t.count == reference.count else { return }
    let e = relativeError(t.array, reference)
    XCTAssertLessThanOrEqual(e, tolerance, "\(what): relative error \(e)", file: file, line: line)
}

/// Asserts two tensors are the same bits.
func assertSameBits(_ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "\(what): shape", file: file, line: line)
    XCTAssertEqual(a.array.map(\.bitPattern), b.array.map(\.bitPattern), "\(what): bits differ", file: file, line: line)
}

extension Tensor {
    /// The elements widened to Double.
    var doubles: [Double] { array.map(Double.init) }
}
