import XCTest
import WXCore
import WXPipelines
import WXVerification

/// The pipeline's one-pass block scorer against WXVerification's separate accumulators on the same blocks.
final class VerifyCrossCheckTests: XCTestCase {
    func testRankBrierROCAndContingencyAgreeWithWXVerification() throws {
        let f = VerifyTestData.forecast(members: 7), t = VerifyTestData.truth()
        let (fs, ts) = VerifyTestData.sources(forecast: f, truth: t)
        let events = [EventDefinition(name: "ge281", comparison: .greaterOrEqual, threshold: .fixed(281)),
                      EventDefinition(name: "lt279", comparison: .less, threshold: .fixed(279))]
        let card = try VerifyWorkflow.run(VerifyTestData.options(events: events), forecast: fs, truth: ts)
        let I = 6, M = 7, L = 2, P = 12
        let w = try AreaWeights.gridWeights(latitudes: VerifyTestData.latitudes, longitudeCount: 3, kind: .cellArea)
        let wn = w.map { $0 / w.reduce(0, +) }  // the pipeline normalises weights within each init
        for (l, lead) in [24.0, 48.0].enumerated() {
            var ranks = try RankHistogramAccumulator(members: M)
            var probs = [try ProbabilityEventAccumulator(members: M), try ProbabilityEventAccumulator(members: M)]
            var tables = [ContingencyTable(), ContingencyTable()]
            for i in 0..<I {
                let k = (i * 24 + Int(lead)) / 6
                var block: [Double] = []
                for m in 0..<M { for p in 0..<P { block.append(f.values[((i * M + m) * L + l) * P + p]) } }
                let y = Array(t.values[(k * P)..<((k + 1) * P)])
                try ranks.add(forecast: block, observations: y)
                for (e, (t0, cmp)) in [(281.0, ThresholdComparison.greaterOrEqual), (279.0, .less)].enumerated() {
                    try probs[e].add(forecast: block, observations: y, event: ThresholdEvent(threshold: t0, comparison: cmp), weights: wn)
                    // Deterministic forecast "p >= 0.5" from the member counts.
                    for p in 0..<P {
                        let kk = (0..<M).filter { cmp.isEvent(block[$0 * P + p], t0) }.count
                        let yes = Double(kk) / Double(M) >= 0.5, obs = cmp.isEvent(y[p], t0)
                        if yes && obs { tables[e].hits += 1 } else if yes { tables[e].falseAlarms += 1 } else if obs { tables[e].misses += 1 } else { tables[e].correctNegatives += 1 }
                    }
                }
            }
            let a = try XCTUnwrap(card.accumulator("tas", lead))
            XCTAssertEqual(a.rankHistogram, ranks.counts)
            let s = Scorecard.scores(of: a, hasClimatology: false)
            XCTAssertEqual(s["rank_delta"]!, ranks.unreliability, accuracy: 1e-12)
            for (e, name) in ["ge281", "lt279"].enumerated() {
                let ea = try XCTUnwrap(a.events.first { $0.name == name })
                XCTAssertEqual(ea.count, probs[e].pointCounts)
                XCTAssertEqual(ea.observedCount, probs[e].eventCounts)
                let d = probs[e].brierDecomposition
                XCTAssertEqual(s["brier_rel_\(name)"]!, d.reliability, accuracy: 1e-12)
                XCTAssertEqual(s["brier_res_\(name)"]!, d.resolution, accuracy: 1e-12)
                XCTAssertEqual(s["brier_unc_\(name)"]!, d.uncertainty, accuracy: 1e-12)
                XCTAssertEqual(s["brier_\(name)"]!, probs[e].brierScore(), accuracy: 1e-12)
                XCTAssertEqual(s["brier_fair_\(name)"]!, probs[e].brierScore(fair: true), accuracy: 1e-12)
                XCTAssertEqual(s["roc_auc_\(name)"]!, probs[e].rocArea, accuracy: 1e-12)
                let sedi = tables[e].symmetricExtremalDependenceIndex
                if sedi.isNaN { XCTAssertTrue(s["sedi_\(name)"]!.isNaN) } else { XCTAssertEqual(s["sedi_\(name)"]!, sedi, accuracy: 1e-12) }
            }
        }
    }
}
