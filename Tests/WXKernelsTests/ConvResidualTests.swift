import XCTest
import WXCore
import WXKernels

/// The residual added in the convolution's epilogue gives the bits of the output plus the residual added after it.
final class ConvResidualTests: XCTestCase {
    func testResidualEpilogueEqualsAddAfterward() throws {
        var rng = SeededRandom(77)
        // Winograd (3x3 stride 1, >= 32 channels; a partial tile block and tile row), the direct kernel (stride 2,
        // few channels, a row tail of at most 8 pixels), and activations.
        let cases: [(n: Int, cin: Int, cout: Int, h: Int, w: Int, stride: Int, act: ConvActivation)] = [
            (2, 32, 37, 7, 35, 1, .none), (1, 40, 32, 48, 96, 1, .silu), (2, 8, 13, 9, 21, 1, .none),
            (1, 16, 7, 12, 24, 2, .relu), (3, 23, 32, 6, 40, 1, .none),
        ]
        let padding = ConvPadding(height: .reflect(1), width: .circular(1))
        for c in cases {
            let x = rng.tensor([c.n, c.cin, c.h, c.w]), w = rng.tensor([c.cout, c.cin, 3, 3]), b = rng.tensor([c.cout])
            for algorithm in [ConvAlgorithm.automatic, .direct] {
                let y = try Conv2D.forward(x, weight: w, bias: b, stride: c.stride, padding: padding, activation: c.act, algorithm: algorithm)
                let r = rng.tensor(y.shape)
                let fused = try Conv2D.forward(x, weight: w, bias: b, stride: c.stride, padding: padding, activation: c.act,
                                               algorithm: algorithm, residual: r)
                XCTAssertEqual(fused.array.map(\.bitPattern), try Elementwise.add(y, r).array.map(\.bitPattern), "\(c) \(algorithm)")
            }
        }
    }

    func testResidualOfAnotherShapeThrows() throws {
        let x = Tensor(zeros: [1, 2, 4, 4]), w = Tensor(zeros: [3, 2, 3, 3])
        XCTAssertThrowsError(try Conv2D.forward(x, weight: w, padding: ConvPadding(.zeros(1)), residual: Tensor(zeros: [1, 2, 4, 4])))
    }
}
