import Foundation
import XCTest
import WXCore
import WXIO
import WXGenerative
import WXPipelines

/// `wxens reforecast` with the VAE generator (the embedded model) on the perfect-model nature run: a plan of three
/// validation-period inits run with 1 and 2 workers merges to the same bits, equal to `wxens forecast` for those
/// inits; `all` picks the 00 UTC times that have their previous state; bad inputs are refused before any work.
final class ReforecastVAETests: XCTestCase {
    static let truth = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/truth.nc").path
    static let model = VerifyGoldenTests.root.appendingPathComponent("data/models/fuxi-vae-rollout").path

    private var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: Self.truth) else {
            throw XCTSkip("\(Self.truth) is absent (the VAE reforecast tests need ../shared)")
        }
        guard FileManager.default.fileExists(atPath: Self.model) else { throw XCTSkip("the embedded VAE (data/models/fuxi-vae-rollout) is absent") }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-rf-vae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A resolved VAE configuration on the nature run with the embedded model.
    private func config(inits: ReforecastInitTimes = .range(from: "2000-09-22", to: "2000-10-02", stepHours: 120), members: Int = 2,
                        leads: [Double]? = [24, 12], shards: Int = 2) -> ReforecastConfig {
        ReforecastConfig(generator: .vae, checkpoint: Self.model, input: Self.truth, initTimes: inits, members: members,
                         leadTimes: leads, seed: 5, shards: shards, batchSize: 1).resolved { _ in "unused" }
    }

    func testLocalRunsAreBitIdenticalAndEqualForecast() throws {
        let exe = try ReforecastFixture.wxens()
        // The command line's plan, checkpoint left to its default (the embedded model), with the calibration run.
        let yaml = """
        generator: vae
        input: \(Self.truth)
        init_times: {from: "2000-09-22", to: "2000-10-02", step_hours: 120}
        members: 2
        lead_times: [24, 12]
        seed: 5
        shards: 2
        batch_size: 1
        """
        try yaml.write(toFile: path("vae.yaml"), atomically: true, encoding: .utf8)
        var merged: [[String: [UInt32]]] = []
        for (name, workers) in [("one", 1), ("two", 2)] {
            let rundir = path(name)
            var args = ["reforecast", "plan", "--config", path("vae.yaml"), "--out", rundir]
            if workers == 2 { args.append("--no-calibrate") }
            let plan = try ReforecastFixture.run(args)
            XCTAssertEqual(plan.status, 0, plan.err)
            XCTAssert(plan.out.contains("planned vae reforecast: 3 tasks (2000-09-22T00:00:00 .. 2000-10-02T00:00:00) x 2 members, leads 12,24 h"),
                      plan.out)
            XCTAssert(plan.out.contains("checkpoint: ") && plan.out.contains("data/models/fuxi-vae-rollout"), plan.out)
            if workers == 1 {
                XCTAssert(plan.out.contains("core-hours") && plan.out.contains("peak memory"), plan.out)
                let e = try JSONDecoder().decode(ReforecastEstimate.self, from: Data(contentsOf: URL(fileURLWithPath: rundir + "/estimate.json")))
                XCTAssertGreaterThan(e.secondsPerMember, 0)
                XCTAssertGreaterThan(e.bytesPerMember, 1000)
                XCTAssertEqual(e.maxTasksPerShard, 2)
                XCTAssertFalse(FileManager.default.fileExists(atPath: rundir + "/calibration"))
            }
            let manifest = try ReforecastManifest.read(rundir)
            XCTAssertEqual(manifest.config.generator, .vae)
            XCTAssertEqual(manifest.leadHours, [12, 24])
            XCTAssertEqual(manifest.tasks.map(\.shard), [0, 1, 0])
            try ReforecastLocalExecutor.run(rundir: rundir, workers: workers, executable: exe, quiet: true)
            let status = try ReforecastStatus.collect(rundir: rundir)
            XCTAssertEqual(status.count(.done), 3, status.text)
            let m = try ReforecastFixture.run(["reforecast", "merge", rundir, "--out", path("\(name).nc")])
            XCTAssertEqual(m.status, 0, m.err)
            merged.append(try ReforecastFixture.bits(path("\(name).nc"), variables: ReforecastTests.variables))
        }
        XCTAssertEqual(merged[0], merged[1], "1 worker vs 2 workers")

        // wxens forecast for the same inits, seed and checkpoint, members stepped 8 at a time (the reforecast: 1).
        let forecast = path("forecast.nc")
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: Self.truth, members: 2, leadTimesHours: [12, 24], outPath: forecast,
                                                 initTimes: try InitTimeSelection(parsing: "2000-09-22T00:00,2000-09-27T00:00,2000-10-02T00:00"),
                                                 seed: 5, batchSize: 8, quiet: true),
                                 forecaster: try VAEForecaster(checkpoint: Self.model))
        let f = try ReforecastFixture.bits(forecast, variables: ReforecastTests.variables)
        for v in ReforecastTests.variables { XCTAssert(f[v]! == merged[0][v]!, "\(v) differs from wxens forecast") }

        let a: Field<Float> = try GriddedFiles.open(path("one.nc")).readField("t850")
        let b: Field<Float> = try GriddedFiles.open(forecast).readField("t850")
        XCTAssertEqual(a.dimensions.map(\.role), [.initTime, .member, .leadTime, .latitude, .longitude])
        XCTAssertEqual(a.shape, [3, 2, 2, 48, 96])
        XCTAssertEqual(a.coordinate(.initTime)?.values, b.coordinate(.initTime)?.values)
        XCTAssertEqual(a.coordinate(.initTime)?.attributes["units"]?.stringValue, "hours since 2000-03-21 00:00:00")
        XCTAssertEqual(a.coordinate(.leadTime)?.values, [12, 24])
        XCTAssert(a.values.allSatisfy(\.isFinite))
        let plane = 2 * 48 * 96
        XCTAssertNotEqual(Array(a.values[0 ..< plane]), Array(a.values[plane ..< 2 * plane]), "members 0 and 1 are the same")
    }

    func testAllIsEveryMidnightWithItsPreviousState() throws {
        let (m, _) = try ReforecastPlanner.manifest(for: config(inits: .all, shards: 3))
        // truth.nc: 2000-03-21 .. 2001-01-25 00 UTC, 6-hourly; the first midnight has no state 6 h before it.
        XCTAssertEqual(m.tasks.count, 310)
        XCTAssertEqual(m.tasks.first?.initDate, "2000-03-22T00:00:00")
        XCTAssertEqual(m.tasks.last?.initDate, "2001-01-25T00:00:00")
        XCTAssertEqual(m.tasks.first?.initIndex, 4)
        let (l, _) = try ReforecastPlanner.manifest(for: config(inits: .list(["2000-10-02T06:00", "2000-09-22"])))
        XCTAssertEqual(l.tasks.map(\.initDate), ["2000-09-22T00:00:00", "2000-10-02T06:00:00"])
    }

    func testBadInputsAreRefusedBeforeAnyWork() throws {
        func refused(_ c: ReforecastConfig, _ name: String, _ expected: (Error) -> Bool) {
            let rundir = path(name)
            XCTAssertThrowsError(try ReforecastPlanner.plan(c, rundir: rundir, calibrate: true), name) { e in
                XCTAssert(expected(e), "\(name): \(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: rundir), "\(name): RUNDIR was created")
        }
        refused(config(inits: .list(["2000-03-21"]), shards: 1), "first time of the file") {
            guard case let .previousStateMissing(_, t, prev) = $0 as? ForecastError else { return false }
            return t.hasPrefix("2000-03-21T00") && prev.hasPrefix("2000-03-20T18")
        }
        refused(config(inits: .list(["2001-06-01"]), shards: 1), "init outside the file") {
            if case .initTimeOutsideInput = $0 as? ReforecastError { return true }; return false
        }
        refused(config(leads: [24, 9]), "lead off the step") {
            if case .invalidOption(option: "lead_times", let d) = $0 as? ForecastError { return d.contains("9 h") }; return false
        }
        refused(config(leads: nil), "no lead times") {
            if case .badValue(name: "lead_times", _) = $0 as? ReforecastError { return true }; return false
        }
        var c = config()
        c.checkpoint = path("no-model")
        refused(c, "missing checkpoint") { if case .missingCheckpoint = $0 as? ReforecastError { return true }; return false }
        c = config()
        c.checkpoint = VerifyGoldenTests.root.appendingPathComponent("data/models/seeds-gee").path
        refused(c, "diffusion checkpoint") {
            if case let .badValue(name: "generator", r) = $0 as? ReforecastError { return r.contains("seeds") }; return false
        }
        c = config()
        c.samplerSteps = 4
        refused(c, "diffusion key") { if case .badValue(name: "sampler_steps", _) = $0 as? ReforecastError { return true }; return false }
        c = config()
        c.input = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/reforecast_validation.nc").path
        refused(c, "reforecast-layout input") { if case .layout = $0 as? ForecastError { return true }; return false }

        // The model's variables on another grid.
        let grid = path("coarse.nc")
        let w = try CFTimeSeriesWriter(path: grid, times: CFTimeAxis(hours: [0, 6, 12, 18, 24], reference: "2000-01-01 00:00:00"),
                                       latitudes: [-45, 45], longitudes: [0, 120, 240],
                                       variables: ReforecastTests.variables.map { CFDataVariable(name: $0, units: "1") },
                                       global: CFGlobalAttributes(title: "wrong grid"))
        for v in ReforecastTests.variables { try w.write(variable: v, values: [Float](repeating: 1, count: 5 * 6)) }
        try w.finish()
        c = config(inits: .list(["2000-01-02"]), shards: 1)
        c.input = grid
        refused(c, "grid") { if case .gridMismatch = $0 as? ForecastError { return true }; return false }
    }
}
