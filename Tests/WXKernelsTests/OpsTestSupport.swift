import Foundation
import XCTest
import WXCore

/// Loading of the PyTorch goldens written by scripts/golden/make_ops_golden.py, and finite differences.
enum OpsGolden {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    /// The array `name` of golden case `name`.
    static func load(_ testCase: String, _ name: String) throws -> Tensor {
        try NumpyArrayReader.read(dir + "/ops_\(testCase)_\(name).npy")
    }

    /// Asserts `ours` matches the golden array within `tolerance` relative to the golden's largest magnitude.
    static func check(_ ours: Tensor, _ testCase: String, _ name: String, tolerance: Double, scaleFloor: Double = 1e-6,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let theirs = try load(testCase, name)
        let shape = theirs.shape == [1] && ours.count == 1 ? ours.shape : theirs.shape
        assertClose(ours, theirs.doubles, shape: shape, tolerance: tolerance, scaleFloor: scaleFloor, "\(testCase) \(name) vs torch", file: file, line: line)
    }
}

/// Forward tolerance against references and torch.
let forwardTolerance = 1e-4
/// Gradient tolerance against finite differences and torch.
let gradientTolerance = 1e-3

/// Central-difference gradient of the scalar `f` at `x`, in Double.
func numericGradient(_ x: [Double], step: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var xs = x
    var g = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let v = xs[i]
        xs[i] = v + step
        let up = f(xs)
        xs[i] = v - step
        let down = f(xs)
        xs[i] = v
        g[i] = (up - down) / (2 * step)
    }
    return g
}

/// sum(a * b) in Double: the scalar whose gradient the backward passes compute for upstream gradient b.
func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for (x, y) in zip(a, b) { s += x * y }
    return s
}
