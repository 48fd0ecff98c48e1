import Foundation
import XCTest
import WXCore
import WXIO
import WXNN
import WXGenerative
import WXPipelines

/// `wxens generate` with a tiny untrained model on data/sample/seeds.nc: output layout and provenance, member
/// bits independent of the member count, batch size and threads, and bad inputs refused before any work.
final class GenerateWorkflowTests: XCTestCase {
    static let seeds = VerifyGoldenTests.root.appendingPathComponent("data/sample/seeds.nc").path

    private func tinyModel(_ dir: URL) throws -> String {
        let vars = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
        let block = try ReforecastBlock.read(Self.seeds, variables: vars)
        let unet = UNetConfig(inputChannels: 7, conditionChannels: SEEDSConfig.conditionChannels(variables: 7), outputChannels: 7,
                              channels: [4, 8], resBlocks: 1, attentionLevels: [1], midAttention: false, attentionHeads: 1,
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
        let stats = SEEDSStatistics.compute(block, seeds: 1)  // the sample has only the 2 seeds
        let path = dir.appendingPathComponent("model").path
        try Checkpoint(config: try JSONEncoder().encode(config), weights: Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }),
                       ema: nil, statistics: stats.tensors).write(to: path)
        return path
    }

    private func member(_ path: String, _ k: Int) throws -> [Float] {
        let f: Field<Float> = try GriddedFiles.open(path).readField("t2m")
        let n = f.values.count / f.shape[0]
        return Array(f.values[k * n ..< (k + 1) * n])
    }

    func testGenerateIsReproducibleAndWellFormed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try tinyModel(dir)
        // The output's directories are made when missing (the README's first command writes into out/sample/).
        let a = dir.appendingPathComponent("runs/gee/a.nc").path, b = dir.appendingPathComponent("b.nc").path
        // Batches of 4 over 6 cases a member: members 0 and 1 are sampled in one call, their cases mixed in a batch.
        try GenerateWorkflow.run(GenerateOptions(seedsPath: Self.seeds, members: 3, outPath: a, checkpoint: model, seed: 5,
                                                 batchSize: 4, quiet: true))
        try Parallel.withThreads(1) {
            try GenerateWorkflow.run(GenerateOptions(seedsPath: Self.seeds, members: 2, outPath: b, checkpoint: model, seed: 5,
                                                     batchSize: 1, quiet: true))
        }
        let f: Field<Float> = try GriddedFiles.open(a).readField("z500")
        XCTAssertEqual(f.dimensions.map(\.role), [.member, .initTime, .leadTime, .latitude, .longitude])
        XCTAssertEqual(f.shape, [3, 2, 3, 48, 96])
        XCTAssert(f.values.allSatisfy { $0.isFinite })
        let global = try GriddedFiles.open(a).attributes(ofGroup: "/")
        XCTAssertEqual(global["wxens_mode"]?.stringValue, "gee")
        XCTAssertEqual(global["wxens_seed_members"]?.stringValue, "0,1")
        XCTAssertEqual(try member(a, 1).map(\.bitPattern), try member(b, 1).map(\.bitPattern))
        XCTAssertNotEqual(try member(a, 0), try member(a, 1))
    }

    func testBadInputsAreRefusedBeforeWork() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try tinyModel(dir)
        let out = dir.appendingPathComponent("o.nc").path
        func run(_ o: GenerateOptions) -> Error? {
            do { try GenerateWorkflow.run(o); return nil } catch { return error }
        }
        let cases: [(GenerateOptions, String)] = [
            (GenerateOptions(seedsPath: Self.seeds, members: 0, outPath: out, checkpoint: model), "--members"),
            (GenerateOptions(seedsPath: Self.seeds, members: 2, outPath: out, checkpoint: dir.appendingPathComponent("none").path), "no such checkpoint"),
            (GenerateOptions(seedsPath: Self.seeds, members: 2, outPath: out, checkpoint: model, seedMembers: [0, 2]), "seed member 2"),
            (GenerateOptions(seedsPath: Self.seeds, members: 2, outPath: out, checkpoint: model, seedMembers: [0]), "conditions on 2"),
            (GenerateOptions(seedsPath: VerifyGoldenTests.root.appendingPathComponent("data/sample/seeds_truth.nc").path,
                             members: 2, outPath: out, checkpoint: model), "are not (init_time, member"),
            (GenerateOptions(seedsPath: VerifyGoldenTests.root.appendingPathComponent("data/sample/forecast.nc").path,
                             members: 2, outPath: out, checkpoint: model), "no variable"),
        ]
        for (o, expected) in cases {
            let e = run(o)
            XCTAssertNotNil(e, expected)
            XCTAssert("\(e.map { "\($0)" } ?? "")".contains(expected), "\(e.map { "\($0)" } ?? "nil") should say \(expected)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
