import Foundation
import XCTest
import WXCore
import WXIO
import WXGenerative
import WXPipelines

/// `wxens forecast` with a mock one-step model on a small synthetic truth file: output layout and coordinates, member
/// bits independent of batch size, member count and init subset, typed errors before any output, and no output
/// under the final name after a failure mid-run.
final class ForecastWorkflowTests: XCTestCase {
    static let variables = ["a", "b"]
    static let latitudes: [Double] = [-60, -20, 20, 60]
    static let longitudes: [Double] = [0, 60, 120, 180, 240, 300]
    /// Six-hourly truth times (hours since the reference), 2000-01-01 00 UTC to 2000-01-06 00 UTC.
    static let hours: [Double] = stride(from: 0.0, through: 120, by: 6).map { $0 }
    static let reference = "2000-01-01 00:00:00"

    /// A damped-persistence model with per-point noise from each member's stream; optionally fails on its n-th call.
    struct MockForecaster: StepForecaster {
        var variables = ForecastWorkflowTests.variables
        var latitudes = ForecastWorkflowTests.latitudes
        var longitudes = ForecastWorkflowTests.longitudes
        var stepHours = 6.0
        var failOnCall: Int? = nil
        let calls = CallCounter()

        func step(current: [Float], previous: [Float], validTime: CFDateTime, streams: inout [Philox]) throws -> [Float] {
            if let n = failOnCall, calls.increment() == n { throw MockFailure() }
            let size = current.count / streams.count
            var next = current
            for b in streams.indices {
                for k in b * size ..< (b + 1) * size {
                    next[k] = current[k] + 0.5 * (current[k] - previous[k]) + Float(streams[b].nextNormal())
                }
            }
            return next
        }
    }

    /// Counts a mock's calls across copies.
    final class CallCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        /// Adds one call and returns the count so far.
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    }

    struct MockFailure: Error, Equatable {}

    /// A persistence model that records the valid time of every step it is asked for.
    struct TimeRecorder: StepForecaster {
        var variables = ForecastWorkflowTests.variables
        var latitudes = ForecastWorkflowTests.latitudes
        var longitudes = ForecastWorkflowTests.longitudes
        var stepHours = 6.0
        let log = TimeLog()

        func step(current: [Float], previous: [Float], validTime: CFDateTime, streams: inout [Philox]) throws -> [Float] {
            log.append(validTime)
            return current
        }
    }

    /// Valid times across copies.
    final class TimeLog: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [CFDateTime] = []
        func append(_ t: CFDateTime) { lock.lock(); times.append(t); lock.unlock() }
        var all: [CFDateTime] { lock.lock(); defer { lock.unlock() }; return times }
    }

    /// Step s of a rollout from init time T is asked for the state at T + s * step, batch after batch.
    func testRolloutPassesEachStepsValidTime() throws {
        let model = TimeRecorder(), start = try CFDateTime(year: 2000, month: 2, day: 28, hour: 18)
        let n = Self.variables.count * Self.latitudes.count * Self.longitudes.count
        _ = try ForecastRollout.run(forecaster: model, current: [Float](repeating: 1, count: n), previous: [Float](repeating: 0, count: n),
                                    initTime: start, initHours: 0, members: 3, leadSteps: [1, 3], seed: 0, batchSize: 2)
        let expected = try (1...3).map { try start.adding(seconds: Double($0) * 6 * 3600) }
        XCTAssertEqual(model.log.all, expected + expected)
        XCTAssertEqual(expected.last?.iso8601, "2000-02-29T12:00:00")
    }

    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-forecast-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The synthetic truth value of variable `v` at time index `t` and point `p`.
    static func truthValue(_ v: Int, _ t: Int, _ p: Int) -> Float {
        Float(250 + 30 * Double(v) + 5 * sin(0.4 * Double(t) + 0.7 * Double(p)) + 0.1 * Double(p))
    }

    /// Writes a (time, latitude, longitude) truth file; `poison` sets one value of a time index to NaN.
    @discardableResult
    private func writeTruth(_ name: String, hours: [Double] = ForecastWorkflowTests.hours, poison: Int? = nil) throws -> String {
        let p = Self.latitudes.count * Self.longitudes.count
        let w = try CFTimeSeriesWriter(path: path(name), times: CFTimeAxis(hours: hours, reference: Self.reference),
                                       latitudes: Self.latitudes, longitudes: Self.longitudes,
                                       variables: [CFDataVariable(name: "a", units: "K", standardName: "air_temperature", longName: "temperature"),
                                                   CFDataVariable(name: "b", units: "m s-1", longName: "wind")],
                                       global: CFGlobalAttributes(title: "forecast test truth"))
        for (v, name) in Self.variables.enumerated() {
            var values = (0..<hours.count * p).map { Self.truthValue(v, $0 / p, $0 % p) }
            if let t = poison, v == 1 { values[t * p + 3] = .nan }
            try w.write(variable: name, values: values)
        }
        try w.finish()
        return path(name)
    }

    /// The truth state [variable, lat, lon] at time index `t`.
    private static func state(_ t: Int) -> [Float] {
        let p = latitudes.count * longitudes.count
        return (0..<variables.count * p).map { truthValue($0 / p, t, $0 % p) }
    }

    /// Values of `variable` for (init, member) over (lead, lat, lon) from an output file.
    private func member(_ file: String, variable: String = "a", initIndex i: Int, member m: Int) throws -> [Float] {
        let f: Field<Float> = try GriddedFiles.open(file).readField(variable)
        let n = f.shape[2] * f.shape[3] * f.shape[4]
        let o = (i * f.shape[1] + m) * n
        return Array(f.values[o ..< o + n])
    }

    /// Files in the test directory other than `keep` (temporary outputs must not stay behind).
    private func strayFiles(keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !keep.contains($0) }
    }

    func testOutputLayoutCoordinatesAndValues() throws {
        let truth = try writeTruth("truth.nc")
        let out = path("out.nc")
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 3, leadTimesHours: [24, 12], outPath: out,
                                                 seed: 9, batchSize: 2, quiet: true, modelSource: "mock"), forecaster: MockForecaster())
        let file = try GriddedFiles.open(out)
        let f: Field<Float> = try file.readField("a")
        let inits = Self.hours.filter { $0.truncatingRemainder(dividingBy: 24) == 0 && Self.hours.contains($0 - 6) }
        XCTAssertEqual(f.dimensions.map(\.role), [.initTime, .member, .leadTime, .latitude, .longitude])
        XCTAssertEqual(f.dimensions.map(\.name), ["init_time", "member", "lead_time", "latitude", "longitude"])
        XCTAssertEqual(f.shape, [inits.count, 3, 2, Self.latitudes.count, Self.longitudes.count])
        XCTAssertEqual(f.coordinate(.initTime)?.values, inits)
        XCTAssertEqual(f.coordinate(.initTime)?.attributes["units"]?.stringValue, "hours since \(Self.reference)")
        XCTAssertEqual(f.coordinate(.initTime)?.attributes["calendar"]?.stringValue, "proleptic_gregorian")
        XCTAssertEqual(f.coordinate(.leadTime)?.values, [12, 24])
        XCTAssertEqual(f.coordinate(.member)?.values, [0, 1, 2])
        XCTAssertEqual(f.coordinate(.latitude)?.values, Self.latitudes)
        XCTAssertEqual(f.coordinate(.longitude)?.values, Self.longitudes)
        XCTAssertEqual(f.units, "K")
        XCTAssertEqual(f.standardName, "air_temperature")
        XCTAssertEqual(try file.readField("b", as: Float.self).units, "m s-1")
        let global = try file.attributes(ofGroup: "/")
        XCTAssertEqual(global["Conventions"]?.stringValue, "CF-1.8")
        XCTAssertEqual(global["wxens_checkpoint"]?.stringValue, "mock")
        XCTAssertEqual(global["wxens_seed"]?.stringValue, "9")

        // Member 2 of the second init, stepped here by hand from the truth states with its own streams.
        let i = 1, m = 2, t = Self.hours.firstIndex(of: inits[i])!
        var current = Self.state(t), previous = Self.state(t - 1), expected: [Float] = []
        for s in 1...4 {
            var streams = [Philox(seed: 9, purpose: .latent, index: [UInt64(inits[i]), UInt64(m), UInt64(s)])]
            let next = try MockForecaster().step(current: current, previous: previous, validTime: try CFDateTime(year: 2000, month: 1, day: 1),
                                                 streams: &streams)
            previous = current
            current = next
            if s == 2 || s == 4 { expected += current[0 ..< Self.latitudes.count * Self.longitudes.count] }
        }
        XCTAssertEqual(try member(out, initIndex: i, member: m), expected)
        XCTAssertEqual(try strayFiles(keep: ["truth.nc", "out.nc"]), [])
    }

    func testVerifyScoresTheOutputAgainstTheTruth() throws {
        let truth = try writeTruth("truth.nc")
        let out = path("out.nc")
        let leads: [Double] = [6, 24]
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 4, leadTimesHours: leads, outPath: out,
                                                 initTimes: try InitTimeSelection(parsing: "2000-01-02T00:00,2000-01-03T00:00"),
                                                 quiet: true), forecaster: MockForecaster())
        let card = try VerifyOutputs.verify(VerifyOptions(forecastPath: out, truthPath: truth, writeFigures: false))
        XCTAssertEqual(card.accumulators.count, Self.variables.count * leads.count)
    }

    func testMembersAreTheSameWhateverBatchSizeMemberCountOrInitSubset() throws {
        let truth = try writeTruth("truth.nc")
        let all = path("all.nc"), some = path("some.nc")
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 4, leadTimesHours: [6, 18, 30], outPath: all,
                                                 seed: 3, batchSize: 1, quiet: true), forecaster: MockForecaster())
        // Listed out of order and in two ISO 8601 spellings: the output is in time order.
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 3, leadTimesHours: [6, 18, 30], outPath: some,
                                                 initTimes: try InitTimeSelection(parsing: "2000-01-04T00:00:00Z, 2000-01-02T00:00"),
                                                 seed: 3, batchSize: 3, quiet: true), forecaster: MockForecaster())
        let allInits = try GriddedFiles.open(all).readField("a", as: Float.self).coordinate(.initTime)!.values
        let someInits = try GriddedFiles.open(some).readField("a", as: Float.self).coordinate(.initTime)!.values
        XCTAssertEqual(someInits, [24, 72])
        for (j, t) in someInits.enumerated() {
            let i = try XCTUnwrap(allInits.firstIndex(of: t))
            for m in 0..<3 {
                for v in Self.variables {
                    XCTAssertEqual(try member(all, variable: v, initIndex: i, member: m).map(\.bitPattern),
                                   try member(some, variable: v, initIndex: j, member: m).map(\.bitPattern), "init \(t) member \(m) \(v)")
                }
            }
        }
        XCTAssertNotEqual(try member(all, initIndex: 0, member: 0), try member(all, initIndex: 0, member: 1))
        // Another seed gives other members.
        let other = path("other.nc")
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 1, leadTimesHours: [6, 18, 30], outPath: other,
                                                 seed: 4, quiet: true), forecaster: MockForecaster())
        XCTAssertNotEqual(try member(all, initIndex: 0, member: 0), try member(other, initIndex: 0, member: 0))
    }

    func testInitTimeParsing() throws {
        XCTAssertEqual(try InitTimeSelection(parsing: " all "), .all)
        let day = try CFDateTime(year: 2000, month: 9, day: 22, calendar: .prolepticGregorian)
        XCTAssertEqual(try InitTimeSelection(parsing: "2000-09-22T00:00"), .times([day]))
        XCTAssertEqual(try InitTimeSelection(parsing: "2000-09-22T00:00:00Z,2000-09-22T06:00:00+06:00"), .times([day, day]))
        for bad in ["", "yesterday", "2000-09", "2000-13-01T00:00", "2000-09-22T25:00", "2000-09-22T00:00,", "2000-09-22T00:00 junk"] {
            XCTAssertThrowsError(try InitTimeSelection(parsing: bad), bad) { e in
                guard case ForecastError.invalidOption(option: "--init-times", _)? = e as? ForecastError else {
                    return XCTFail("\(bad): \(e)")
                }
            }
        }
    }

    func testBadInputsGiveTypedErrorsBeforeAnyOutput() throws {
        let truth = try writeTruth("truth.nc")
        let poisoned = try writeTruth("poisoned.nc", poison: 12)  // time index 12 is 2000-01-04 00 UTC
        let single = try writeTruth("single.nc", hours: [24])
        let ensemble = path("ensemble.nc")
        let w = try CFEnsembleWriter(path: ensemble, members: [0], times: CFTimeAxis(hours: Self.hours, reference: Self.reference),
                                     timeKind: .time, leadTimeHours: nil, latitudes: Self.latitudes, longitudes: Self.longitudes,
                                     variables: Self.variables.map { CFDataVariable(name: $0, units: "1") },
                                     global: CFGlobalAttributes(title: "an ensemble, not initial conditions"))
        let p = Self.latitudes.count * Self.longitudes.count
        for v in Self.variables { try w.write(member: 0, variable: v, values: [Float](repeating: 1, count: Self.hours.count * p)) }
        try w.finish()
        let out = path("out.nc")
        func options(_ ic: String? = nil, members: Int = 2, leads: [Double] = [24], inits: String = "all", batch: Int = 8) throws -> ForecastOptions {
            ForecastOptions(initialConditionsPath: ic ?? truth, members: members, leadTimesHours: leads, outPath: out,
                            initTimes: try InitTimeSelection(parsing: inits), batchSize: batch, quiet: true)
        }
        var otherVariables = MockForecaster(), shiftedGrid = MockForecaster(), coarserGrid = MockForecaster(), nearGrid = MockForecaster()
        otherVariables.variables = ["a", "c"]
        shiftedGrid.latitudes[2] += 0.01
        coarserGrid.longitudes = [0, 120, 240]
        nearGrid.latitudes[2] += 5e-5
        let cases: [(ForecastOptions, MockForecaster, ForecastError)] = [
            (try options(members: 0), MockForecaster(), .invalidOption(option: "--members", detail: "must be at least 1, is 0")),
            (try options(batch: 0), MockForecaster(), .invalidOption(option: "--batch-size", detail: "must be at least 1, is 0")),
            (try options(leads: [24, 9]), MockForecaster(),
             .invalidOption(option: "--lead-times", detail: "9 h is not a positive multiple of the model's 6 h step")),
            (try options(leads: [0]), MockForecaster(),
             .invalidOption(option: "--lead-times", detail: "0 h is not a positive multiple of the model's 6 h step")),
            (try options(leads: []), MockForecaster(), .invalidOption(option: "--lead-times", detail: "no lead times given")),
            (try options(inits: "2000-01-01T00:00"), MockForecaster(),
             .previousStateMissing(path: truth, time: "2000-01-01T00:00:00", previous: "1999-12-31T18:00:00")),
            (try options(inits: "2000-01-02T00:00,2000-01-09T00:00"), MockForecaster(), .initTimeMissing(path: truth, time: "2000-01-09T00:00:00")),
            (try options(inits: "2000-01-02T03:00"), MockForecaster(), .initTimeMissing(path: truth, time: "2000-01-02T03:00:00")),
            (try options(), otherVariables, .missingVariable(path: truth, variable: "c")),
            (try options(), shiftedGrid, .gridMismatch(path: truth, variable: "a",
                                                       detail: "latitude[2] is 20.0, the model's is \(shiftedGrid.latitudes[2])")),
            (try options(), coarserGrid, .gridMismatch(path: truth, variable: "a", detail: "6 longitudes, the model has 3")),
            (try options(ensemble), MockForecaster(), .layout(path: ensemble, variable: "a",
                                                              detail: "dimensions (member, time, latitude, longitude) are not (time, latitude, longitude)")),
            (try options(poisoned), MockForecaster(), .nonFinite(path: poisoned, variable: "b", time: "2000-01-04T00:00:00")),
            (try options(single), MockForecaster(), .noInitTimes(path: single, detail: "no 00 UTC time of the file has its state 6 h earlier")),
        ]
        for (o, model, expected) in cases {
            XCTAssertThrowsError(try ForecastWorkflow.run(o, forecaster: model), "\(expected)") { e in
                XCTAssertEqual(e as? ForecastError, expected)
                XCTAssertTrue("\(e)".contains(expected.description))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(expected)")
            XCTAssertEqual(try strayFiles(keep: ["truth.nc", "poisoned.nc", "single.nc", "ensemble.nc"]), [], "\(expected)")
        }
        // A grid within 1e-4 degrees of the model's is the same grid.
        try ForecastWorkflow.run(try options(), forecaster: nearGrid)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
    }

    func testValidationInitsOfTheNatureRunVerifyAgainstIt() throws {
        let dir = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model")
        let truth = dir.appendingPathComponent("truth.nc").path, validation = dir.appendingPathComponent("reforecast_validation.nc").path
        guard FileManager.default.fileExists(atPath: truth), FileManager.default.fileExists(atPath: validation) else {
            throw XCTSkip("shared perfect-model data not found at \(dir.path)")
        }
        let t2m: Field<Float> = try GriddedFiles.open(truth).readField("t2m", hyperslab: Hyperslab(start: [0, 0, 0], count: [1, 48, 96]))
        var model = MockForecaster()
        model.variables = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
        model.latitudes = try XCTUnwrap(t2m.coordinate(.latitude)).values
        model.longitudes = try XCTUnwrap(t2m.coordinate(.longitude)).values
        let initTime = try XCTUnwrap(try GriddedFiles.open(validation).readField("t2m", as: Float.self,
            hyperslab: Hyperslab(start: [0, 0, 0, 0, 0], count: [12, 1, 1, 1, 1])).coordinate(.initTime))
        let units = try CFTimeUnits(units: initTime.units ?? "", calendar: initTime.attributes["calendar"]?.stringValue)
        let list = try initTime.values.map { try units.date($0).iso8601 }.joined(separator: ",")
        let out = path("forecast.nc")
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 2, leadTimesHours: [24, 72, 120], outPath: out,
                                                 initTimes: try InitTimeSelection(parsing: list), quiet: true), forecaster: model)
        let f: Field<Float> = try GriddedFiles.open(out).readField("t2m")
        XCTAssertEqual(f.coordinate(.initTime)?.values, initTime.values)
        XCTAssertEqual(f.coordinate(.initTime)?.units, initTime.units)
        let card = try VerifyOutputs.verify(VerifyOptions(forecastPath: out, truthPath: truth, writeFigures: false))
        XCTAssertEqual(card.accumulators.count, model.variables.count * 3)
    }

    func testFailureMidRunLeavesNoFile() throws {
        let truth = try writeTruth("truth.nc")
        let out = path("out.nc")
        var failing = MockForecaster()
        failing.failOnCall = 3
        XCTAssertThrowsError(try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: truth, members: 2, leadTimesHours: [24],
                                                                      outPath: out, batchSize: 2, quiet: true), forecaster: failing)) { e in
            XCTAssertEqual(e as? MockFailure, MockFailure())
        }
        XCTAssertEqual(failing.calls.increment(), 4, "the run stopped at the failing step")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try strayFiles(keep: ["truth.nc"]), [])
    }

    /// Runs the built `wxens` with `args`; skips when the executable is not beside the test bundle.
    private func wxens(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                    Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        guard let exe = dirs.map({ $0.appendingPathComponent("wxens") }).first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("the wxens executable was not found beside the test bundle (build the package first)")
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testCommandLineRefusesBadArgumentsAndMissingModels() throws {
        let truth = try writeTruth("truth.nc")
        let out = path("out.nc")
        let base = ["forecast", "--initial-conditions", truth, "--members", "2", "--out", out, "--quiet"]
        for (extra, expected) in [(["--lead-times", "24,x"], "--lead-times"), (["--lead-times", "24", "--init-times", "02/01/2000"], "--init-times"),
                                  (["--lead-times", "24", "--init-times", "2000-01-02T00:00,soon"], "--init-times")] {
            let r = try wxens(base + extra)
            XCTAssertNotEqual(r.status, 0, extra.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
        }
        let missing = path("no-such-model")
        let r = try wxens(base + ["--lead-times", "24", "--checkpoint", missing])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("wxens: error:") && r.stderr.contains(missing), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
