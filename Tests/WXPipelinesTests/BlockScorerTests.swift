import XCTest
import WXCore
import WXPipelines
import WXVerification

/// The tiled `BlockScorer` against the scalar reference scorer: the same accumulators, bit for bit, at 1 and 2 threads.
final class BlockScorerTests: XCTestCase {
    /// A member-major block with ties to the truth, values on a coarse grid (many equal members), and optional
    /// non-finite values.
    func block(members M: Int, points P: Int, seed: UInt64, nonFinite: Int) -> (forecast: [Double], truth: [Double]) {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var f = (0..<(M * P)).map { _ in 280 + (uniform() * 40).rounded() / 4 }
        let y = (0..<P).map { p -> Double in uniform() < 0.2 ? f[(p % M) * P + p] : 280 + uniform() * 10 }
        var truth = y
        for k in 0..<nonFinite {
            let v: Double = k % 3 == 0 ? .nan : (k % 3 == 1 ? .infinity : -.infinity)
            if k % 4 == 0 { truth[Int(rng.next() % UInt64(P))] = v } else { f[Int(rng.next() % UInt64(M * P))] = v }
        }
        return (f, truth)
    }

    func events(points P: Int) -> (defs: [EventDefinition], resolved: [ResolvedEvent]) {
        let perPoint = (0..<P).map { 282 + Double($0 % 7) * 0.5 }
        let defs = [EventDefinition(name: "gt283", comparison: .greater, threshold: .fixed(283)),
                    EventDefinition(name: "ge284", comparison: .greaterOrEqual, threshold: .fixed(284)),
                    EventDefinition(name: "q90", comparison: .less, threshold: .climatologyQuantile(0.9)),
                    EventDefinition(name: "anom", comparison: .lessOrEqual, threshold: .climatologyAnomaly(1))]
        let resolved = [ResolvedEvent(comparison: .greater, thresholds: [283]),
                        ResolvedEvent(comparison: .greaterOrEqual, thresholds: [284]),
                        ResolvedEvent(comparison: .less, thresholds: perPoint),
                        ResolvedEvent(comparison: .lessOrEqual, thresholds: perPoint.map { $0 - 1 })]
        return (defs, resolved)
    }

    func testTiledScorerEqualsScalarReferenceBitForBit() throws {
        for (M, P) in [(1, 37), (2, 64), (5, 131), (8, 200), (13, 517), (31, 4608), (50, 300)] {
            let (defs, resolved) = events(points: P)
            let weights = (0..<P).map { 0.5 + Double($0 % 11) / 10 }
            let clim = (0..<P).map { 283 + Double($0 % 5) }
            for policy in [NaNPolicy.propagate, .omit, .raise] {
                for nonFinite in [0, 9] {
                    let tiled = BlockScorer(weights: weights, events: resolved, climatologyMean: clim, nanPolicy: policy)
                    let scalar = ScalarBlockScorer(weights: weights, events: resolved, climatologyMean: clim, nanPolicy: policy)
                    for threads in [1, 2] {
                        var a = try VerificationAccumulator(variable: "t", leadTimeHours: 24, members: M, events: defs)
                        var b = a
                        var nanA: [Int?] = [], nanB: [Int?] = []
                        for i in 0..<3 {
                            let (f, y) = block(members: M, points: P, seed: UInt64(M * 1000 + P + i), nonFinite: nonFinite)
                            try f.withUnsafeBufferPointer { fb in
                                try y.withUnsafeBufferPointer { yb in
                                    let blk = ScoreBlock(forecast: fb, truth: yb, members: M, points: P)
                                    nanA.append(try Parallel.withThreads(threads) { try tiled.score(blk, into: &a) })
                                    nanB.append(try scalar.score(blk, into: &b))
                                }
                            }
                        }
                        XCTAssertEqual(nanA, nanB, "M=\(M) P=\(P) \(policy) nonFinite=\(nonFinite) threads=\(threads)")
                        XCTAssertGreaterThan(a.points, 0)
                        XCTAssertEqual(a, b, "M=\(M) P=\(P) \(policy) nonFinite=\(nonFinite) threads=\(threads)")
                    }
                }
            }
        }
    }

    func testPointStatisticsAgainstPlainFormulas() throws {
        let M = 13, P = 103
        let (f, y) = block(members: M, points: P, seed: 7, nonFinite: 0)
        let ev = ThresholdEvent(threshold: 283, comparison: .greater)
        let st = try EnsemblePointStatistics(members: M, points: P, capacity: P, events: [ev])
        defer { st.deallocate() }
        f.withUnsafeBufferPointer { fb in y.withUnsafeBufferPointer { yb in
            st.compute(forecast: fb.baseAddress!, observations: yb.baseAddress!, range: 0..<P, nanPolicy: .propagate)
        } }
        for p in 0..<P {
            let x = (0..<M).map { f[$0 * P + p] }
            let mean = x.reduce(0, +) / Double(M)
            var pair = 0.0, abs1 = 0.0
            for a in x { abs1 += abs(a - y[p]); for b in x { pair += abs(a - b) } }
            XCTAssertEqual(st.validMembers[p], Int32(M))
            XCTAssertEqual(st.mean[p], mean, accuracy: 1e-12)
            XCTAssertEqual(st.squaredDeviations[p], x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +), accuracy: 1e-9)
            XCTAssertEqual(st.crps[p], abs1 / Double(M) - pair / Double(2 * M * M), accuracy: 1e-12)
            XCTAssertEqual(st.crpsFair[p], abs1 / Double(M) - pair / Double(2 * M * (M - 1)), accuracy: 1e-12)
            XCTAssertEqual(st.below[p], Int32(x.filter { $0 < y[p] }.count))
            XCTAssertEqual(st.equal[p], Int32(x.filter { $0 == y[p] }.count))
            XCTAssertEqual(st.eventCounts[p], Int32(x.filter { $0 > 283 }.count))
        }
    }
}
