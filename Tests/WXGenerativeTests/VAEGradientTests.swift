import XCTest
import WXCore
import WXNN
import WXGenerative

/// The VAE's training pass (prior, posterior, reparameterised draws, decoder) and its loss: parameter gradients
/// against central finite differences of the loss, for members drawn from either latent distribution.
final class VAEGradientTests: XCTestCase {
    static func smallConfig(variables v: Int = 2, latent z: Int = 2, h: Int = 4, w: Int = 8,
                            forcings: [VAEForcing] = []) -> VAEConfig {
        let a = 2 * v + VAEConfig.staticChannels + forcings.reduce(0) { $0 + $1.channels }
        func net(_ cond: Int, _ out: Int) -> UNetConfig {
            UNetConfig(inputChannels: a, conditionChannels: cond, outputChannels: out, channels: [4, 6], resBlocks: 1,
                       attentionLevels: [], midAttention: true, attentionHeads: 1, groups: 2, embeddingWidth: 0,
                       scalars: [], padding: .globe, zeroInit: false)
        }
        let lats = (0..<h).map { -60 + 120 * Double($0) / Double(h - 1) }, lons = (0..<w).map { 360 * Double($0) / Double(w) }
        return VAEConfig(variables: (0..<v).map { "v\($0)" }, latitudes: lats, longitudes: lons, stepHours: 6,
                         latentChannels: z, logVarianceLimit: 3, prior: net(0, 2 * z), posterior: net(v, 2 * z), decoder: net(z, v),
                         forcings: forcings)
    }

    func tensor(_ shape: [Int], _ i: UInt64) -> Tensor {
        var g = Philox(seed: 5, purpose: .trainingNoise, index: [i])
        var t = Tensor(zeros: shape)
        t.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        return t
    }

    func check(source: VAEModel.LatentSource, forcings: [VAEForcing] = []) throws {
        let config = Self.smallConfig(forcings: forcings), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let n = 2, k = 3, rows = [0.3, 0.9, 0.9, 0.3]
        var a = tensor([n, config.inputChannels, 4, 8], 1)
        if !forcings.isEmpty {
            // The inputs as a step builds them: states, their change, sin/cos latitude and the forcings at two times.
            let stats = VAEStatistics(mean: [1, -2], std: [2, 0.5], incrementStd: [0.3, 0.1])
            let times = [try CFDateTime(year: 2000, month: 3, day: 21, hour: 12), try CFDateTime(year: 2000, month: 6, day: 1, hour: 18)]
            a = stats.inputs(current: tensor([n, 2, 4, 8], 1).array, previous: tensor([n, 2, 4, 8], 4).array, batch: n,
                             latitudes: config.latitudes, longitudes: 8, forcing: config.forcingFields(validTimes: times))
            XCTAssertEqual(a.shape[1], config.inputChannels)
        }
        let y = tensor([n, 2, 4, 8], 2), eps = tensor([n * k, 2, 4, 8], 3)
        func loss(_ q: VAEModel.Parameters) throws -> Double {
            let (out, _) = try model.trainingForward(inputs: a, increment: y, epsilon: eps, members: k, source: source, q)
            return VAELoss.evaluate(out, target: y, rowWeights: rows, beta: 0.3).total
        }
        let (out, cache) = try model.trainingForward(inputs: a, increment: y, epsilon: eps, members: k, source: source, p)
        let r = VAELoss.evaluate(out, target: y, rowWeights: rows, beta: 0.3)
        XCTAssertGreaterThan(r.kl, 0)
        let grads = Dictionary(uniqueKeysWithValues: try model.trainingBackward(gMembers: r.gMembers, gLatent: r.gLatent,
                                                                                 output: out, cache, p).named().map { ($0.name, $0.tensor) })
        var checked = Set<String>()
        // Every third tensor keeps the test short; the offsets cover each network's first and last layers.
        for (i, (name, t)) in p.named().enumerated() where i % 3 == 0 || name.hasSuffix("conv_out.weight") {
            let g = grads[name]!
            let idx = g.array.indices.max { abs(g.array[$0]) < abs(g.array[$1]) }!
            guard abs(g.array[idx]) > 1e-3 else { continue }
            let h: Float = 2e-3 * max(1, abs(t.array[idx]))
            func shifted(_ delta: Float) throws -> Double {
                var q = p
                q.visit("") { nm, u in if nm == name { u.withUnsafeMutableBufferPointer { $0[idx] += delta } } }
                return try loss(q)
            }
            let fd = (try shifted(h) - shifted(-h)) / Double(2 * h)
            XCTAssertEqual(fd, Double(g.array[idx]), accuracy: 0.03 * abs(Double(g.array[idx])) + 3e-4, "\(source) \(name)[\(idx)]")
            checked.insert(String(name.prefix { $0 != "." }))
        }
        // Every network receives a gradient: the decoder from the CRPS, the prior and posterior from the KL and the draws.
        XCTAssertEqual(checked, ["prior", "posterior", "decoder"])
    }

    func testGradientsWithPosteriorDraws() throws { try check(source: .posterior) }

    func testGradientsWithPriorDraws() throws { try check(source: .prior) }

    func testGradientsWithForcings() throws { try check(source: .posterior, forcings: [.toaInsolation, .solarTime]) }

    /// One forecast step: member b is the same bits alone or in a batch, and depends on its stream.
    func testStepIsPerMemberReproducible() throws {
        let config = Self.smallConfig(), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let stats = VAEStatistics(mean: [1, -2], std: [2, 0.5], incrementStd: [0.3, 0.1])
        let f = try VAEForecaster(config: config, parameters: model.initialParameters(&rng), statistics: stats)
        let state = tensor([1, 2, 4, 8], 7).array, prev = tensor([1, 2, 4, 8], 8).array
        func stream(_ m: UInt64) -> Philox { Philox(seed: 9, purpose: .latent, index: [0, m, 1]) }
        var three = [stream(0), stream(1), stream(2)]
        let valid = try CFDateTime(year: 2000, month: 6, day: 1, hour: 6)
        let batch = try f.step(current: state + state + state, previous: prev + prev + prev, validTime: valid, streams: &three)
        var one = [stream(1)]
        let single = try f.step(current: state, previous: prev, validTime: valid, streams: &one)
        XCTAssertEqual(Array(batch[64 ..< 128]), single)
        XCTAssertNotEqual(Array(batch[0 ..< 64]), single)
    }
}
