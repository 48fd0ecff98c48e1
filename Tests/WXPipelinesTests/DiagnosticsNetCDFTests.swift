import XCTest
import WXCore
import WXIO
import WXPipelines
import WXVerification

/// diagnostics.nc with an `event` dimension holds, value for value, what the earlier layout (one variable per forecast
/// variable, event and table) held.
final class DiagnosticsNetCDFTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-diagnostics-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let tables = ["reliability_forecast_probability", "reliability_observed_frequency", "reliability_count",
                         "roc_hit_rate", "roc_false_alarm_rate", "contingency"]

    /// Two variables with partly different events: tas has gt281 and ge282, tx has ge282 and lt279.
    func card() throws -> Scorecard {
        let fs = FieldSource(path: "forecast.nc", fields: [VerifyTestData.forecast(name: "tas"), VerifyTestData.forecast(name: "tx", seed: 7)])
        let ts = FieldSource(path: "truth.nc", fields: [VerifyTestData.truth(name: "tas"), VerifyTestData.truth(name: "tx")])
        return try VerifyWorkflow.run(VerifyTestData.options(events: try EventDefinition.parseThresholds("tas:>281,>=282,tx:<279")),
                                      forecast: fs, truth: ts)
    }

    /// The earlier layout: `<v>_<event>_<table>` with dimensions (lead_time, table entry), NaN at leads without the event.
    func oldLayout(_ card: Scorecard) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        let leads = card.leadTimesHours
        for v in card.variables {
            let accs = leads.map { card.accumulator(v, $0) }
            let M = accs.compactMap { $0?.members }.first!
            for e in accs.compactMap({ $0 }).first?.events.map(\.name) ?? [] {
                for (name, n) in zip(Self.tables, [M + 1, M + 1, M + 1, M + 2, M + 2, 4]) {
                    var vals = [Double](repeating: .nan, count: leads.count * n)
                    for (li, a) in accs.enumerated() {
                        guard let a, let ea = a.events.first(where: { $0.name == e }) else { continue }
                        let d = Scorecard.diagnostics(of: ea, members: a.members)
                        let row: [Double]
                        switch name {
                        case "reliability_forecast_probability": row = d.forecastProbability
                        case "reliability_observed_frequency": row = d.observedFrequency
                        case "reliability_count": row = d.counts.map(Double.init)
                        case "roc_hit_rate": row = d.hitRate
                        case "roc_false_alarm_rate": row = d.falseAlarmRate
                        default: row = [d.contingency.hits, d.contingency.falseAlarms, d.contingency.misses, d.contingency.correctNegatives]
                        }
                        for (k, x) in row.prefix(n).enumerated() { vals[li * n + k] = x }
                    }
                    out["\(v)_\(e)_\(name)"] = vals
                }
            }
        }
        return out
    }

    func testEventDimensionHoldsEveryValueOfThePerEventLayout() throws {
        let c = try card()
        try VerifyOutputs.write(c, toDirectory: dir.path, partials: false, figures: false)
        let f = try NetCDFFile(path: dir.appendingPathComponent("diagnostics.nc").path)
        let events = ["gt281", "ge282", "lt279"]
        XCTAssertEqual(try f.readDoubles("event_threshold"), [281, 282, 279])
        let eventVariables = try f.variables(inGroup: "/").filter { $0.dimensionNames.contains("event") && !$0.name.hasPrefix("event") }
        XCTAssertEqual(Set(eventVariables.map(\.name)), Set(["tas", "tx"].flatMap { v in Self.tables.map { "\(v)_\($0)" } }))
        XCTAssertFalse(try f.variables(inGroup: "/").contains { v in events.contains { v.name.contains("_\($0)_") } }, "no per-event variables")

        let old = oldLayout(c)
        XCTAssertEqual(old.count, 2 * 2 * Self.tables.count)
        let L = c.leadTimesHours.count, E = events.count
        var compared = 0, finite = 0
        for v in ["tas", "tx"] {
            for t in Self.tables {
                let info = try f.variable("\(v)_\(t)")
                XCTAssertEqual(info.dimensionNames.prefix(2), ["lead_time", "event"])
                let new = try f.readDoubles("\(v)_\(t)")
                let n = new.count / (L * E)
                XCTAssertEqual(new.count, L * E * n)
                for (ei, e) in events.enumerated() {
                    let before = old["\(v)_\(e)_\(t)"]
                    for li in 0..<L {
                        for k in 0..<n {
                            let x = new[(li * E + ei) * n + k]
                            guard let before else {
                                XCTAssertTrue(x.isNaN, "\(v) has no event \(e): \(t)[\(li), \(k)] = \(x), expected NaN")
                                continue
                            }
                            let y = before[li * n + k]
                            XCTAssertTrue(x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN), "\(v)_\(e)_\(t)[\(li), \(k)]: \(x) vs \(y)")
                            compared += 1
                            if x.isFinite && x != 0 { finite += 1 }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(compared, old.values.reduce(0) { $0 + $1.count }, "every value of the old layout is in the new one")
        XCTAssertGreaterThan(finite, compared / 3, "the comparison is not over empty tables")
    }
}
