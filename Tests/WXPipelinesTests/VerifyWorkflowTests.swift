import XCTest
import WXCore
import WXPipelines
import WXVerification

/// Alignment, errors, NaN policies and scores of `VerifyWorkflow` against plain reference code.
final class VerifyWorkflowTests: XCTestCase {
    /// Plain O(M^2) CRPS (standard when fair is false).
    func plainCRPS(_ x: [Double], _ y: Double, fair: Bool) -> Double {
        let m = Double(x.count)
        var a = 0.0, b = 0.0
        for xi in x { a += abs(xi - y); for xj in x { b += abs(xi - xj) } }
        return a / m - b / (fair ? 2 * m * (m - 1) : 2 * m * m)
    }

    func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    func testScoresMatchPlainReferenceWithValidTimeAlignment() throws {
        let f = VerifyTestData.forecast(), t = VerifyTestData.truth()
        let (fs, ts) = VerifyTestData.sources(forecast: f, truth: t)
        let card = try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)
        XCTAssertEqual(card.accumulators.count, 2)
        let w = try AreaWeights.gridWeights(latitudes: VerifyTestData.latitudes, longitudeCount: 3, kind: .cellArea)
        let I = 6, M = 5, L = 2, P = 12
        for (l, lead) in [24.0, 48.0].enumerated() {
            var crps = 0.0, fair = 0.0, mse = 0.0, bias = 0.0, vari = 0.0, brier = 0.0
            var ranks = [Double](repeating: 0, count: M + 1)
            for i in 0..<I {
                // Truth time k is k*6 hours after 2000-01-01; valid = init (i*24 h) + lead.
                let k = (i * 24 + Int(lead)) / 6
                var sw = 0.0, c = 0.0, fa = 0.0, se = 0.0, e = 0.0, v = 0.0, bs = 0.0
                for p in 0..<P {
                    let x = (0..<M).map { f.values[(((i * M + $0) * L + l) * P) + p] }
                    let y = t.values[k * P + p]
                    let mean = x.reduce(0, +) / Double(M)
                    sw += w[p]
                    c += w[p] * plainCRPS(x, y, fair: false)
                    fa += w[p] * plainCRPS(x, y, fair: true)
                    XCTAssertEqual(try CRPS.ensemble(x, observation: y, estimator: .fair), plainCRPS(x, y, fair: true), accuracy: 1e-12)
                    se += w[p] * (mean - y) * (mean - y)
                    e += w[p] * (mean - y)
                    v += w[p] * x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(M - 1)
                    let prob = Double(x.filter { $0 > 281 }.count) / Double(M)
                    let o: Double = y > 281 ? 1 : 0
                    bs += w[p] * (prob - o) * (prob - o)
                    ranks[x.filter { $0 < y }.count] += 1
                }
                crps += c / sw; fair += fa / sw; mse += se / sw; bias += e / sw; vari += v / sw; brier += bs / sw
            }
            let s = Scorecard.scores(of: try XCTUnwrap(card.accumulator("tas", lead)), hasClimatology: false)
            XCTAssertLessThan(rel(s["crps"]!, crps / Double(I)), 1e-12)
            XCTAssertLessThan(rel(s["crps_fair"]!, fair / Double(I)), 1e-12)
            XCTAssertLessThan(rel(s["rmse"]!, (mse / Double(I)).squareRoot()), 1e-12)
            XCTAssertLessThan(rel(s["bias"]!, bias / Double(I)), 1e-10)
            XCTAssertLessThan(rel(s["spread"]!, (vari / Double(I)).squareRoot()), 1e-12)
            XCTAssertLessThan(rel(s["brier_gt281"]!, brier / Double(I)), 1e-12)
            XCTAssertEqual(try XCTUnwrap(card.accumulator("tas", lead)).rankHistogram, ranks)
            // Murphy decomposition closes exactly when p is constant within each bin.
            XCTAssertEqual(s["brier_rel_gt281"]! - s["brier_res_gt281"]! + s["brier_unc_gt281"]!, s["brier_gt281"]!, accuracy: 1e-12)
        }
    }

    func testSameBitsWhateverTheThreadCount() throws {
        let (fs, ts) = VerifyTestData.sources()
        let one = try Parallel.withThreads(1) { try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts) }
        let two = try Parallel.withThreads(2) { try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts) }
        XCTAssertEqual(one.accumulators, two.accumulators)
    }

    func testTruthLackingAValidTimeIsATypedError() throws {
        // init 2 (48 h) + lead 48 h = 96 h after 2000-01-01 is missing from the truth.
        let (fs, ts) = VerifyTestData.sources(truth: VerifyTestData.truth(dropValidHour: 96))
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            guard case let VerifyError.validTimeMissing(truth, variable, validTime)? = e as? VerifyError else { return XCTFail("\(e)") }
            XCTAssertEqual(truth, "truth.nc"); XCTAssertEqual(variable, "tas")
            XCTAssertTrue(validTime.hasPrefix("2000-01-05T00:00:00"), validTime)
            XCTAssertTrue("\(e)".contains("no field at valid time"))
        }
    }

    func testMismatchedGridsAreATypedError() throws {
        let (fs, ts) = VerifyTestData.sources(truth: VerifyTestData.truth(latitudes: [-60, -20, 20, 61]))
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            guard case VerifyError.gridMismatch? = e as? VerifyError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("latitude[3]"), "\(e)")
        }
        let (fs2, ts2) = VerifyTestData.sources(truth: VerifyTestData.truth(latitudes: [-60, 0, 60]))
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs2, truth: ts2)) { e in
            guard case VerifyError.gridMismatch? = e as? VerifyError else { return XCTFail("\(e)") }
        }
    }

    func testVariableAbsentFromOneFileIsATypedError() throws {
        let (fs, ts) = VerifyTestData.sources(truth: VerifyTestData.truth(name: "t2m"))
        var o = VerifyTestData.options()
        o.variables = ["tas"]
        XCTAssertThrowsError(try VerifyWorkflow.run(o, forecast: fs, truth: ts)) { e in
            XCTAssertEqual(e as? VerifyError, .variableMissing(path: "truth.nc", variable: "tas"))
        }
        // Without --variables: no common variable is a clear error too.
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            guard case VerifyError.noTruth? = e as? VerifyError else { return XCTFail("\(e)") }
        }
    }

    func testAllNaNFieldFollowsTheDocumentedPolicy() throws {
        let (fs, ts) = VerifyTestData.sources(forecast: VerifyTestData.forecast(allNaN: true))
        for policy in [NaNPolicy.propagate, .omit] {
            let card = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: policy), forecast: fs, truth: ts)
            XCTAssertFalse(card.rows.isEmpty)
            XCTAssertTrue(card.rows.allSatisfy { $0.value.isNaN }, "\(policy): every score of an all-NaN field is NaN")
            XCTAssertTrue(card.accumulators.allSatisfy { $0.inits == 0 && $0.points == 0 })
        }
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .raise), forecast: fs, truth: ts)) { e in
            guard case let VerifyError.nanFound(path, variable, _)? = e as? VerifyError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, "forecast.nc"); XCTAssertEqual(variable, "tas")
        }
    }

    func testOneNaNMemberPropagatesOrIsOmitted() throws {
        // Flat index 0: init 0, member 0, lead 24 h, point 0.
        let (fs, ts) = VerifyTestData.sources(forecast: VerifyTestData.forecast(nanAt: 0))
        let p = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .propagate), forecast: fs, truth: ts)
        XCTAssertTrue(Scorecard.scores(of: p.accumulator("tas", 24)!, hasClimatology: false)["crps"]!.isNaN)
        XCTAssertFalse(Scorecard.scores(of: p.accumulator("tas", 48)!, hasClimatology: false)["crps"]!.isNaN)
        let o = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .omit), forecast: fs, truth: ts)
        let a = try XCTUnwrap(o.accumulator("tas", 24))
        XCTAssertEqual(a.minValidMembers, 4)
        XCTAssertEqual(a.maxValidMembers, 5)
        XCTAssertEqual(a.points, 6 * 12)
        XCTAssertEqual(a.rankCounts.reduce(0, +), 6 * 12 - 1, "the point with 4 members stays out of the rank histogram")
        XCTAssertFalse(Scorecard.scores(of: a, hasClimatology: false)["crps"]!.isNaN)
    }

    func testMemoryCapSmallerThanOneBlockIsAnError() throws {
        let (fs, ts) = VerifyTestData.sources()
        var o = VerifyTestData.options()
        o.maxMemoryBytes = 1000
        XCTAssertThrowsError(try VerifyWorkflow.run(o, forecast: fs, truth: ts)) { e in
            guard case VerifyError.memoryCapTooSmall? = e as? VerifyError else { return XCTFail("\(e)") }
        }
        // A cap that fits one init per read gives the same sums as reading all inits at once.
        o.maxMemoryBytes = 5 * 12 * 20 + 12 * 8 * 4 + 8
        let small = try VerifyWorkflow.run(o, forecast: fs, truth: ts)
        let big = try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)
        XCTAssertEqual(small.accumulators, big.accumulators)
    }

    func testLeadTimeSelectionAndUnknownLead() throws {
        let (fs, ts) = VerifyTestData.sources()
        var o = VerifyTestData.options()
        o.leadTimesHours = [48]
        XCTAssertEqual(try VerifyWorkflow.run(o, forecast: fs, truth: ts).accumulators.map(\.leadTimeHours), [48])
        o.leadTimesHours = [72]
        XCTAssertThrowsError(try VerifyWorkflow.run(o, forecast: fs, truth: ts)) { e in
            guard case VerifyError.badOption? = e as? VerifyError else { return XCTFail("\(e)") }
        }
    }

    func testThresholdParsing() throws {
        let e = try EventDefinition.parseThresholds("t850:>280, >=1,rmm1:<-1")
        XCTAssertEqual(e.map(\.name), ["gt280", "ge1", "lt-1"])
        XCTAssertEqual(e.map(\.variable), ["t850", nil, "rmm1"])
        XCTAssertEqual(e[1].comparison, .greaterOrEqual)
        XCTAssertThrowsError(try EventDefinition.parseThresholds("t850=280"))
        XCTAssertThrowsError(try EventDefinition.parseThresholds(">abc"))
        XCTAssertEqual(try VerifyOptions.parseMemory("2GB"), 2_000_000_000)
        XCTAssertEqual(try VerifyOptions.parseMemory("1GiB"), 1 << 30)
        XCTAssertThrowsError(try VerifyOptions.parseMemory("lots"))
    }
}
