import XCTest
import WXCore
import WXPipelines
import WXVerification

/// `wxens verify` on the shared data against scripts/verify_reference.py (scoringrules / properscoring).
///
/// Tolerance: relative 1e-9 (absolute 1e-12 near zero). Both sides decode the CF-packed int16 data the same way
/// (in float32, as numpy/netCDF4-python do for float32 scale_factor/add_offset) and score in float64, so they differ only
/// in summation order; measured agreement is ~1e-14.
final class VerifyGoldenTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    struct Row { var dataset, variable: String; var lead: Double; var metric: String; var value: Double }

    func golden() throws -> [Row] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/verify_reference.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            return Row(dataset: f[0], variable: f[1], lead: Double(f[2])!, metric: f[3], value: Double(f[4])!)
        }
    }

    func sharedFile(_ rel: String) throws -> String {
        let p = Self.shared.appendingPathComponent(rel).path
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("\(p) is absent: ../shared is needed for the golden verify test") }
        return p
    }

    func compare(_ card: Scorecard, dataset: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let rows = try golden().filter { $0.dataset == dataset }
        XCTAssertGreaterThan(rows.count, 100)
        var worst = 0.0
        for r in rows {
            let a = try XCTUnwrap(card.accumulator(r.variable, r.lead), "\(r.variable) \(r.lead)")
            let got = try XCTUnwrap(Scorecard.scores(of: a, hasClimatology: false)[r.metric], r.metric)
            let err = abs(got - r.value)
            XCTAssertTrue(err <= 1e-9 * abs(r.value) || err <= 1e-12, "\(dataset) \(r.variable) \(r.lead) h \(r.metric): \(got) vs \(r.value)", file: file, line: line)
            if r.value != 0 { worst = max(worst, err / abs(r.value)) }
        }
        print("golden \(dataset): \(rows.count) scores, worst relative difference \(worst)")
    }

    func testPerfectModelMatchesReference() throws {
        let f = try sharedFile("data/perfect-model/reforecast_validation.nc")
        let t = try sharedFile("data/perfect-model/truth.nc")
        let events = try EventDefinition.parseThresholds("t850:>280,t2m:>290,msl:<100000")
        let card = try VerifyOutputs.verify(VerifyOptions(forecastPath: f, truthPath: t, events: events))
        XCTAssertEqual(card.variables, ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"])
        XCTAssertTrue(card.metadata.areaWeighted)
        try compare(card, dataset: "perfect-model")
    }

    func testRMM1MatchesReference() throws {
        let f = try sharedFile("data/real/gmao_geos_s2s_rmm1_ens_obs.nc")
        let card = try VerifyOutputs.verify(VerifyOptions(forecastPath: f, truthPath: f, forecastVariable: "RMM1", truthVariable: "rmm1",
                                                          events: try EventDefinition.parseThresholds(">1,<-1")))
        XCTAssertFalse(card.metadata.areaWeighted, "an index without latitude is unweighted")
        XCTAssertEqual(card.accumulators.count, 45)
        XCTAssertEqual(card.accumulators.first?.leadTimeHours, 12)
        try compare(card, dataset: "rmm")
    }

    func testEnsemblesWithoutTruthGiveAClearError() throws {
        for rel in ["data/real/ukmo_seasonal_t2m_monthly_ens.nc", "data/real/era5_eda_members_t_z_2017-01.nc"] {
            let f = try sharedFile(rel)
            XCTAssertThrowsError(try VerifyOutputs.verify(VerifyOptions(forecastPath: f, truthPath: f))) { e in
                guard let ve = e as? VerifyError else { return XCTFail("\(e)") }
                switch ve {
                case .noTruth, .badLayout: XCTAssertTrue("\(ve)".contains(f), "\(ve)")
                default: XCTFail("\(ve)")
                }
            }
        }
    }
}
