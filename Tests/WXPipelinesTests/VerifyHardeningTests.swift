import XCTest
import WXCore
import WXIO
import WXPipelines
import WXVerification

/// Bad options and inputs to `verify` are refused up front with typed errors, and a failure leaves no output behind.
final class VerifyHardeningTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-verify-hard-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testMemorySizeTooLargeForIntIsABadOption() {
        XCTAssertThrowsError(try VerifyOptions.parseMemory("10000000000GB")) { e in
            guard case VerifyError.badOption(let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "--max-memory")
        }
        XCTAssertEqual(try VerifyOptions.parseMemory("2GB"), 2_000_000_000)
        XCTAssertEqual(try VerifyOptions.parseMemory("0.0001B"), 1)
    }

    func testDuplicateLeadTimesThresholdsAndEmptyOutAreRefused() throws {
        let (fs, ts) = VerifyTestData.sources()
        var o = VerifyTestData.options()
        o.leadTimesHours = [24, 24]
        XCTAssertThrowsError(try VerifyWorkflow.run(o, forecast: fs, truth: ts)) { e in
            XCTAssertEqual(e as? VerifyError, .badOption(name: "--lead-times", value: "24", reason: "given more than once"))
        }
        o = VerifyTestData.options(events: try EventDefinition.parseThresholds(">281,tas:>=1,>281"))
        XCTAssertThrowsError(try VerifyWorkflow.run(o, forecast: fs, truth: ts)) { e in
            XCTAssertEqual(e as? VerifyError, .badOption(name: "--thresholds", value: ">281", reason: "given more than once"))
        }
        o = VerifyTestData.options()
        o.outDirectory = ""
        XCTAssertThrowsError(try VerifyOutputs.verify(o)) { e in
            guard case VerifyError.badOption(let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "--out")
        }
    }

    func testZeroLengthMemberDimensionIsABadLayout() throws {
        let (fs, ts) = VerifyTestData.sources(forecast: VerifyTestData.forecast(members: 0))
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            guard case VerifyError.badLayout(let p, _, let reason) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(p, "forecast.nc")
            XCTAssertTrue(reason.contains("member") && reason.contains("length 0"), reason)
        }
    }

    func testTruthInOtherUnitsIsRefused() throws {
        var t = VerifyTestData.truth()
        t.attributes["units"] = .string("m2 s-2")
        let (fs, ts) = VerifyTestData.sources(truth: t)
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            XCTAssertEqual(e as? VerifyError, .unitsMismatch(forecast: "forecast.nc", forecastVariable: "tas", forecastUnits: "K",
                                                             truth: "truth.nc", truthVariable: "tas", truthUnits: "m2 s-2"))
            XCTAssertTrue("\(e)".contains("forecast.nc") && "\(e)".contains("truth.nc") && "\(e)".contains("m2 s-2"), "\(e)")
        }
    }

    func testRotatedLatitudesAreNotAreaWeighted() throws {
        func rotated(_ f: Field<Double>) -> Field<Double> {
            var f = f
            f.attributes["grid_mapping"] = .string("rotated_pole")
            f.coordinates["latitude"]?.attributes = ["units": .string("degrees"), "standard_name": .string("grid_latitude")]
            return f
        }
        let (fs, ts) = VerifyTestData.sources(forecast: rotated(VerifyTestData.forecast()), truth: rotated(VerifyTestData.truth()))
        XCTAssertThrowsError(try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)) { e in
            guard case VerifyError.badLayout(_, _, let reason) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("--no-area-weights"), reason)
        }
        var o = VerifyTestData.options()
        o.areaWeights = false
        XCTAssertFalse(try VerifyWorkflow.run(o, forecast: fs, truth: ts).accumulators.isEmpty)
    }

    func testFailedWriteLeavesNoOutput() throws {
        // A variable name with a slash cannot be a netCDF variable: scores.csv is written, scores.nc fails.
        let (fs, ts) = VerifyTestData.sources(forecast: VerifyTestData.forecast(name: "a/b"), truth: VerifyTestData.truth(name: "a/b"))
        let card = try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)
        XCTAssertThrowsError(try VerifyOutputs.write(card, toDirectory: dir.path, partials: true, figures: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path), "the output directory the failed run created is left behind")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTAssertThrowsError(try VerifyOutputs.write(card, toDirectory: dir.path, partials: true, figures: true))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "an existing output directory is kept, empty")
    }

    func testFailedRunRemovesOnlyTheDirectoriesItCreated() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var o = VerifyTestData.options()
        o.forecastPath = "/nonexistent/forecast.nc"
        o.outDirectory = dir.appendingPathComponent("runs/first").path
        XCTAssertThrowsError(try VerifyOutputs.verify(o))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "runs/first was created and not removed")
    }

    func testUnwritableOutIsFoundBeforeTheWork() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        var o = VerifyTestData.options()
        o.forecastPath = "/nonexistent/forecast.nc"
        o.outDirectory = file.appendingPathComponent("out").path
        XCTAssertThrowsError(try VerifyOutputs.verify(o)) { e in
            guard case VerifyError.cannotWrite(let p, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(p, o.outDirectory)
        }
    }

    func testMissingFileIsNamedOnce() throws {
        var o = VerifyTestData.options()
        o.forecastPath = "/nonexistent/forecast.nc"
        XCTAssertThrowsError(try VerifyOutputs.verify(o)) { e in
            XCTAssertEqual("\(e)".components(separatedBy: "/nonexistent/forecast.nc").count, 2, "\(e)")
        }
    }
}
