import XCTest
import WXCore
import WXKernels
import WXNN

/// `UNet.infer` gives the bits of the training forward's output, at any batch size and thread count.
final class UNetInferenceTests: XCTestCase {
    /// The diffusion denoiser's default U-Net (`wxens-bench nn`'s): 7 + 16 channels -> 7, [32, 64, 128], attention at
    /// the coarsest level and in the middle, two Fourier-embedded scalars.
    static let denoiserConfig = UNetConfig(
        inputChannels: 7, conditionChannels: 16, outputChannels: 7, channels: [32, 64, 128], resBlocks: 1,
        attentionLevels: [2], midAttention: true, attentionHeads: 4, groups: 8, embeddingWidth: 128,
        scalars: [ScalarFeatures(name: "noise", features: 32, minPeriod: 0.05, maxPeriod: 20),
                  ScalarFeatures(name: "lead", features: 4, minPeriod: 0.5, maxPeriod: 8)],
        padding: .globe, zeroInit: false)

    /// The embedded VAE's decoder (`data/models/fuxi-vae`): 16 + 4 channels -> 7, [32, 64, 96], mid attention, no embedding.
    static let vaeDecoderConfig = UNetConfig(
        inputChannels: 16, conditionChannels: 4, outputChannels: 7, channels: [32, 64, 96], resBlocks: 1,
        attentionLevels: [], midAttention: true, attentionHeads: 4, groups: 8, embeddingWidth: 0, scalars: [],
        padding: .globe, zeroInit: false)

    /// Checks infer == forward bit for bit for a batch of `n` on an h x w grid, at 1 and 2 threads.
    func checkSameBits(_ config: UNetConfig, batch n: Int, height h: Int, width w: Int, seed: UInt64,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let net = try UNet(config)
        var rng = SplitMix64(seed: seed)
        let p = randomized(net.initialParameters(&rng), seed: seed + 1, scale: 0.2)
        let x = randomTensor([n, config.inputChannels, h, w], seed: seed + 2)
        let cond = config.conditionChannels > 0 ? randomTensor([n, config.conditionChannels, h, w], seed: seed + 3) : nil
        let s = config.scalars.isEmpty ? nil : randomTensor([n, config.scalars.count], seed: seed + 4)
        let (y, _) = try net.forward(x, condition: cond, scalars: s, p)
        let weights = InferenceWeights()
        for threads in [1, 2] {
            // Without kept transforms, then twice with them (made by the first pass, found by the second).
            for w in [nil, weights, weights] {
                let z = try Parallel.withThreads(threads) { try net.infer(x, condition: cond, scalars: s, p, weights: w) }
                XCTAssertEqual(z.shape, y.shape, file: file, line: line)
                XCTAssertEqual(z.array.map(\.bitPattern), y.array.map(\.bitPattern),
                               "infer != forward, batch \(n), \(threads) thread(s), kept transforms \(w != nil)", file: file, line: line)
            }
        }
    }

    func testTinyUNetAcrossBatchSizes() throws {
        for padding in [GlobePadding.globe, .zeros] {
            for n in [1, 2, 3, 5] { try checkSameBits(tinyUNetConfig(padding: padding), batch: n, height: 4, width: 8, seed: 60) }
        }
    }

    func testDenoiserDefaultConfig() throws {
        try checkSameBits(Self.denoiserConfig, batch: 2, height: 48, width: 96, seed: 70)
    }

    func testVAEDecoderConfig() throws {
        for n in [1, 3] { try checkSameBits(Self.vaeDecoderConfig, batch: n, height: 48, width: 96, seed: 80) }
    }

    func testBadInputsThrow() throws {
        let net = try UNet(tinyUNetConfig())
        var rng = SplitMix64(seed: 5)
        let p = net.initialParameters(&rng)
        let s = Tensor(zeros: [1, 2])
        XCTAssertThrowsError(try net.infer(Tensor(zeros: [1, 3, 4, 8]), condition: Tensor(zeros: [1, 1, 4, 8]), scalars: s, p))
        XCTAssertThrowsError(try net.infer(Tensor(zeros: [1, 2, 4, 8]), condition: nil, scalars: s, p))
        XCTAssertThrowsError(try net.infer(Tensor(zeros: [1, 2, 4, 8]), condition: Tensor(zeros: [1, 1, 4, 8]), scalars: nil, p))
    }
}
