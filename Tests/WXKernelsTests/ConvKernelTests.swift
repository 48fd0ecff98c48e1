import XCTest
import WXCore
import WXKernels

/// The fast conv kernels against the Double reference on random shapes.
///
/// Tolerance: max |fast - reference| <= 1e-5 * max |reference| (float32 sums of up to ~2000 terms of O(1)).
final class ConvKernelTests: XCTestCase {
    struct Case {
        var n, cin, h, w, cout, k, stride: Int
        var padding: ConvPadding
    }

    static func cases() -> [Case] {
        var rng = SeededRandom(42)
        var out: [Case] = [
            Case(n: 1, cin: 1, h: 1, w: 1, cout: 1, k: 1, stride: 1, padding: .none),
            Case(n: 2, cin: 1, h: 1, w: 1, cout: 3, k: 3, stride: 1, padding: ConvPadding(.zeros(1))),
            Case(n: 1, cin: 3, h: 1, w: 1, cout: 2, k: 3, stride: 2, padding: ConvPadding(.replicate(1))),
            Case(n: 1, cin: 1, h: 5, w: 7, cout: 1, k: 3, stride: 1, padding: ConvPadding(.zeros(1))),
            Case(n: 2, cin: 5, h: 9, w: 33, cout: 13, k: 3, stride: 1,
                 padding: ConvPadding(height: .reflect(1), width: .circular(1))),
            Case(n: 1, cin: 70, h: 6, w: 20, cout: 7, k: 3, stride: 1, padding: ConvPadding(.zeros(1))),
            Case(n: 1, cin: 4, h: 8, w: 18, cout: 5, k: 1, stride: 2, padding: .none),
            Case(n: 2, cin: 3, h: 11, w: 19, cout: 6, k: 3, stride: 2,
                 padding: ConvPadding(height: .replicate(1), width: .circular(1))),
            Case(n: 1, cin: 2, h: 7, w: 9, cout: 3, k: 5, stride: 1, padding: ConvPadding(.reflect(2))),
        ]
        for _ in 0..<12 {
            let k = [1, 3, 3, 5][rng.int(0...3)]
            let p = k / 2
            let h = rng.int(max(1, p + 1)...13), w = rng.int(max(1, p + 1)...40)
            let ph = allAxisPaddings[rng.int(0...3)](p), pw = allAxisPaddings[rng.int(0...3)](p)
            out.append(Case(n: rng.int(1...3), cin: rng.int(1...9), h: h, w: w, cout: rng.int(1...14), k: k,
                            stride: rng.int(1...2), padding: ConvPadding(height: ph, width: pw)))
        }
        return out
    }

    func testForwardMatchesReference() throws {
        var rng = SeededRandom(1)
        for c in Self.cases() {
            let x = rng.tensor([c.n, c.cin, c.h, c.w]), w = rng.tensor([c.cout, c.cin, c.k, c.k]), b = rng.tensor([c.cout])
            let y = try Conv2D.forward(x, weight: w, bias: b, stride: c.stride, padding: c.padding)
            let r = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape,
                                                bias: b.doubles, stride: c.stride, padding: c.padding)
            XCTAssertLessThan(relativeError(y.array, r), 1e-5, "forward \(c)")
        }
    }

    func testForwardFusedActivation() throws {
        var rng = SeededRandom(2)
        let x = rng.tensor([2, 3, 6, 21]), w = rng.tensor([8, 3, 3, 3]), b = rng.tensor([8])
        let pad = ConvPadding(height: .reflect(1), width: .circular(1))
        let plain = try Conv2D.forward(x, weight: w, bias: b, padding: pad)
        for act in [ConvActivation.silu, .relu] {
            let fused = try Conv2D.forward(x, weight: w, bias: b, padding: pad, activation: act)
            let expected = plain.array.map { Double(act.apply($0)) }
            XCTAssertLessThan(relativeError(fused.array, expected), 1e-6, "\(act)")
        }
    }

    func testBackwardDataMatchesReference() throws {
        var rng = SeededRandom(3)
        for c in Self.cases() {
            let w = rng.tensor([c.cout, c.cin, c.k, c.k])
            let shape = [c.n, c.cin, c.h, c.w]
            let g = try ConvGeometry(inputShape: shape, weightShape: w.shape, stride: c.stride, padding: c.padding)
            let go = rng.tensor(g.outputShape)
            let gi = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: shape, stride: c.stride, padding: c.padding)
            let r = try Conv2DReference.backwardData(gradOutput: go.doubles, weight: w.doubles, weightShape: w.shape,
                                                     inputShape: shape, stride: c.stride, padding: c.padding)
            XCTAssertEqual(gi.shape, shape)
            XCTAssertLessThan(relativeError(gi.array, r), 1e-5, "backwardData \(c)")
        }
    }

    func testBackwardWeightAndBiasMatchReference() throws {
        var rng = SeededRandom(4)
        for c in Self.cases() {
            let x = rng.tensor([c.n, c.cin, c.h, c.w])
            let wShape = [c.cout, c.cin, c.k, c.k]
            let g = try ConvGeometry(inputShape: x.shape, weightShape: wShape, stride: c.stride, padding: c.padding)
            let go = rng.tensor(g.outputShape)
            let gw = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: wShape, stride: c.stride, padding: c.padding)
            let r = try Conv2DReference.backwardWeight(gradOutput: go.doubles, input: x.doubles, inputShape: x.shape,
                                                       weightShape: wShape, stride: c.stride, padding: c.padding)
            XCTAssertLessThan(relativeError(gw.array, r), 1e-5, "backwardWeight \(c)")
            let gb = try Conv2D.backwardBias(gradOutput: go)
            XCTAssertLessThan(relativeError(gb.array, Conv2DReference.backwardBias(gradOutput: go.doubles, outputShape: g.outputShape)),
                              1e-5, "backwardBias \(c)")
        }
    }

    /// Stride-1 weight gradients with 32- and 16-channel input blocks (chosen when they still give 8 pieces),
    /// including blocks evened out (40 -> 2 x 20) and a partial last output-channel chunk.
    func testWeightGradientWideChannelBlocks() throws {
        var rng = SeededRandom(6)
        let cases: [(n: Int, cin: Int, cout: Int, h: Int, w: Int, pad: ConvPadding)] = [
            (2, 64, 128, 5, 13, ConvPadding(height: .reflect(1), width: .circular(1))),
            (1, 40, 250, 3, 7, ConvPadding(.zeros(1))),
            (1, 64, 64, 6, 9, ConvPadding(.replicate(1))),
        ]
        for c in cases {
            let x = rng.tensor([c.n, c.cin, c.h, c.w])
            let wShape = [c.cout, c.cin, 3, 3]
            let g = try ConvGeometry(inputShape: x.shape, weightShape: wShape, stride: 1, padding: c.pad)
            let go = rng.tensor(g.outputShape)
            let gw = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: wShape, padding: c.pad)
            let r = try Conv2DReference.backwardWeight(gradOutput: go.doubles, input: x.doubles, inputShape: x.shape,
                                                       weightShape: wShape, stride: 1, padding: c.pad)
            XCTAssertLessThan(relativeError(gw.array, r), 1e-5, "backwardWeight \(c)")
        }
    }

    /// Weight gradients read in place (output width a multiple of 8, output channels of 4) at stride 1 and 2, over
    /// several row tiles and a partial last output-channel chunk, beside the copied layout (30 output channels) on the
    /// same grids.
    func testWeightGradientReadsTheOutputGradientInPlace() throws {
        var rng = SeededRandom(7)
        let globe = ConvPadding(height: .reflect(1), width: .circular(1))
        let cases: [(n: Int, cin: Int, cout: Int, h: Int, w: Int)] = [(2, 20, 36, 40, 96), (1, 12, 8, 5, 16), (2, 20, 30, 40, 96)]
        for stride in [1, 2] {
            for c in cases {
                let x = rng.tensor([c.n, c.cin, c.h, c.w])
                let wShape = [c.cout, c.cin, 3, 3]
                let g = try ConvGeometry(inputShape: x.shape, weightShape: wShape, stride: stride, padding: globe)
                let go = rng.tensor(g.outputShape)
                let gw = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: wShape, stride: stride, padding: globe)
                let r = try Conv2DReference.backwardWeight(gradOutput: go.doubles, input: x.doubles, inputShape: x.shape,
                                                           weightShape: wShape, stride: stride, padding: globe)
                XCTAssertLessThan(relativeError(gw.array, r), 1e-5, "backwardWeight stride \(stride) \(c)")
            }
        }
    }

    func testLargerChannelCountsSpanSeveralBlocks() throws {
        var rng = SeededRandom(5)
        let x = rng.tensor([1, 40, 9, 37]), w = rng.tensor([19, 40, 3, 3])
        let pad = ConvPadding(height: .replicate(1), width: .circular(1))
        let y = try Conv2D.forward(x, weight: w, padding: pad)
        let r = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape, padding: pad)
        XCTAssertLessThan(relativeError(y.array, r), 1e-5)
        let gw = try Conv2D.backwardWeight(gradOutput: y, input: x, weightShape: w.shape, padding: pad)
        let rw = try Conv2DReference.backwardWeight(gradOutput: y.doubles, input: x.doubles, inputShape: x.shape,
                                                    weightShape: w.shape, padding: pad)
        XCTAssertLessThan(relativeError(gw.array, rw), 1e-5)
    }

    func testTallImagesSpanSeveralTiles() throws {
        var rng = SeededRandom(6)
        for (shape, cout, stride) in [([1, 3, 70, 60], 5, 1), ([2, 3, 90, 20], 4, 2)] {
            let x = rng.tensor(shape), w = rng.tensor([cout, shape[1], 3, 3])
            let pad = ConvPadding(height: .reflect(1), width: .circular(1))
            let g = try ConvGeometry(inputShape: x.shape, weightShape: w.shape, stride: stride, padding: pad)
            let go = rng.tensor(g.outputShape)
            let y = try Conv2D.forward(x, weight: w, stride: stride, padding: pad)
            let ry = try Conv2DReference.forward(input: x.doubles, inputShape: x.shape, weight: w.doubles, weightShape: w.shape,
                                                 stride: stride, padding: pad)
            XCTAssertLessThan(relativeError(y.array, ry), 1e-5, "forward \(shape)")
            let gi = try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: x.shape, stride: stride, padding: pad)
            let rgi = try Conv2DReference.backwardData(gradOutput: go.doubles, weight: w.doubles, weightShape: w.shape,
                                                       inputShape: x.shape, stride: stride, padding: pad)
            XCTAssertLessThan(relativeError(gi.array, rgi), 1e-5, "backwardData \(shape)")
            let gw = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: w.shape, stride: stride, padding: pad)
            let rgw = try Conv2DReference.backwardWeight(gradOutput: go.doubles, input: x.doubles, inputShape: x.shape,
                                                         weightShape: w.shape, stride: stride, padding: pad)
            XCTAssertLessThan(relativeError(gw.array, rgw), 1e-5, "backwardWeight \(shape)")
        }
    }

    /// 64 and 22 output channels on 16-pixel blocks end in a 4-channel block (the 4x16 register block, written
    /// straight into the output); 40 input channels take two channel passes, so the second adds onto the first.
    func testFourChannelLastBlock() throws {
        var rng = SeededRandom(9)
        for (shape, cout) in [([2, 40, 6, 32], 64), ([1, 40, 5, 48], 22), ([1, 3, 4, 21], 10)] {
            let x = rng.tensor(shape), w = rng.tensor([cout, shape[1], 3, 3]), b = rng.tensor([cout])
            // The direct kernel: 40 -> 64 channels would otherwise run as Winograd.
            try checkForwardAndBackwardData(x, w, b, padding: ConvPadding(height: .reflect(1), width: .circular(1)),
                                            algorithm: .direct, rng: &rng, "\(shape) \(cout)")
        }
    }

    /// 32 channels on 24- and 48-pixel rows take the 4x24 register block; 12 channels on 32 pixels the 6x16 one.
    func testBothRegisterBlocks() throws {
        var rng = SeededRandom(8)
        for (shape, cout) in [([2, 7, 5, 24], 32), ([1, 5, 6, 48], 32), ([1, 6, 5, 50], 8), ([2, 5, 4, 32], 12)] {
            let x = rng.tensor(shape), w = rng.tensor([cout, shape[1], 3, 3]), b = rng.tensor([cout])
            for pad in [ConvPadding(.zeros(1)), ConvPadding(height: .replicate(1), width: .circular(1))] {
                try checkForwardAndBackwardData(x, w, b, padding: pad, algorithm: .direct, rng: &rng, "\(shape) \(cout) \(pad)")
            }
        }
    }
}
