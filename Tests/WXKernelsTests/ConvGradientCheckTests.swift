import XCTest
import WXCore
import WXKernels

/// Central finite differences in Double of the reference forward check the reference backward passes.
///
/// L(x, w, b) = sum(forward(x, w, b) * R) is linear in each argument, so the central difference
/// (L(+eps) - L(-eps)) / (2 eps) equals the derivative up to rounding: tolerance 1e-8 relative.
final class ConvGradientCheckTests: XCTestCase {
    func loss(_ x: [Double], _ xs: [Int], _ w: [Double], _ ws: [Int], _ b: [Double], _ r: [Double],
              _ stride: Int, _ pad: ConvPadding) throws -> Double {
        let y = try Conv2DReference.forward(input: x, inputShape: xs, weight: w, weightShape: ws, bias: b, stride: stride, padding: pad)
        return zip(y, r).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func testReferenceBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(7)
        let eps = 1e-3
        var configs: [(Int, ConvPadding)] = []
        for s in [1, 2] {
            for ph in allAxisPaddings { for pw in allAxisPaddings { configs.append((s, ConvPadding(height: ph(1), width: pw(1)))) } }
        }
        for (stride, pad) in configs {
            let xs = [2, 2, 4, 5], ws = [3, 2, 3, 3]
            let x = (0..<xs.reduce(1, *)).map { _ in Double(rng.uniform()) }
            let w = (0..<ws.reduce(1, *)).map { _ in Double(rng.uniform()) }
            let b = (0..<3).map { _ in Double(rng.uniform()) }
            let g = try ConvGeometry(inputShape: xs, weightShape: ws, stride: stride, padding: pad)
            let r = (0..<g.outputShape.reduce(1, *)).map { _ in Double(rng.uniform()) }
            let gx = try Conv2DReference.backwardData(gradOutput: r, weight: w, weightShape: ws, inputShape: xs, stride: stride, padding: pad)
            let gw = try Conv2DReference.backwardWeight(gradOutput: r, input: x, inputShape: xs, weightShape: ws, stride: stride, padding: pad)
            let gb = Conv2DReference.backwardBias(gradOutput: r, outputShape: g.outputShape)
            for i in 0..<x.count {
                var p = x, m = x
                p[i] += eps; m[i] -= eps
                let fd = (try loss(p, xs, w, ws, b, r, stride, pad) - loss(m, xs, w, ws, b, r, stride, pad)) / (2 * eps)
                XCTAssertEqual(gx[i], fd, accuracy: 1e-8 * max(1, abs(fd)), "grad input \(i) stride \(stride) \(pad)")
            }
            for i in 0..<w.count {
                var p = w, m = w
                p[i] += eps; m[i] -= eps
                let fd = (try loss(x, xs, p, ws, b, r, stride, pad) - loss(x, xs, m, ws, b, r, stride, pad)) / (2 * eps)
                XCTAssertEqual(gw[i], fd, accuracy: 1e-8 * max(1, abs(fd)), "grad weight \(i) stride \(stride) \(pad)")
            }
            for i in 0..<b.count {
                var p = b, m = b
                p[i] += eps; m[i] -= eps
                let fd = (try loss(x, xs, w, ws, p, r, stride, pad) - loss(x, xs, w, ws, m, r, stride, pad)) / (2 * eps)
                XCTAssertEqual(gb[i], fd, accuracy: 1e-8 * max(1, abs(fd)), "grad bias \(i) stride \(stride) \(pad)")
            }
        }
    }
}
