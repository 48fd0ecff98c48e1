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
        let generator = try SEEDSGenerator(checkpoint: o.checkpoint)
        let config = generator.config
        let file = try GriddedFiles.open(o.seedsPath)
        let names = Set(try file.allVariables().map { $0.name })
        if let missing = config.variables.first(where: { !names.contains($0) }) {
            throw DiffusionDataError.mismatch(path: o.seedsPath, detail: "no variable \(missing), which the model in \(o.checkpoint) needs")
        }
        let block = try ReforecastBlock.read(o.seedsPath, variables: config.variables)
        let seedIdx = o.seedMembers ?? Array(0..<config.seedMembers)
        guard seedIdx.count == config.seedMembers else {
            throw DiffusionDataError.mismatch(path: o.seedsPath,
                detail: "the model conditions on \(config.seedMembers) seed members, --seed-members names \(seedIdx.count)")
        }
        if let bad = seedIdx.first(where: { $0 < 0 || $0 >= block.members }) {
            throw DiffusionDataError.mismatch(path: o.seedsPath, detail: "seed member \(bad) does not exist (the file has \(block.members) members)")
        }
        guard block.latitudes.count == config.latitudes, block.longitudes.count == config.longitudes,
              zip(block.latitudes, generator.statistics.latitudes).allSatisfy({ abs($0 - $1) < 1e-3 }),
              zip(block.longitudes, generator.statistics.longitudes).allSatisfy({ abs($0 - $1) < 1e-3 }) else {
            throw DiffusionDataError.mismatch(path: o.seedsPath,
                detail: "grid \(block.latitudes.count)x\(block.longitudes.count) differs from the model's \(config.latitudes)x\(config.longitudes)")
        }
        let leadIndex = try block.leadHours.map { h -> Int in
            guard let k = config.leadTimesHours.firstIndex(where: { abs($0 - h) < 1e-6 }) else {
                throw DiffusionDataError.mismatch(path: o.seedsPath, detail: "lead time \(h) h is not one the model was trained on (\(config.leadTimesHours))")
            }
            return k
        }
        let units = block.initCoordinate.attributes["units"]?.stringValue ?? ""
        guard units.hasPrefix("hours since ") else {
            throw DiffusionDataError.mismatch(path: o.seedsPath, detail: "init_time units '\(units)' are not 'hours since ...'")
        }
        var sampler = config.sampler
        if let s = o.steps {
            guard s > 0 else { throw DiffusionDataError.mismatch(path: o.outPath, detail: "--steps must be positive") }
            sampler.steps = s
        }
        if let m = o.method { sampler.method = m }

        let variables = try config.variables.map { name -> CFDataVariable in
            let a = try file.variable(name).attributes
            return CFDataVariable(name: name, units: a["units"]?.stringValue ?? "1", standardName: a["standard_name"]?.stringValue,
                                  longName: a["long_name"]?.stringValue)
        }
        let global = CFGlobalAttributes(title: "wxens SEEDS-style \(config.mode.rawValue) ensemble", extra: [
            "wxens_checkpoint": .string(o.checkpoint), "wxens_mode": .string(config.mode.rawValue),
            "wxens_seeds_file": .string(o.seedsPath), "wxens_seed_members": .string(seedIdx.map(String.init).joined(separator: ",")),
            "wxens_seed": .string(String(o.seed)), "wxens_sampler": .string(sampler.method.rawValue),
            "wxens_sampler_steps": .string(String(sampler.steps)),
        ])
        let writer = try CFEnsembleWriter(path: o.outPath, members: Array(0..<o.members),
            times: CFTimeAxis(hours: block.initTimes, reference: String(units.dropFirst("hours since ".count)),
                              calendar: block.initCoordinate.attributes["calendar"]?.stringValue ?? "proleptic_gregorian"),
            leadTimeHours: block.leadHours, latitudes: block.latitudes, longitudes: block.longitudes,
            variables: variables, global: global)
        do {
            let nI = block.initTimes.count, nL = block.leadHours.count, n = block.stateSize
            let cases = (0..<nI * nL).map { c -> SEEDSGenerator.Case in
                let i = c / nL, l = c % nL
                let seeds = seedIdx.flatMap { m -> ArraySlice<Float> in
                    let o = block.offset(init: i, member: m, lead: l)
                    return block.values[o ..< o + n]
                }
                return generator.makeCase(seeds: seeds, lead: leadIndex[l])
            }
            let progress = VerifyProgress(label: "generate", total: o.members, quiet: o.quiet, unit: "members")
            let p = block.plane
            for k in 0..<o.members {
                var member = [Float](repeating: 0, count: nI * nL * n)
                for start in stride(from: 0, to: cases.count, by: o.batchSize) {
                    let range = start ..< min(start + o.batchSize, cases.count)
                    var streams = range.map { c in
                        Philox(seed: o.seed, purpose: .sampling, index: [UInt64(c / nL), UInt64(c % nL), UInt64(k)])
                    }
                    let out = try generator.generate(Array(cases[range]), streams: &streams, sampler: sampler)
                    for (j, c) in range.enumerated() { member.replaceSubrange(c * n ..< (c + 1) * n, with: out[j]) }
                }
                for (vi, name) in config.variables.enumerated() {
                    var values = [Float](repeating: 0, count: nI * nL * p)
                    for c in 0..<nI * nL { for q in 0..<p { values[c * p + q] = member[c * n + vi * p + q] } }
                    try writer.write(member: k, variable: name, values: values)
                }
                progress.advance()
            }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
    }
}
