import Foundation
import WXGenerative
import Yams

/// The YAML (or JSON) file of `wxens reforecast plan`: generator, checkpoint, input, init times, members, leads,
/// seed and sharding. Relative paths are taken from the current directory and stored absolute in the manifest.
public struct ReforecastConfig: Codable, Sendable, Equatable {
    /// The generator kind.
    public var generator: ReforecastGenerator
    /// The model directory (nil: the embedded model of the generator).
    public var checkpoint: String?
    /// The input: a seeds file for the diffusion generators, an initial-conditions file for the VAE.
    public var input: String
    /// Which init times of the input to run (VAE: `all` is every 00 UTC time with its state one step earlier).
    public var initTimes: ReforecastInitTimes
    /// Members per init time.
    public var members: Int
    /// Lead times in hours (nil: all of the input's; the VAE needs them, multiples of its step).
    public var leadTimes: [Double]?
    /// The run's random seed.
    public var seed: UInt64
    /// Shards the tasks are spread over (one Slurm array index or local worker job each).
    public var shards: Int
    /// Cases sampled together (diffusion) or members stepped together (VAE).
    public var batchSize: Int
    /// Diffusion: seed member indices of the input (nil: the first K).
    public var seedMembers: [Int]?
    /// Diffusion: sampler steps (nil: the model's).
    public var samplerSteps: Int?
    /// Diffusion: sampler method (nil: the model's).
    public var sampler: DiffusionSampler.Method?
    /// Truth to verify each task against (its partials go to RUNDIR/verify/<task> for `wxens verify merge`); nil: none.
    public var verifyTruth: String?

    enum CodingKeys: String, CodingKey {
        case generator, checkpoint, input, members, seed, shards, sampler
        case initTimes = "init_times", leadTimes = "lead_times", batchSize = "batch_size", seedMembers = "seed_members"
        case samplerSteps = "sampler_steps", verifyTruth = "verify_truth"
    }

    /// A configuration.
    public init(generator: ReforecastGenerator, checkpoint: String? = nil, input: String, initTimes: ReforecastInitTimes = .all,
                members: Int, leadTimes: [Double]? = nil, seed: UInt64 = 0, shards: Int = 1, batchSize: Int = 8,
                seedMembers: [Int]? = nil, samplerSteps: Int? = nil, sampler: DiffusionSampler.Method? = nil,
                verifyTruth: String? = nil) {
        self.generator = generator
        self.checkpoint = checkpoint
        self.input = input
        self.initTimes = initTimes
        self.members = members
        self.leadTimes = leadTimes
        self.seed = seed
        self.shards = shards
        self.batchSize = batchSize
        self.seedMembers = seedMembers
        self.samplerSteps = samplerSteps
        self.sampler = sampler
        self.verifyTruth = verifyTruth
    }

    /// Decodes with defaults: init_times all, seed 0, shards 1, batch_size 8.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generator = try c.decode(ReforecastGenerator.self, forKey: .generator)
        checkpoint = try c.decodeIfPresent(String.self, forKey: .checkpoint)
        input = try c.decode(String.self, forKey: .input)
        initTimes = try c.decodeIfPresent(ReforecastInitTimes.self, forKey: .initTimes) ?? .all
        members = try c.decode(Int.self, forKey: .members)
        leadTimes = try c.decodeIfPresent([Double].self, forKey: .leadTimes)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        shards = try c.decodeIfPresent(Int.self, forKey: .shards) ?? 1
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 8
        seedMembers = try c.decodeIfPresent([Int].self, forKey: .seedMembers)
        samplerSteps = try c.decodeIfPresent(Int.self, forKey: .samplerSteps)
        sampler = try c.decodeIfPresent(DiffusionSampler.Method.self, forKey: .sampler)
        verifyTruth = try c.decodeIfPresent(String.self, forKey: .verifyTruth)
    }

    /// Reads a YAML or JSON configuration file.
    public static func read(_ path: String) throws -> ReforecastConfig {
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ReforecastError.badConfig(path: path, reason: "no such file or not UTF-8 text")
        }
        do { return try YAMLDecoder().decode(ReforecastConfig.self, from: text) } catch {
            throw ReforecastError.badConfig(path: path, reason: "\(error)")
        }
    }

    /// Checks the numbers (members, shards, batch size, sampler steps) before any file is touched.
    public func validateValues() throws {
        guard members >= 1 else { throw ReforecastError.badValue(name: "members", reason: "must be at least 1, is \(members)") }
        guard shards >= 1 else { throw ReforecastError.badValue(name: "shards", reason: "must be at least 1, is \(shards)") }
        guard batchSize >= 1 else { throw ReforecastError.badValue(name: "batch_size", reason: "must be at least 1, is \(batchSize)") }
        if let s = samplerSteps, s < 1 { throw ReforecastError.badValue(name: "sampler_steps", reason: "must be at least 1, is \(s)") }
        if let l = leadTimes, l.isEmpty || Set(l).count != l.count {
            throw ReforecastError.badValue(name: "lead_times", reason: "must be a non-empty list without repeats")
        }
    }

    /// This configuration with absolute paths and the checkpoint filled in (`defaultCheckpoint` when none is given).
    public func resolved(defaultCheckpoint: (ReforecastGenerator) -> String) -> ReforecastConfig {
        func absolute(_ p: String) -> String {
            URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        }
        var c = self
        c.input = absolute(input)
        c.checkpoint = absolute(checkpoint ?? defaultCheckpoint(generator))
        c.verifyTruth = verifyTruth.map(absolute)
        return c
    }

    /// FNV-1a 64 of the configuration's canonical JSON (sorted keys): equal for equal configurations.
    public var hash: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return FNV1a64.hex(of: (try? enc.encode(self)) ?? Data())
    }
}
