import Foundation
import XCTest
import WXCore
import WXIO
import WXNN
import WXGenerative
import WXPipelines

/// A tiny untrained SEEDS model, a scratch directory and the wxens executable for the reforecast tests.
final class ReforecastFixture {
    /// The validation block of the perfect-model set (12 inits x 31 members), the reforecasts' input.
    static let validation = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/reforecast_validation.nc").path
    /// The scratch directory (removed by `remove()`).
    let dir: URL
    /// The tiny model's directory.
    let model: String
    /// The input: the first 4 inits of the validation block, its members 0 and 1 and leads 24 and 120 h (small, so
    /// that debug builds sample it in seconds).
    let input: String

    /// Makes the scratch directory and the model; skips when the shared data is absent.
    init() throws {
        guard FileManager.default.fileExists(atPath: Self.validation) else {
            throw XCTSkip("\(Self.validation) is absent (the reforecast tests need ../shared)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-rf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        model = try Self.tinyModel(dir.appendingPathComponent("model").path)
        input = try Self.subset(of: Self.validation, inits: 4, members: 2, leads: [0, 2], to: dir.appendingPathComponent("seeds.nc").path)
    }

    /// Writes the first `inits` inits, first `members` members and lead indices `leads` of a reforecast-layout file.
    static func subset(of path: String, inits: Int, members: Int, leads: [Int], to out: String) throws -> String {
        let vars = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
        let b = try ReforecastBlock.read(path, variables: vars, inits: 0..<inits)
        let file = try GriddedFiles.open(path)
        let w = try NetCDFWriter(path: out)
        let h = b.latitudes.count, x = b.longitudes.count, p = h * x
        for (name, n) in [("init_time", inits), ("member", members), ("lead_time", leads.count), ("latitude", h), ("longitude", x)] {
            try w.defineDimension(name, size: n)
        }
        try w.defineVariable("init_time", type: .double, dimensions: ["init_time"], attributes: b.initCoordinate.attributes.filter {
            ["units", "calendar", "standard_name"].contains($0.key) })
        try w.defineVariable("member", type: .int32, dimensions: ["member"], attributes: ["standard_name": .string("realization")])
        try w.defineVariable("lead_time", type: .double, dimensions: ["lead_time"],
                             attributes: ["units": .string("hours"), "standard_name": .string("forecast_period")])
        try w.defineVariable("latitude", type: .float, dimensions: ["latitude"], attributes: ["units": .string("degrees_north")])
        try w.defineVariable("longitude", type: .float, dimensions: ["longitude"], attributes: ["units": .string("degrees_east")])
        for v in vars {
            let a = try file.variable(v).attributes
            try w.defineVariable(v, type: .float, dimensions: ["init_time", "member", "lead_time", "latitude", "longitude"],
                                 attributes: a.filter { ["units", "standard_name", "long_name"].contains($0.key) })
        }
        try w.write("init_time", values: b.initTimes)
        try w.write("member", values: (0..<members).map { Int32($0) })
        try w.write("lead_time", values: leads.map { b.leadHours[$0] })
        try w.write("latitude", values: b.latitudes.map { Float($0) })
        try w.write("longitude", values: b.longitudes.map { Float($0) })
        for (vi, v) in vars.enumerated() {
            var values: [Float] = []
            for i in 0..<inits { for m in 0..<members { for l in leads {
                let o = b.offset(init: i, member: m, lead: l) + vi * p
                values += b.values[o ..< o + p]
            } } }
            try w.write(v, values: values)
        }
        try w.finish()
        return out
    }

    /// Removes the scratch directory.
    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// A path in the scratch directory.
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// An untrained GEE model small enough to sample fast in debug builds (no attention: at 24 x 48 it dominates).
    static func tinyModel(_ path: String) throws -> String {
        let vars = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
        let block = try ReforecastBlock.read(GenerateWorkflowTests.seeds, variables: vars)
        let unet = UNetConfig(inputChannels: 7, conditionChannels: SEEDSConfig.conditionChannels(variables: 7), outputChannels: 7,
                              channels: [4, 8], resBlocks: 1, attentionLevels: [], midAttention: false, attentionHeads: 1,
                              groups: 2, embeddingWidth: 8,
                              scalars: [ScalarFeatures(name: "noise", features: 4, minPeriod: 0.1, maxPeriod: 10),
                                        ScalarFeatures(name: "lead", features: 2, minPeriod: 0.5, maxPeriod: 8)],
                              padding: .globe, zeroInit: false)
        let config = SEEDSConfig(architecture: "seeds-edm", mode: .gee, variables: vars, leadTimesHours: block.leadHours,
                                 seedMembers: 2, latitudes: 48, longitudes: 96, sigmaData: 1, trainingNoise: TrainingNoiseLevels(),
                                 sampler: DiffusionSampler(method: .heun, steps: 2), unet: unet, truthWeight: 0)
        try config.validate()
        var rng = Philox(seed: 1, purpose: .initialization)
        let p = try UNet(unet).initialParameters(&rng)
        let stats = SEEDSStatistics.compute(block, seeds: 1)
        try Checkpoint(config: try JSONEncoder().encode(config), weights: Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }),
                       ema: nil, statistics: stats.tensors).write(to: path)
        return path
    }

    /// A resolved configuration on the small input with the tiny model (one Heun step).
    func config(inits: ReforecastInitTimes = .list(["2000-09-27", "2000-10-02", "2000-10-07"]),
                members: Int = 2, shards: Int = 2, seed: UInt64 = 11) -> ReforecastConfig {
        ReforecastConfig(generator: .gee, checkpoint: model, input: input, initTimes: inits, members: members,
                         seed: seed, shards: shards, batchSize: 4, samplerSteps: 1).resolved { _ in "unused" }
    }

    /// The wxens executable built beside the test bundle.
    static func wxens() throws -> String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for d in candidates {
            let u = d.appendingPathComponent("wxens")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u.path }
        }
        throw XCTSkip("the wxens executable was not found beside the test bundle (build the package first)")
    }

    /// Runs wxens with `args`; returns its status, stdout and stderr.
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try wxens())
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The bits of every variable of a file, by name (values as read, CF-decoded float32).
    static func bits(_ path: String, variables: [String]) throws -> [String: [UInt32]] {
        let f = try GriddedFiles.open(path)
        var out: [String: [UInt32]] = [:]
        for v in variables {
            let field: Field<Float> = try f.readField(v)
            out[v] = field.values.map(\.bitPattern)
        }
        return out
    }
}
