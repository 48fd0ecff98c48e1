import Foundation
import WXCore
import WXGenerative
import WXIO

/// A checked SEEDS run over one seeds file: the model, the file's axes, the seed members and the sampler, making
/// the members of any of the file's init times (`wxens generate` for all of them, a reforecast task for one).
///
/// Member k of (init i, lead l), i and l indices into the file's axes, draws from `Philox(seed, .sampling, [i, l, k])`
/// alone, so its bits do not depend on which other inits, leads or members are made with it, the batch size or the
/// thread count.
public struct SEEDSEnsemble: Sendable {
    /// The model.
    public let generator: SEEDSGenerator
    /// The model directory.
    public let checkpoint: String
    /// The seeds file.
    public let seedsPath: String
    /// Seed members (indices into the file's member axis).
    public let seedMembers: [Int]
    /// The sampler used (the model's, with the options' overrides).
    public let sampler: DiffusionSampler
    /// Every init time of the file, in its units.
    public let initTimes: [Double]
    /// The init-time axis description for output files (reference date and calendar of the file).
    public let timeReference: String, calendar: String
    /// The file's lead times (hours), latitudes and longitudes.
    public let leadHours: [Double], latitudes: [Double], longitudes: [Double]
    /// Output variables (names, units and CF names from the seeds file), in the model's channel order.
    public let variables: [CFDataVariable]
    /// Model lead index of each file lead.
    let modelLead: [Int]

    /// Loads the model and checks the seeds file against it (variables, layout, seed members, grid, leads, time units)
    /// and the sampler options, reading only the first init's values.
    public init(checkpoint: String, seedsPath: String, seedMembers: [Int]? = nil, steps: Int? = nil,
                method: DiffusionSampler.Method? = nil) throws {
        let generator = try SEEDSGenerator(checkpoint: checkpoint)
        let config = generator.config
        let file = try GriddedFiles.open(seedsPath)
        let names = Set(try file.allVariables().map { $0.name })
        if let missing = config.variables.first(where: { !names.contains($0) }) {
            throw DiffusionDataError.mismatch(path: seedsPath, detail: "no variable \(missing), which the model in \(checkpoint) needs")
        }
        let first = try ReforecastBlock.read(seedsPath, variables: config.variables, inits: 0..<1)
        let seedIdx = seedMembers ?? Array(0..<config.seedMembers)
        guard seedIdx.count == config.seedMembers else {
            throw DiffusionDataError.mismatch(path: seedsPath,
                detail: "the model conditions on \(config.seedMembers) seed members, --seed-members names \(seedIdx.count)")
        }
        if let bad = seedIdx.first(where: { $0 < 0 || $0 >= first.members }) {
            throw DiffusionDataError.mismatch(path: seedsPath, detail: "seed member \(bad) does not exist (the file has \(first.members) members)")
        }
        guard first.latitudes.count == config.latitudes, first.longitudes.count == config.longitudes,
              zip(first.latitudes, generator.statistics.latitudes).allSatisfy({ abs($0 - $1) < 1e-3 }),
              zip(first.longitudes, generator.statistics.longitudes).allSatisfy({ abs($0 - $1) < 1e-3 }) else {
            throw DiffusionDataError.mismatch(path: seedsPath,
                detail: "grid \(first.latitudes.count)x\(first.longitudes.count) differs from the model's \(config.latitudes)x\(config.longitudes)")
        }
        modelLead = try first.leadHours.map { h -> Int in
            guard let k = config.leadTimesHours.firstIndex(where: { abs($0 - h) < 1e-6 }) else {
                throw DiffusionDataError.mismatch(path: seedsPath, detail: "lead time \(h) h is not one the model was trained on (\(config.leadTimesHours))")
            }
            return k
        }
        let units = first.initCoordinate.attributes["units"]?.stringValue ?? ""
        guard units.hasPrefix("hours since ") else {
            throw DiffusionDataError.mismatch(path: seedsPath, detail: "init_time units '\(units)' are not 'hours since ...'")
        }
        var sampler = config.sampler
        if let s = steps {
            guard s > 0 else { throw DiffusionDataError.mismatch(path: seedsPath, detail: "--steps must be positive") }
            sampler.steps = s
        }
        if let m = method { sampler.method = m }
        variables = try config.variables.map { name -> CFDataVariable in
            let a = try file.variable(name).attributes
            return CFDataVariable(name: name, units: a["units"]?.stringValue ?? "1", standardName: a["standard_name"]?.stringValue,
                                  longName: a["long_name"]?.stringValue)
        }
        self.generator = generator
        self.checkpoint = checkpoint
        self.seedsPath = seedsPath
        self.seedMembers = seedIdx
        self.sampler = sampler
        initTimes = try file.readDoubles(first.initCoordinate.name)
        timeReference = String(units.dropFirst("hours since ".count))
        calendar = first.initCoordinate.attributes["calendar"]?.stringValue ?? "proleptic_gregorian"
        leadHours = first.leadHours
        latitudes = first.latitudes
        longitudes = first.longitudes
    }

    /// The init-time axis of an output holding inits `inits` (values in the file's units).
    public func timeAxis(_ inits: [Double]) -> CFTimeAxis { CFTimeAxis(hours: inits, reference: timeReference, calendar: calendar) }

    /// Global attributes recording the checkpoint, mode, seeds, seed members, seed and sampler.
    public func globalAttributes(seed: UInt64) -> CFGlobalAttributes {
        CFGlobalAttributes(title: "wxens SEEDS-style \(generator.config.mode.rawValue) ensemble", extra: [
            "wxens_checkpoint": .string(checkpoint), "wxens_mode": .string(generator.config.mode.rawValue),
            "wxens_seeds_file": .string(seedsPath), "wxens_seed_members": .string(seedMembers.map(String.init).joined(separator: ",")),
            "wxens_seed": .string(String(seed)), "wxens_sampler": .string(sampler.method.rawValue),
            "wxens_sampler_steps": .string(String(sampler.steps)),
        ])
    }

    /// Reads the seeds (all members) of the file's inits at indices `inits`.
    public func readSeeds(inits: Range<Int>) throws -> ReforecastBlock {
        try ReforecastBlock.read(seedsPath, variables: generator.config.variables, inits: inits)
    }

    /// Members `members` of every init of `block` (read with `readSeeds(inits:)` from `firstInit` on) at the file's
    /// lead indices `leads`, sampled `batchSize` (member, init, lead) cases at a time; element j is member
    /// `members[j]` as [init, lead, variable, lat, lon] in physical units.
    public func members(_ members: [Int], of block: ReforecastBlock, firstInit: Int, leads: [Int]? = nil, seed: UInt64,
                        batchSize: Int) throws -> [[Float]] {
        precondition(batchSize > 0, "SEEDSEnsemble: batch size must be positive")
        let leads = leads ?? Array(leadHours.indices)
        let nI = block.initTimes.count, nL = leads.count, n = block.stateSize
        let cases = (0..<nI * nL).map { c -> SEEDSGenerator.Case in
            let seeds = seedMembers.flatMap { m -> ArraySlice<Float> in
                let o = block.offset(init: c / nL, member: m, lead: leads[c % nL])
                return block.values[o ..< o + n]
            }
            return generator.makeCase(seeds: seeds, lead: modelLead[leads[c % nL]])
        }
        var out = members.map { _ in [Float](repeating: 0, count: nI * nL * n) }
        let work = members.indices.flatMap { j in cases.indices.map { (j, $0) } }
        for start in stride(from: 0, to: work.count, by: batchSize) {
            let batch = work[start ..< min(start + batchSize, work.count)]
            var streams = batch.map { j, c in
                Philox(seed: seed, purpose: .sampling, index: [UInt64(firstInit + c / nL), UInt64(leads[c % nL]), UInt64(members[j])])
            }
            let made = try generator.generate(batch.map { cases[$0.1] }, streams: &streams, sampler: sampler)
            for ((j, c), values) in zip(batch, made) { out[j].replaceSubrange(c * n ..< (c + 1) * n, with: values) }
        }
        return out
    }

    /// Writes one member [init, lead, variable, lat, lon] as member `index` of `writer` (whose variables are `variables`).
    public func write(member index: Int, values: [Float], to writer: CFEnsembleWriter) throws {
        let p = latitudes.count * longitudes.count, v = variables.count
        let states = values.count / (v * p)
        var plane = [Float](repeating: 0, count: states * p)
        for (vi, variable) in variables.enumerated() {
            for s in 0..<states { for q in 0..<p { plane[s * p + q] = values[(s * v + vi) * p + q] } }
            try writer.write(member: index, variable: variable.name, values: plane)
        }
    }
}
