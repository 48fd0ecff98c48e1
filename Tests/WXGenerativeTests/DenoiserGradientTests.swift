import XCTest
import WXCore
import WXNN
import WXGenerative

/// The preconditioned denoiser and the EDM loss: gradients against central finite differences in the loss.
final class DenoiserGradientTests: XCTestCase {
    func testGradientsMatchFiniteDifferences() throws {
        let config = UNetConfig(inputChannels: 2, conditionChannels: 3, outputChannels: 2, channels: [4, 6], resBlocks: 1,
                                attentionLevels: [1], midAttention: true, attentionHeads: 1, groups: 2, embeddingWidth: 8,
                                scalars: [ScalarFeatures(name: "noise", features: 4, minPeriod: 0.1, maxPeriod: 10),
                                          ScalarFeatures(name: "lead", features: 2, minPeriod: 0.5, maxPeriod: 8)],
                                padding: .globe, zeroInit: false)
        let d = Denoiser(net: try UNet(config), preconditioning: EDMPreconditioning(sigmaData: 1))
        var rng = Philox(seed: 2, purpose: .initialization)
        let p = d.net.initialParameters(&rng)
        func tensor(_ shape: [Int], _ i: UInt64) -> Tensor {
            var g = Philox(seed: 3, purpose: .trainingNoise, index: [i])
            var t = Tensor(zeros: shape)
            t.withUnsafeMutableBufferPointer { g.fillNormal($0) }
            return t
        }
        let x = tensor([2, 2, 4, 8], 1), c = tensor([2, 3, 4, 8], 2), y = tensor([2, 2, 4, 8], 3)
        let sigma = [0.3, 2.5], lead = [0.2, 1.0], rows = [0.3, 0.9, 0.9, 0.3]
        func loss(_ q: UNet.Parameters) throws -> Double {
            let (out, _) = try d.forward(x, sigma: sigma, condition: c, leadHours: lead, q)
            return DenoisingLoss.evaluate(denoised: out, target: y, sigma: sigma, rowWeights: rows, preconditioning: d.preconditioning).loss
        }
        let (out, cache) = try d.forward(x, sigma: sigma, condition: c, leadHours: lead, p)
        let (_, gD) = DenoisingLoss.evaluate(denoised: out, target: y, sigma: sigma, rowWeights: rows, preconditioning: d.preconditioning)
        let grads = Dictionary(uniqueKeysWithValues: try d.backward(gD, cache, p).named().map { ($0.name, $0.tensor) })
        var checked = 0
        for (name, t) in p.named() {
            let g = grads[name]!
            // The element with the largest gradient of each tensor: FD error (float32 forward) is small next to it.
            let k = g.array.indices.max { abs(g.array[$0]) < abs(g.array[$1]) }!
            guard abs(g.array[k]) > 1e-3 else { continue }
            let h: Float = 1e-2 * max(1, abs(t.array[k]))
            func shifted(_ delta: Float) throws -> Double {
                var q = p
                q.visit("") { n, u in if n == name { u.withUnsafeMutableBufferPointer { $0[k] += delta } } }
                return try loss(q)
            }
            let fd = (try shifted(h) - shifted(-h)) / Double(2 * h)
            XCTAssertEqual(fd, Double(g.array[k]), accuracy: 0.02 * abs(Double(g.array[k])) + 2e-4, "\(name)[\(k)]")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }
}
