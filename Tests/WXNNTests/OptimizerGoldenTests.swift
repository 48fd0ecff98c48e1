import XCTest
import WXCore
import WXNN

/// Three named tensors standing in for a model (the optimiser units only see names and tensors).
private struct SmallModel: ParameterSet {
    var aWeight = Tensor(zeros: [5, 3]), aBias = Tensor(zeros: [5]), bWeight = Tensor(zeros: [2, 2, 3, 3])
    mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
        try body(prefix + "a.weight", &aWeight)
        try body(prefix + "a.bias", &aBias)
        try body(prefix + "b.weight", &bWeight)
    }
}

/// AdamW, gradient clipping, the EMA and the schedule against PyTorch's (scripts/golden/make_optimizer_golden.py).
final class OptimizerGoldenTests: XCTestCase {
    func testAgainstPyTorch() throws {
        let golden = try SafeTensors.read(NNGolden.dir + "/optimizer.safetensors").tensors
        func model(_ prefix: String) throws -> SmallModel {
            var m = SmallModel()
            try m.load(golden.filter { $0.key.hasPrefix(prefix) }
                .reduce(into: [:]) { $0[String($1.key.dropFirst(prefix.count))] = $1.value }, source: prefix)
            return m
        }
        let schedule = LearningRateSchedule(peak: 1e-2, minimum: 1e-4, warmupSteps: 2, totalSteps: 4, decay: .cosine)
        let adam = AdamW(beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0.05)
        var p = try model("init.")
        var state = adam.makeState(for: p)
        var ema = ExponentialMovingAverage<SmallModel>(decay: 0.9)
        let lrs = golden["lr"]!.array, norms = golden["norms"]!.array
        for s in 0..<4 {
            XCTAssertEqual(Float(schedule.rate(at: s + 1)), lrs[s], accuracy: 1e-9)
            var g = try model("grad\(s).")
            let norm = GradientClipping.clip(&g, maxNorm: 3)
            XCTAssertEqual(norm, Double(norms[s]), accuracy: 1e-5 * Double(norms[s]))
            // float32 in both; PyTorch's clip coefficient and sqrt round in another order, so allow a few ulps.
            assertClose(g, try model("clipped\(s)."), tolerance: 2e-6, "clipped gradients at step \(s)")
            adam.step(&p, gradients: g, state: &state, learningRate: schedule.rate(at: s + 1))
            ema.update(with: p)
            assertClose(p, try model("step\(s)."), tolerance: 2e-6, "weights after AdamW step \(s)")
        }
        XCTAssertEqual(state.step, 4)
        assertClose(ema.average!, try model("ema."), tolerance: 2e-6, "EMA after 4 updates")
    }

    /// No clipping below the norm; the schedule's warm-up, cosine end and linear decay.
    func testClipBelowNormAndSchedules() {
        var g = SmallModel()
        g.aBias = Tensor(shape: [5], values: [3, 4, 0, 0, 0])
        XCTAssertEqual(GradientClipping.clip(&g, maxNorm: 10), 5, accuracy: 1e-12)
        XCTAssertEqual(g.aBias.array, [3, 4, 0, 0, 0])
        let lin = LearningRateSchedule(peak: 1, minimum: 0.1, warmupSteps: 10, totalSteps: 110, decay: .linear)
        XCTAssertEqual(lin.rate(at: 5), 0.5, accuracy: 1e-12)
        XCTAssertEqual(lin.rate(at: 60), 0.55, accuracy: 1e-12)
        XCTAssertEqual(lin.rate(at: 110), 0.1, accuracy: 1e-12)
        let cos = LearningRateSchedule(peak: 1, minimum: 0, warmupSteps: 0, totalSteps: 100)
        XCTAssertEqual(cos.rate(at: 50), 0.5, accuracy: 1e-12)
        XCTAssertEqual(cos.rate(at: 100), 0, accuracy: 1e-12)
    }

    private func assertClose(_ a: SmallModel, _ b: SmallModel, tolerance: Float, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        for (x, y) in zip(a.named(), b.named()) {
            let err = zip(x.tensor.array, y.tensor.array).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(err, tolerance, "\(what): \(x.name)", file: file, line: line)
        }
    }
}
