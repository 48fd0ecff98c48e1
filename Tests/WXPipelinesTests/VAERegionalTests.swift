import Foundation
import XCTest
import WXCore
import WXIO
import WXNN
import WXGenerative
import WXPipelines

/// The VAE on a regional, hourly, single-variable truth (ERA5 UK 2 m temperature, 33 x 49, limited area): a few
/// training steps at a 6-hour step with zero padding chosen from the grid, the forecast's reforecast layout on the
/// 33 x 49 grid, and typed errors for settings or files that do not fit.
final class VAERegionalTests: XCTestCase {
    static let uk = VerifyGoldenTests.shared.appendingPathComponent("data/real/era5_t2m_uk_2019-03.nc").path

    private var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: Self.uk) else {
            throw XCTSkip("the shared ERA5 UK file (../shared/data/real/era5_t2m_uk_2019-03.nc) is absent")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vae-uk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    private func config(padding: String? = nil, stepHours: String = "6", variables: String = "[t2m]",
                        truth: String = VAERegionalTests.uk, forcings: String? = nil, output: String = "model",
                        initialWeights: String? = nil) throws -> VAETrainingConfig {
        let yaml = """
        seed: 5
        output: \(dir.appendingPathComponent(output).path)
        \(initialWeights.map { "initial_weights: " + $0 } ?? "")
        data: {truth: \(truth), train_frames: [1, 60], validation_frames: [100, 130], validation_every: 6, step_hours: \(stepHours)}
        variables: \(variables)
        latent_channels: 2
        log_variance_limit: 6
        model:
          \(padding.map { "padding: " + $0 } ?? "")
          \(forcings.map { "forcings: " + $0 } ?? "")
          prior: {channels: [4, 8], res_blocks: 1, attention_levels: [], mid_attention: false, attention_heads: 1, groups: 2}
          posterior: {channels: [4, 8], res_blocks: 1, attention_levels: [], mid_attention: false, attention_heads: 1, groups: 2}
          decoder: {channels: [4, 8, 8], res_blocks: 1, attention_levels: [], mid_attention: true, attention_heads: 1, groups: 2}
        loss: {members: 2, beta: 0.1, latent: prior}
        training: {steps: 2, batch_size: 2, learning_rate: 1.0e-3, minimum_learning_rate: 0, warmup_steps: 1,
                   weight_decay: 0, gradient_clip: 1, ema_decay: 0.9, evaluate_every: 2, checkpoint_every: 1}
        """
        let path = dir.appendingPathComponent(output + ".train.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try VAETrainingConfig.read(path.path)
    }

    /// Two training steps on the hourly UK file at a 6-hour step: zero padding (the grid does not wrap), the 33 x 49
    /// grid kept, the increment scale that of 6-hour changes; then `wxens forecast` writes 2 members x 2 leads on
    /// that grid in the reforecast layout.
    func testTrainAFewStepsAndForecastOnTheUKGrid() throws {
        let c = try config()
        let result = try VAETrainingWorkflow.run(c, quiet: true)
        XCTAssertEqual(result.state.step, 2)
        XCTAssert(result.state.history.last!.validation.isFinite)
        let f = try VAEForecaster(checkpoint: c.output)
        XCTAssertEqual(f.stepHours, 6)
        XCTAssertEqual(f.variables, ["t2m"])
        XCTAssertEqual(f.latitudes.count, 33)
        XCTAssertEqual(f.longitudes.count, 49)
        XCTAssertEqual(f.latitudes.first, 58)
        for net in [f.config.prior, f.config.posterior, f.config.decoder] { XCTAssertEqual(net.padding, .zeros) }

        // The increment scale is that of changes over 6 frames (6 h), area-weighted, over frames 0 ... 60.
        let series = try TruthSeries.read(Self.uk, variables: ["t2m"])
        let plane = 33 * 49, rows = series.latitudes.map { cos($0 * .pi / 180) }
        var sum = 0.0, weight = 0.0
        for t in 6...60 {
            for p in 0..<plane {
                let d = Double(series.values[t * plane + p]) - Double(series.values[(t - 6) * plane + p])
                sum += rows[p / 49] * d * d
                weight += rows[p / 49]
            }
        }
        XCTAssertEqual(Double(f.statistics.incrementStd[0]), (sum / weight).squareRoot(), accuracy: 1e-4)

        let out = dir.appendingPathComponent("forecast.nc").path
        try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: Self.uk, members: 2, leadTimesHours: [6, 12], outPath: out,
                                                 initTimes: try InitTimeSelection(parsing: "2019-03-05T00:00,2019-03-05T12:00"),
                                                 seed: 1, quiet: true), forecaster: f)
        let field: Field<Float> = try GriddedFiles.open(out).readField("t2m")
        XCTAssertEqual(field.dimensions.map(\.role), [.initTime, .member, .leadTime, .latitude, .longitude])
        XCTAssertEqual(field.shape, [2, 2, 2, 33, 49])
        XCTAssertEqual(field.coordinate(.latitude)?.values, series.latitudes)
        XCTAssertEqual(field.coordinate(.longitude)?.values, series.longitudes)
        XCTAssertEqual(field.coordinate(.leadTime)?.values, [6, 12])
        XCTAssert(field.values.allSatisfy { $0.isFinite && (230...320).contains($0) })
        let n = 2 * plane
        XCTAssertNotEqual(Array(field.values[0 ..< n]), Array(field.values[n ..< 2 * n]), "members differ")
    }

    /// A model with forcings: two training steps record them in the checkpoint, its forecasts depend on the init's
    /// time of day through them (the same states started at another hour give other members), and a configuration
    /// without them refuses the checkpoint as its initial weights.
    func testForcingsAreRecordedUsedAndRequired() throws {
        let c = try config(forcings: "[toa_insolation, solar_time]")
        try VAETrainingWorkflow.run(c, quiet: true)
        let f = try VAEForecaster(checkpoint: c.output)
        XCTAssertEqual(f.config.forcings, [.toaInsolation, .solarTime])
        XCTAssertEqual(f.config.decoder.inputChannels, 2 + 2 + 3)
        let json = try String(contentsOfFile: c.output + "/config.json", encoding: .utf8)
        XCTAssert(json.contains("toa_insolation"), json)

        let series = try TruthSeries.read(Self.uk, variables: ["t2m"]), dates = try series.dates(path: Self.uk)
        let t = 60, x = Array(series.values[t * series.stateSize ..< (t + 1) * series.stateSize])
        let xm = Array(series.values[(t - 6) * series.stateSize ..< (t - 5) * series.stateSize])
        func members(_ start: CFDateTime) throws -> [Float] {
            try ForecastRollout.run(forecaster: f, current: x, previous: xm, initTime: start, initHours: 0, members: 2,
                                    leadSteps: [1, 2], seed: 1, batchSize: 2)
        }
        XCTAssertEqual(dates[t].hour, 12)
        XCTAssertNotEqual(try members(dates[t]), try members(try dates[t].adding(seconds: -12 * 3600)))

        let plain = try config(output: "plain", initialWeights: c.output)
        XCTAssertThrowsError(try VAETrainingWorkflow.run(plain, quiet: true)) { e in
            guard case let .invalid(field, reason)? = e as? ModelConfigError else { return XCTFail("\(e)") }
            XCTAssertEqual(field, "model.forcings")
            XCTAssert(reason.contains("toa_insolation"), reason)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: plain.output))
    }

    /// Globe padding on the limited-area grid, a step that is not a whole number of the file's hours, and a variable
    /// the file lacks are refused before training, each naming what is wrong.
    func testSettingsThatDoNotFitTheFileAreRefused() throws {
        let cases: [(VAETrainingConfig, String)] = [
            (try config(padding: "globe"), "model.padding"),
            (try config(stepHours: "2.5"), "data.step_hours"),
            (try config(stepHours: "0"), "data.step_hours"),
            (try config(variables: "[t850]"), "t850"),
        ]
        for (c, what) in cases {
            XCTAssertThrowsError(try VAETrainingWorkflow.run(c, quiet: true), what) { e in
                XCTAssert("\(e)".contains(what), "\(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: c.output), what)
        }
    }

    /// A UK model forecasting from a file on another grid, or for a variable the file lacks, gets a typed error
    /// naming the file and the variable before any output exists.
    func testForecastGridAndVariableMismatchesAreTypedErrors() throws {
        let series = try TruthSeries.read(Self.uk, variables: ["t2m"])
        func forecaster(_ variables: [String]) throws -> VAEForecaster {
            let c = try config().modelConfig(latitudes: series.latitudes, longitudes: series.longitudes, stepHours: 6)
            var c2 = c
            c2.variables = variables
            let m = try VAEModel(c2)
            var rng = SplitMix64(seed: 1)
            return try VAEForecaster(config: c2, parameters: m.initialParameters(&rng),
                                     statistics: VAEStatistics(mean: [280], std: [4], incrementStd: [2]))
        }
        let global = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        let out = dir.appendingPathComponent("out.nc").path
        func run(_ ic: String, _ f: VAEForecaster) throws {
            try ForecastWorkflow.run(ForecastOptions(initialConditionsPath: ic, members: 2, leadTimesHours: [6], outPath: out,
                                                     initTimes: .all, quiet: true), forecaster: f)
        }
        if FileManager.default.fileExists(atPath: global) {
            XCTAssertThrowsError(try run(global, try forecaster(["t2m"]))) { e in
                XCTAssertEqual(e as? ForecastError, .gridMismatch(path: global, variable: "t2m", detail: "48 latitudes, the model has 33"))
            }
        }
        XCTAssertThrowsError(try run(Self.uk, try forecaster(["msl"]))) { e in
            XCTAssertEqual(e as? ForecastError, .missingVariable(path: Self.uk, variable: "msl"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
