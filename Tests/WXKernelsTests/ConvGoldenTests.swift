import Foundation
import XCTest
import WXCore
import WXKernels

/// The conv kernels against PyTorch's conv2d / conv_transpose2d and autograd
/// (goldens written by scripts/golden/make_conv_golden.py).
///
/// Tolerance: max |ours - torch| / max |torch| <= 1e-4 for outputs, 1e-3 for gradients.
final class ConvGoldenTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    struct Case {
        var name: String
        var stride: Int
        var padding: ConvPadding
        var transposed: Bool
        var outputPadding: Int
    }

    static func axis(_ mode: Substring, _ amount: Int) -> ConvAxisPadding? {
        switch mode {
        case "zeros": return .zeros(amount)
        case "circular": return .circular(amount)
        case "reflect": return .reflect(amount)
        case "replicate": return .replicate(amount)
        default: return nil
        }
    }

    func cases() throws -> [Case] {
        let path = Self.dir + "/conv_cases.txt"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no golden manifest at \(path)") }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: " ")
            guard f.count == 8, let s = Int(f[1]), let ph = Int(f[3]), let pw = Int(f[5]),
                  let h = Self.axis(f[2], ph), let w = Self.axis(f[4], pw), let op = Int(f[7]) else {
                throw NumpyArrayReader.Failure(path: path, reason: "bad manifest line \(line)")
            }
            return Case(name: String(f[0]), stride: s, padding: ConvPadding(height: h, width: w), transposed: f[6] == "1",
                        outputPadding: op)
        }
    }

    func load(_ c: Case, _ array: String) throws -> Tensor {
        try NumpyArrayReader.read(Self.dir + "/conv_\(c.name)_\(array).npy")
    }

    func check(_ ours: Tensor, _ theirs: Tensor, _ tol: Double, _ what: String) {
        XCTAssertEqual(ours.shape, theirs.shape, what)
        guard ours.shape == theirs.shape else { return }
        XCTAssertLessThan(relativeError(ours.array, theirs.array.map(Double.init)), tol, what)
    }

    func testConvMatchesPyTorch() throws {
        let all = try cases().filter { !$0.transposed }
        XCTAssertGreaterThanOrEqual(all.count, 10)
        for c in all {
            let (x, w, b, go) = (try load(c, "x"), try load(c, "w"), try load(c, "b"), try load(c, "go"))
            let y = try Conv2D.forward(x, weight: w, bias: b, stride: c.stride, padding: c.padding)
            check(y, try load(c, "y"), 1e-4, "\(c.name) forward")
            let gx = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: x.shape, stride: c.stride, padding: c.padding)
            check(gx, try load(c, "gx"), 1e-3, "\(c.name) grad input")
            let gw = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: w.shape, stride: c.stride, padding: c.padding)
            check(gw, try load(c, "gw"), 1e-3, "\(c.name) grad weight")
            check(try Conv2D.backwardBias(gradOutput: go), try load(c, "gb"), 1e-3, "\(c.name) grad bias")
        }
    }

    func testTransposedConvMatchesPyTorch() throws {
        let all = try cases().filter { $0.transposed }
        XCTAssertGreaterThanOrEqual(all.count, 2)
        for c in all {
            let (x, w, b, go) = (try load(c, "x"), try load(c, "w"), try load(c, "b"), try load(c, "go"))
            let p = c.padding.height.amount
            let y = try ConvTranspose2D.forward(x, weight: w, bias: b, stride: c.stride, padding: p, outputPadding: c.outputPadding)
            check(y, try load(c, "y"), 1e-4, "\(c.name) forward")
            check(try ConvTranspose2D.backwardData(gradOutput: go, weight: w, stride: c.stride, padding: p),
                  try load(c, "gx"), 1e-3, "\(c.name) grad input")
            check(try ConvTranspose2D.backwardWeight(gradOutput: go, input: x, weightShape: w.shape, stride: c.stride, padding: p),
                  try load(c, "gw"), 1e-3, "\(c.name) grad weight")
            check(try Conv2D.backwardBias(gradOutput: go), try load(c, "gb"), 1e-3, "\(c.name) grad bias")
        }
    }
}
