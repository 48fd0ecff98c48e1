import XCTest
import WXCore
import WXKernels
import WXNN

/// Zero ("regional") padding: convolutions do not wrap longitude, and a grid whose sides are not multiples of
/// 2^(levels - 1) runs on a zero-extended canvas whose output is cropped back.
final class UNetRegionalTests: XCTestCase {
    /// Reference zero extension of [N, C, H, W] to [N, C, H2, W2] (new rows and columns after the last).
    private func extend(_ t: RefTensor, _ h2: Int, _ w2: Int) -> RefTensor {
        let n = t.shape[0] * t.shape[1], h = t.shape[2], w = t.shape[3]
        var v = [Double](repeating: 0, count: n * h2 * w2)
        for q in 0..<n { for i in 0..<h { for j in 0..<w { v[(q * h2 + i) * w2 + j] = t.v[(q * h + i) * w + j] } } }
        return RefTensor([t.shape[0], t.shape[1], h2, w2], v)
    }

    private func cropped(_ t: RefTensor, _ h: Int, _ w: Int) -> RefTensor {
        let n = t.shape[0] * t.shape[1], h2 = t.shape[2], w2 = t.shape[3]
        var v = [Double]()
        for q in 0..<n { for i in 0..<h { for j in 0..<w { v.append(t.v[(q * h2 + i) * w2 + j]) } } }
        return RefTensor([t.shape[0], t.shape[1], h, w], v)
    }

    /// An impulse in the easternmost column reaches the westernmost column through a globe-padded 3x3 convolution
    /// (longitude wraps) and not through a zero-padded one, in the forward pass and in the input gradient.
    func testZeroPaddedConvolutionDoesNotWrapLongitude() throws {
        let h = 4, w = 8
        var x = [Float](repeating: 0, count: h * w)
        x[1 * w + (w - 1)] = 1
        let input = Tensor(shape: [1, 1, h, w], values: x)
        for padding in [GlobePadding.globe, .zeros] {
            let net = try UNet(UNetConfig(inputChannels: 1, outputChannels: 1, channels: [2], resBlocks: 1, attentionLevels: [],
                                          midAttention: false, groups: 1, embeddingWidth: 0, scalars: [], padding: padding,
                                          zeroInit: false))
            let layer = net.convIn
            var rng = SplitMix64(seed: 1)
            var p = layer.initialParameters(&rng)
            (p.weight, p.bias) = (Tensor(shape: [2, 1, 3, 3], repeating: 1), Tensor(zeros: [2]))
            let (y, cache) = try layer.forward(input, p)
            let west = (0..<2).flatMap { c in (0..<h).map { i in y.array[(c * h + i) * w] } }
            let (gIn, _) = try layer.backward(Tensor(shape: y.shape, values: (0..<y.count).map { $0 % w == 0 ? 1 : 0 }), cache, p)
            let eastGradient = (0..<h).map { i in gIn!.array[i * w + w - 1] }
            if padding == .globe {
                XCTAssertGreaterThan(west.max()!, 0, "globe padding wraps the east edge onto the west edge")
                XCTAssertGreaterThan(eastGradient.max()!, 0)
            } else {
                XCTAssertEqual(west, [Float](repeating: 0, count: 2 * h), "zero padding: the east edge does not reach the west edge")
                XCTAssertEqual(eastGradient, [Float](repeating: 0, count: h), "nor does the west edge's gradient reach the east")
                XCTAssertEqual(layer.padding, ConvPadding(.zeros(1)))
            }
        }
    }

    /// A zero-padded two-level U-Net on a 5 x 7 grid equals the Double reference run on the grid extended with
    /// zeros to 6 x 8 and cropped back; every gradient (parameters and inputs) matches central differences.
    func testOddGridRunsOnAZeroExtendedCanvas() throws {
        let config = tinyUNetConfig(padding: .zeros)
        let net = try UNet(config)
        XCTAssertEqual(config.gridFit(height: 5, width: 7), UNetGridFit(height: 5, width: 7, levels: 2))
        XCTAssertEqual(config.gridFit(height: 5, width: 7).paddedHeight, 6)
        XCTAssertEqual(config.gridFit(height: 5, width: 7).paddedWidth, 8)
        var rng = SplitMix64(seed: 90)
        let p = randomized(net.initialParameters(&rng), seed: 91, scale: 0.4)
        let x = randomTensor([2, 2, 5, 7], seed: 92), cond = randomTensor([2, 1, 5, 7], seed: 93)
        let s = Tensor(shape: [2, 2], values: [0.5, 24, -1, 120])
        let (y, cache) = try net.forward(x, condition: cond, scalars: s, p)
        XCTAssertEqual(y.shape, [2, 2, 5, 7])
        let inferred = try net.infer(x, condition: cond, scalars: s, p)
        XCTAssertEqual(inferred.array.map(\.bitPattern), y.array.map(\.bitPattern), "infer == forward on the odd grid")
        var values = refValues(p)
        values["x"] = RefTensor(x)
        values["condition"] = RefTensor(cond)
        let ref = { (v: RefValues) in
            self.cropped(try Ref.unet(config, v, x: self.extend(v["x"]!, 6, 8), condition: self.extend(v["condition"]!, 6, 8),
                                      scalars: RefTensor(s)), 5, 7)
        }
        XCTAssertLessThan(relativeError(y.array.map(Double.init), try ref(values).v), 1e-5)
        let r = randomTensor(y.shape, seed: 94)
        let g = try net.backward(r, cache, p, inputGradient: true)
        XCTAssertEqual(g.input?.shape, [2, 2, 5, 7])
        var ours = Dictionary(uniqueKeysWithValues: g.parameters.named().map { ($0.name, $0.tensor) })
        ours["x"] = g.input
        ours["condition"] = g.condition
        try checkGradients("tiny U-Net on 5 x 7, zero padding", values: values, ours: ours, r: r.array.map(Double.init), reference: ref)
    }

    /// Globe padding still needs divisible sides; zero padding takes any size.
    func testOnlyGlobePaddingNeedsDivisibleSides() throws {
        XCTAssertThrowsError(try tinyUNetConfig(padding: .globe).validate(height: 33, width: 49)) { e in
            XCTAssertEqual(e as? ModelConfigError, .gridNotDivisible(height: 33, width: 49, levels: 2))
        }
        XCTAssertNoThrow(try tinyUNetConfig(padding: .zeros).validate(height: 33, width: 49))
        XCTAssertTrue(tinyUNetConfig(padding: .zeros).gridFit(height: 32, width: 48).isIdentity)
        XCTAssertTrue(tinyUNetConfig(padding: .globe).gridFit(height: 33, width: 49).isIdentity)
    }
}
