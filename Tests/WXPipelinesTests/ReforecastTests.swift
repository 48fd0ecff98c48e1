import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens reforecast` with a tiny model on a small cut of the validation block: plan, local runs with 1 and 2 workers and
/// shards in another order give bit-identical merges equal to `wxens generate`; corrupt parts are redone; a worker
/// killed mid-write leaves no part under its final name; bad inputs are refused before any work.
final class ReforecastTests: XCTestCase {
    static let variables = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]

    func testLocalRunsAreBitIdenticalAndEqualGenerate() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let config = fx.config()
        let exe = try ReforecastFixture.wxens()
        var merged: [[String: [UInt32]]] = []
        for (name, workers) in [("one", 1), ("two", 2), ("reversed", 0)] {
            let rundir = fx.path(name)
            let (manifest, estimate) = try ReforecastPlanner.plan(config, rundir: rundir, calibrate: name == "one")
            XCTAssertEqual(manifest.tasks.map(\.initIndex), [1, 2, 3])
            XCTAssertEqual(manifest.tasks.map(\.shard), [0, 1, 0])
            if name == "one" {
                let e = try XCTUnwrap(estimate)
                XCTAssertGreaterThan(e.secondsPerMember, 0)
                XCTAssertGreaterThan(e.bytesPerMember, 1000)
                XCTAssertGreaterThan(e.peakMemoryBytes, 0)
                XCTAssertEqual(e.maxTasksPerShard, 2)
                XCTAssertFalse(FileManager.default.fileExists(atPath: rundir + "/calibration"))
            }
            if workers > 0 {
                try ReforecastLocalExecutor.run(rundir: rundir, workers: workers, executable: exe, quiet: true)
            } else {
                let runner = try ReforecastTaskRunner(rundir: rundir)
                for s in [1, 0] { _ = try runner.run(shard: s) }
            }
            let status = try ReforecastStatus.collect(rundir: rundir)
            XCTAssertEqual(status.count(.done), 3, status.text)
            try ReforecastMerger.merge(rundir: rundir, out: fx.path("\(name).nc"))
            merged.append(try ReforecastFixture.bits(fx.path("\(name).nc"), variables: Self.variables))
        }
        XCTAssertEqual(merged[0], merged[1], "1 worker vs 2 workers")
        XCTAssertEqual(merged[0], merged[2], "1 worker vs shards run in reverse order in one process")

        let f: Field<Float> = try GriddedFiles.open(fx.path("one.nc")).readField("t2m")
        XCTAssertEqual(f.dimensions.map(\.role), [.initTime, .member, .leadTime, .latitude, .longitude])
        XCTAssertEqual(f.shape, [3, 2, 2, 48, 96])
        XCTAssert(f.values.allSatisfy(\.isFinite))
        let block = try ReforecastBlock.read(fx.path("one.nc"), variables: Self.variables)
        XCTAssertEqual(block.initTimes, Array(try GriddedFiles.open(fx.input).readDoubles("init_time")[1...3]))
        XCTAssertEqual(block.leadHours, [24, 120])

        // wxens generate on the whole input (4 inits): its inits 1...3 are the reforecast's.
        let gen = fx.path("generate.nc")
        try GenerateWorkflow.run(GenerateOptions(seedsPath: fx.input, members: 2, outPath: gen, checkpoint: fx.model,
                                                 seed: config.seed, steps: 1, batchSize: 3, quiet: true))
        let g = try ReforecastFixture.bits(gen, variables: Self.variables)
        let plane = 2 * 48 * 96  // lead x lat x lon
        for v in Self.variables {
            for (j, i) in [1, 2, 3].enumerated() {
                for k in 0..<2 {
                    let fromGenerate = g[v]![((k * 4) + i) * plane ..< ((k * 4) + i + 1) * plane]
                    let fromMerge = merged[0][v]![((j * 2) + k) * plane ..< ((j * 2) + k + 1) * plane]
                    XCTAssert(fromGenerate.elementsEqual(fromMerge), "\(v) init \(i) member \(k) differs from wxens generate")
                }
            }
        }
        XCTAssertNotEqual(merged[0]["t2m"]![0 ..< plane], merged[0]["t2m"]![plane ..< 2 * plane], "members 0 and 1 are the same")
    }

    func testCorruptPartIsDetectedRefusedByMergeAndRedone() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let rundir = fx.path("run")
        _ = try ReforecastPlanner.plan(fx.config(inits: .range(from: "2000-09-22", to: "2000-09-27", stepHours: 120), members: 2, shards: 1),
                                       rundir: rundir, calibrate: false)
        let runner = try ReforecastTaskRunner(rundir: rundir)
        XCTAssertEqual(try runner.run(shard: 0).generated, ["t0000", "t0001"])
        try ReforecastMerger.merge(rundir: rundir, out: fx.path("before.nc"))
        let paths = ReforecastPaths(rundir)
        let part = paths.part("t0001")
        let data = try Data(contentsOf: URL(fileURLWithPath: part))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: part))
        XCTAssertEqual(ReforecastPartMarker.state(task: "t0001", paths: paths, configHash: runner.manifest.configHash), .corrupt)
        XCTAssertEqual(try ReforecastStatus.collect(rundir: rundir).tasks.map(\.state), [.done, .corrupt])
        XCTAssertThrowsError(try ReforecastMerger.merge(rundir: rundir, out: fx.path("after.nc"))) { e in
            XCTAssertEqual(e as? ReforecastError, .partsMissing(rundir: rundir, tasks: ["t0001"]))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fx.path("after.nc")))

        // Same size, one byte flipped: only the checksum can tell.
        var flipped = data
        flipped[flipped.count / 2] ^= 0xff
        try flipped.write(to: URL(fileURLWithPath: part))
        XCTAssertEqual(ReforecastPartMarker.state(task: "t0001", paths: paths, configHash: runner.manifest.configHash), .corrupt)

        let again = try runner.run(shard: 0)
        XCTAssertEqual(again.generated, ["t0001"])
        XCTAssertEqual(again.skipped, ["t0000"])
        try ReforecastMerger.merge(rundir: rundir, out: fx.path("after.nc"))
        XCTAssertEqual(try ReforecastFixture.bits(fx.path("before.nc"), variables: Self.variables),
                       try ReforecastFixture.bits(fx.path("after.nc"), variables: Self.variables))
    }

    func testMarkersRecordWhereTheTimeWent() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let rundir = fx.path("run")
        _ = try ReforecastPlanner.plan(fx.config(inits: .list(["2000-09-27"]), shards: 1), rundir: rundir, calibrate: false)
        try Parallel.withThreads(2) { _ = try ReforecastTaskRunner(rundir: rundir).run(shard: 0) }
        let m = try XCTUnwrap(ReforecastPartMarker.read(task: "t0000", paths: ReforecastPaths(rundir)))
        let t = try XCTUnwrap(m.times)
        XCTAssertEqual(t.threads, 2)
        XCTAssertGreaterThan(t.generateSeconds, 0)
        XCTAssertGreaterThan(t.writeSeconds, 0)
        XCTAssertGreaterThan(t.generateCPUSeconds, 0)
        XCTAssertGreaterThan(t.writeCPUSeconds, 0)
        XCTAssertLessThanOrEqual(t.generateSeconds + t.writeSeconds, m.seconds)
    }

    func testKilledWorkerLeavesNoPartAndRerunDoesOnlyMissingTasks() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let rundir = fx.path("run")
        let (manifest, _) = try ReforecastPlanner.plan(fx.config(inits: .all, members: 2, shards: 1), rundir: rundir, calibrate: false)
        let paths = ReforecastPaths(rundir)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ReforecastFixture.wxens())
        p.arguments = ["reforecast", "run", rundir, "--shard", "0", "--quiet"]
        p.environment = ProcessInfo.processInfo.environment.merging(["WXENS_THREADS": "1"]) { $1 }
        try p.run()
        // Kill it while it writes its second task (the temporary file of t0001 exists, t0000 is done).
        var inFlight: String? = nil
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.parts)) ?? []
            if let t = names.first(where: { $0.hasPrefix(".t0001.nc.tmp-") }) {
                kill(p.processIdentifier, SIGKILL)
                inFlight = t
                break
            }
            usleep(2000)
        }
        p.waitUntilExit()
        XCTAssertNotNil(inFlight, "the worker finished or stalled before it could be killed mid-write")
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: paths.part("t0001")), "a part appeared under its final name")
        XCTAssertTrue(FileManager.default.fileExists(atPath: paths.parts + "/" + inFlight!))
        let before = try ReforecastStatus.collect(rundir: rundir)
        XCTAssertEqual(before.tasks[0].state, .done)
        XCTAssertEqual(before.count(.done), 1, before.text)
        XCTAssertEqual(before.count(.pending), 3, before.text)
        let marker0 = try Data(contentsOf: URL(fileURLWithPath: paths.marker("t0000")))

        let summary = try ReforecastTaskRunner(rundir: rundir).run(shard: 0)
        XCTAssertEqual(summary.skipped, ["t0000"])
        XCTAssertEqual(summary.generated, manifest.tasks.dropFirst().map(\.id))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: paths.marker("t0000"))), marker0, "a done task was redone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: paths.parts + "/" + inFlight!), "the dead worker's temporary file was left")
        XCTAssertEqual(try ReforecastStatus.collect(rundir: rundir).count(.done), 4)
    }

    func testBadInputsAreRefusedBeforeAnyWork() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        func refused(_ c: ReforecastConfig, _ rundir: String, _ expected: (ReforecastError) -> Bool, _ what: String) {
            XCTAssertThrowsError(try ReforecastPlanner.plan(c, rundir: rundir, calibrate: true), what) { e in
                XCTAssert((e as? ReforecastError).map(expected) ?? false, "\(what): \(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: rundir), "\(what): RUNDIR was created")
        }
        var c = fx.config()
        c.checkpoint = fx.path("no-model")
        refused(c, fx.path("a"), { if case .missingCheckpoint = $0 { return true }; return false }, "missing checkpoint")
        c = fx.config(inits: .list(["2000-09-22", "2001-03-01"]))
        refused(c, fx.path("b"), { if case let .initTimeOutsideInput(t, _, _) = $0 { return t.hasPrefix("2001-03-01") }; return false }, "init time outside")
        c = fx.config(inits: .range(from: "2000-09-22", to: "2000-10-02", stepHours: 24))
        refused(c, fx.path("c"), { if case .initTimeOutsideInput = $0 { return true }; return false }, "range step off the input's inits")
        c = fx.config(members: 0)
        refused(c, fx.path("d"), { $0 == .badValue(name: "members", reason: "must be at least 1, is 0") }, "members 0")
        c = fx.config()
        c.leadTimes = [48]
        refused(c, fx.path("e"), { if case .leadTimeOutsideInput = $0 { return true }; return false }, "lead time")
        c = fx.config()
        c.generator = .vae
        refused(c, fx.path("f"), { if case .badValue(name: "generator", _) = $0 { return true }; return false }, "vae with a diffusion model")
        c = fx.config(shards: 4)
        refused(c, fx.path("g"), { if case .badValue(name: "shards", _) = $0 { return true }; return false }, "more shards than inits")

        let rundir = fx.path("planned")
        _ = try ReforecastPlanner.plan(fx.config(), rundir: rundir, calibrate: false)
        _ = try ReforecastPlanner.plan(fx.config(), rundir: rundir, calibrate: false)  // the same plan again is fine
        XCTAssertThrowsError(try ReforecastPlanner.plan(fx.config(seed: 12), rundir: rundir, calibrate: false)) { e in
            guard case .configMismatch = e as? ReforecastError else { return XCTFail("\(e)") }
        }
        // A manifest edited by hand no longer matches its hash.
        let mpath = rundir + "/" + ReforecastManifest.fileName
        let text = try String(contentsOfFile: mpath, encoding: .utf8).replacingOccurrences(of: "\"members\" : 2", with: "\"members\" : 4")
        try text.write(toFile: mpath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReforecastTaskRunner(rundir: rundir)) { e in
            guard case .configMismatch = e as? ReforecastError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try ReforecastTaskRunner(rundir: fx.path("nothing"))) { e in
            guard case .noManifest = e as? ReforecastError else { return XCTFail("\(e)") }
        }
    }

    func testConfigFileShapesAndDefaults() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let yaml = """
        generator: gee
        input: \(ReforecastFixture.validation)
        checkpoint: \(fx.model)
        init_times: {from: "2000-09-27", to: "2000-10-17", step_hours: 240}
        members: 4
        lead_times: [24, 120]
        """
        try yaml.write(toFile: fx.path("c.yaml"), atomically: true, encoding: .utf8)
        let c = try ReforecastConfig.read(fx.path("c.yaml"))
        XCTAssertEqual(c.initTimes, .range(from: "2000-09-27", to: "2000-10-17", stepHours: 240))
        XCTAssertEqual(c.shards, 1)
        XCTAssertEqual(c.seed, 0)
        XCTAssertEqual(c.batchSize, 8)
        let (m, _) = try ReforecastPlanner.manifest(for: c.resolved { _ in "unused" })
        XCTAssertEqual(m.tasks.map(\.initDate), ["2000-09-27T00:00:00", "2000-10-07T00:00:00", "2000-10-17T00:00:00"])
        XCTAssertEqual(m.leadIndices, [0, 2])
        XCTAssertEqual(m.leadHours, [24, 120])
        for (text, expected) in [("init_times: all", ReforecastInitTimes.all), ("init_times: [\"2000-10-02\"]", .list(["2000-10-02"]))] {
            try (yaml.replacingOccurrences(of: "init_times: {from: \"2000-09-27\", to: \"2000-10-17\", step_hours: 240}", with: text))
                .write(toFile: fx.path("d.yaml"), atomically: true, encoding: .utf8)
            XCTAssertEqual(try ReforecastConfig.read(fx.path("d.yaml")).initTimes, expected)
        }
        try "generator: gee\nmembers: 2\n".write(toFile: fx.path("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReforecastConfig.read(fx.path("e.yaml"))) { e in
            XCTAssert("\(e)".contains("input"), "\(e)")
        }
    }

    func testVerifyPartialsPerTaskMergeToTheScoresOfTheMergedFile() throws {
        let fx = try ReforecastFixture()
        defer { fx.remove() }
        let truth = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        var c = fx.config(inits: .range(from: "2000-09-22", to: "2000-10-02", stepHours: 120), members: 2, shards: 2)
        c.verifyTruth = truth
        let rundir = fx.path("run")
        _ = try ReforecastPlanner.plan(c, rundir: rundir, calibrate: false)
        XCTAssertThrowsError(try ReforecastManifest.verificationRuns(rundir)) { e in
            guard case .partsMissing = e as? ReforecastError else { return XCTFail("\(e)") }
        }
        let runner = try ReforecastTaskRunner(rundir: rundir)
        for s in 0..<2 { _ = try runner.run(shard: s) }
        let paths = ReforecastPaths(rundir)
        // A task whose partials are gone is not done: the next run verifies it again.
        try FileManager.default.removeItem(atPath: paths.verify("t0001") + "/partials.json")
        XCTAssertEqual(runner.manifest.state(of: "t0001", paths: paths), .corrupt)
        XCTAssertEqual(try runner.run(shard: 1).generated, ["t0001"])

        let fromPartials = try VerifyOutputs.merge(runs: try ReforecastManifest.verificationRuns(rundir), outDirectory: nil, figures: false)
        try ReforecastMerger.merge(rundir: rundir, out: fx.path("merged.nc"))
        let direct = try VerifyOutputs.verify(VerifyOptions(forecastPath: fx.path("merged.nc"), truthPath: truth, writeFigures: false))
        let a = fromPartials.rows, b = direct.rows
        XCTAssertEqual(a.map(\.metric), b.map(\.metric))
        XCTAssertEqual(Set(a.map(\.variable)), Set(ReforecastTests.variables))
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.variable, y.variable)
            XCTAssertEqual(x.leadTimeHours, y.leadTimeHours)
            XCTAssertEqual(x.value, y.value, accuracy: 1e-9 * max(1, abs(y.value)), "\(x.variable) \(x.leadTimeHours) \(x.metric)")
        }
        XCTAssert(a.contains { $0.metric == "crps" && $0.value > 0 })
        // `wxens verify merge` takes the RUNDIR itself.
        let cli = try ReforecastFixture.run(["verify", "merge", "--no-figures", "--out", fx.path("scores"), rundir])
        XCTAssertEqual(cli.status, 0, cli.err)
        XCTAssert(FileManager.default.fileExists(atPath: fx.path("scores") + "/scores.csv"))
    }
}
