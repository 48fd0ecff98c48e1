import XCTest
import WXCore
import WXKernels
import WXNN

/// A tiny U-Net with every kind of block: two levels, attention at the coarse one and in the middle, a skip
/// convolution where widths change, conditioning channels and two embedded scalars.
func tinyUNetConfig(padding: GlobePadding = .globe) -> UNetConfig {
    UNetConfig(inputChannels: 2, conditionChannels: 1, outputChannels: 2, channels: [4, 6], resBlocks: 1,
               attentionLevels: [1], midAttention: true, attentionHeads: 2, groups: 2, embeddingWidth: 6,
               scalars: [ScalarFeatures(name: "noise", features: 4, minPeriod: 0.2, maxPeriod: 10),
                         ScalarFeatures(name: "lead", features: 2, minPeriod: 100, maxPeriod: 100)],
               padding: padding, zeroInit: false)
}

final class UNetGradientTests: XCTestCase {
    func testForwardMatchesReferenceAndEveryGradientMatchesFiniteDifferences() throws {
        for padding in [GlobePadding.globe, .zeros] {
            let config = tinyUNetConfig(padding: padding)
            let net = try UNet(config)
            var rng = SplitMix64(seed: 40)
            let p = randomized(net.initialParameters(&rng), seed: 41, scale: 0.4)
            let x = randomTensor([2, 2, 4, 8], seed: 42), cond = randomTensor([2, 1, 4, 8], seed: 43)
            let s = Tensor(shape: [2, 2], values: [0.5, 24, -1, 120])
            let (y, cache) = try net.forward(x, condition: cond, scalars: s, p)
            XCTAssertEqual(y.shape, [2, 2, 4, 8])
            var values = refValues(p)
            values["x"] = RefTensor(x)
            values["condition"] = RefTensor(cond)
            let ref = { (v: RefValues) in try Ref.unet(config, v, x: v["x"]!, condition: v["condition"]!, scalars: RefTensor(s)) }
            let e = relativeError(y.array.map(Double.init), try ref(values).v)
            XCTAssertLessThan(e, 1e-5, "U-Net forward against the Double reference (\(padding))")
            let r = randomTensor(y.shape, seed: 44)
            let g = try net.backward(r, cache, p, inputGradient: true)
            var ours = Dictionary(uniqueKeysWithValues: g.parameters.named().map { ($0.name, $0.tensor) })
            ours["x"] = g.input
            ours["condition"] = g.condition
            XCTAssertEqual(Set(g.parameters.named().map(\.name)), Set(p.named().map(\.name)))
            try checkGradients("tiny U-Net (\(padding))", values: values, ours: ours, r: r.array.map(Double.init), reference: ref)
        }
    }

    /// Names follow the PyTorch module's state_dict; a few are pinned here.
    func testParameterNames() throws {
        let net = try UNet(tinyUNetConfig())
        var rng = SplitMix64(seed: 1)
        let names = net.initialParameters(&rng).named().map(\.name)
        for n in ["embed.mlp1.weight", "conv_in.weight", "down.0.res.0.norm1.weight", "down.0.res.0.emb.bias",
                  "down.0.downsample.weight", "down.1.res.0.skip.weight", "down.1.attn.0.q.weight", "mid.res.0.conv2.bias",
                  "mid.attn.proj.weight", "mid.res.1.norm2.bias", "up.1.res.1.skip.weight", "up.1.attn.1.norm.weight",
                  "up.1.upsample.conv.weight", "up.0.res.0.conv1.weight", "norm_out.weight", "conv_out.bias"] {
            XCTAssertTrue(names.contains(n), "missing \(n)")
        }
        XCTAssertEqual(Set(names).count, names.count, "names are unique")
        XCTAssertFalse(names.contains("down.1.downsample.weight"), "the coarsest level does not downsample")
    }

    /// The cache holds what the backward pass needs and grows linearly with the batch.
    func testActivationMemoryIsLinearInBatch() throws {
        let net = try UNet(tinyUNetConfig())
        var rng = SplitMix64(seed: 2)
        let p = net.initialParameters(&rng)
        func bytes(_ n: Int) throws -> Int {
            let (_, cache) = try net.forward(randomTensor([n, 2, 8, 16], seed: 3), condition: randomTensor([n, 1, 8, 16], seed: 4),
                                             scalars: Tensor(zeros: [n, 2]), p)
            return cache.bytes
        }
        let one = try bytes(1)
        XCTAssertGreaterThan(one, 0)
        XCTAssertEqual(try bytes(3), 3 * one)
    }

    func testBadInputsThrow() throws {
        let net = try UNet(tinyUNetConfig())
        var rng = SplitMix64(seed: 5)
        let p = net.initialParameters(&rng)
        let s = Tensor(zeros: [1, 2])
        XCTAssertThrowsError(try net.forward(Tensor(zeros: [1, 3, 4, 8]), condition: Tensor(zeros: [1, 1, 4, 8]), scalars: s, p))
        XCTAssertThrowsError(try net.forward(Tensor(zeros: [1, 2, 4, 8]), condition: nil, scalars: s, p))
        XCTAssertThrowsError(try net.forward(Tensor(zeros: [1, 2, 4, 8]), condition: Tensor(zeros: [1, 1, 4, 8]), scalars: nil, p))
        XCTAssertThrowsError(try net.forward(Tensor(zeros: [1, 2, 5, 8]), condition: Tensor(zeros: [1, 1, 5, 8]), scalars: s, p)) { e in
            XCTAssertEqual(e as? ModelConfigError, .gridNotDivisible(height: 5, width: 8, levels: 2))
        }
    }
}
