import Foundation
import WXCore
import WXGenerative
import WXIO
import WXNN

/// What `wxens generate` is asked to do.
public struct GenerateOptions: Sendable {
    /// The seeds file (init_time, member, lead_time, latitude, longitude).
    public var seedsPath: String
    /// Members to generate.
    public var members: Int
    /// Output CF file.
    public var outPath: String
    /// The model directory.
    public var checkpoint: String
    /// The seed members used (indices into the file's member axis).
    public var seedMembers: [Int]?
    /// The run's seed.
    public var seed: UInt64
    /// Solver steps and method (the model's default when nil).
    public var steps: Int?, method: DiffusionSampler.Method?
    /// Cases per batch.
    public var batchSize: Int
    /// No progress output.
    public var quiet: Bool

    /// Options.
    public init(seedsPath: String, members: Int, outPath: String, checkpoint: String, seedMembers: [Int]? = nil, seed: UInt64 = 0,
                steps: Int? = nil, method: DiffusionSampler.Method? = nil, batchSize: Int = 8, quiet: Bool = false) {
        self.seedsPath = seedsPath
        self.members = members
        self.outPath = outPath
        self.checkpoint = checkpoint
        self.seedMembers = seedMembers
        self.seed = seed
        self.steps = steps
        self.method = method
        self.batchSize = batchSize
        self.quiet = quiet
    }
}

/// `wxens generate`: members from the seeds of every (init, lead) of a file, written one member at a time.
///
/// Member k of (init i, lead l) draws from `Philox(seed, .sampling, [i, l, k])` only, so it is the same bits whatever
/// the number of members, the batch size or the thread count.
public enum GenerateWorkflow {
    /// Checks everything, then generates and writes `options.outPath` (atomically).
    public static func run(_ o: GenerateOptions) throws {
        guard o.members > 0 else { throw DiffusionDataError.mismatch(path: o.outPath, detail: "--members must be positive, is \(o.members)") }
        guard o.batchSize > 0 else { throw DiffusionDataError.mismatch(path: o.outPath, detail: "--batch-size must be positive") }
        let ensemble = try SEEDSEnsemble(checkpoint: o.checkpoint, seedsPath: o.seedsPath, seedMembers: o.seedMembers,
                                         steps: o.steps, method: o.method)
        let block = try ensemble.readSeeds(inits: 0..<ensemble.initTimes.count)
        try CreatedDirectories.writing(o.outPath) {
            let writer = try CFEnsembleWriter(path: o.outPath, members: Array(0..<o.members), times: ensemble.timeAxis(block.initTimes),
                                              leadTimeHours: block.leadHours, latitudes: block.latitudes, longitudes: block.longitudes,
                                              variables: ensemble.variables, global: ensemble.globalAttributes(seed: o.seed))
            do {
                let progress = VerifyProgress(label: "generate", total: o.members, quiet: o.quiet, unit: "members")
                let group = membersPerCall(cases: block.initTimes.count * block.leadHours.count, batchSize: o.batchSize)
                for first in stride(from: 0, to: o.members, by: group) {
                    let ks = Array(first ..< min(first + group, o.members))
                    let made = try ensemble.members(ks, of: block, firstInit: 0, seed: o.seed, batchSize: o.batchSize)
                    for (k, member) in zip(ks, made) {
                        try ensemble.write(member: k, values: member, to: writer)
                        progress.advance()
                    }
                }
                try writer.finish()
            } catch {
                writer.discard()
                throw error
            }
        }
    }

    /// Members sampled in one call when each has `cases` (init, lead) cases: the fewest whose cases fill whole batches
    /// of `batchSize`, so that with one init time and three leads a batch of 8 is not cut to 3.
    static func membersPerCall(cases: Int, batchSize: Int) -> Int {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        guard cases > 0 else { return 1 }
        return batchSize / gcd(cases, batchSize)
    }
}
