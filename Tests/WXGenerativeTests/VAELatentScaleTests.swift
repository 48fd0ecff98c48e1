import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative

/// `VAEForecaster.latentScale`: the step draws z = mu + s * sigma * eps, i.e. it is the networks on s times the
/// member's standard normal draw; s = 1 is the trained prior's step.
final class VAELatentScaleTests: XCTestCase {
    func testTheStepScalesTheLatentDraw() throws {
        let stats = VAEStatistics(mean: [0.5, -1], std: [1.5, 0.8], incrementStd: [0.4, 0.25])
        let config = VAEGradientTests.smallConfig(forcings: []), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        var f = try VAEForecaster(config: config, parameters: model.initialParameters(&rng), statistics: stats)
        var g = Philox(seed: 17, purpose: .trainingNoise, index: [1])
        var x = [Float](repeating: 0, count: 2 * 2 * 4 * 8), xm = x
        x.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        xm.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        func streams() -> [Philox] { (0..<2).map { Philox(seed: 3, purpose: .latent, index: [0, UInt64($0), 1]) } }
        let t = try CFDateTime(year: 2000, month: 9, day: 22, hour: 6)

        var s = streams()
        let trained = try f.step(current: x, previous: xm, validTime: t, streams: &s)
        f.latentScale = 1.75
        s = streams()
        let widened = try f.step(current: x, previous: xm, validTime: t, streams: &s)
        XCTAssertNotEqual(trained, widened)

        var eps = Tensor(zeros: [2, config.latentChannels, 4, 8])
        var r = streams()
        let block = eps.count / 2
        eps.withUnsafeMutableBufferPointer { e in
            for m in 0..<2 { r[m].fillNormal(UnsafeMutableBufferPointer(rebasing: e[m * block ..< (m + 1) * block])) }
            for j in e.indices { e[j] *= 1.75 }
        }
        let a = stats.inputs(current: x, previous: xm, batch: 2, latitudes: config.latitudes, longitudes: 8, forcing: nil)
        XCTAssertEqual(widened, stats.next(current: x, increment: try model.sampleIncrement(inputs: a, epsilon: eps, f.parameters)))
    }
}
