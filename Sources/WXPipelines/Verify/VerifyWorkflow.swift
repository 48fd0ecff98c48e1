import Foundation
import WXVerification
import WXCore

/// `wxens verify`: aligns forecast and truth, streams over (init, lead) blocks and accumulates every score.
public enum VerifyWorkflow {
    /// Default cap on the data held at once.
    public static let defaultMaxMemory = 512 << 20

    /// The (forecast variable, truth variable) pairs the options ask for.
    public static func variablePairs(_ o: VerifyOptions, forecast: VerifySource, truth: VerifySource) throws -> [(String, String)] {
        if let f = o.forecastVariable ?? o.truthVariable {
            return [(o.forecastVariable ?? f, o.truthVariable ?? f)]
        }
        if let v = o.variables { return v.map { ($0, $0) } }
        let truthNames = Set(try truth.variableNames())
        var pairs: [(String, String)] = []
        for name in try forecast.variableNames() {
            let v = try forecast.variable(name)
            guard v.axis(.leadTime) != nil, truthNames.contains(name) else { continue }
            if truth === forecast || truth.path == forecast.path { continue }
            pairs.append((name, name))
        }
        guard !pairs.isEmpty else {
            let candidates = try forecast.variableNames().filter { (try? forecast.variable($0).axis(.leadTime)) != nil }
            if truth.path == forecast.path {
                throw VerifyError.noTruth(path: truth.path, reason: "the file holds forecast variables \(candidates) but no truth was named; if it stores its truth beside the forecast, pass --forecast-var and --truth-var, otherwise give --truth with a file of observations or analyses")
            }
            throw VerifyError.noTruth(path: truth.path, reason: "none of the forecast variables with a lead time \(candidates) is present in the truth (use --variables or --forecast-var/--truth-var)")
        }
        return pairs
    }

    /// Throws `unitsMismatch` when forecast and truth both state units and they differ (after trimming blanks).
    static func checkUnits(_ plan: VerificationPlan, forecast: VerifySource, truth: VerifySource) throws {
        func units(_ v: SourceVariable) -> String? {
            v.attributes["units"]?.stringValue?.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        guard let fu = units(plan.forecast), let tu = units(plan.truth), !fu.isEmpty, !tu.isEmpty, fu != tu else { return }
        throw VerifyError.unitsMismatch(forecast: forecast.path, forecastVariable: plan.forecast.name, forecastUnits: fu,
                                        truth: truth.path, truthVariable: plan.truth.name, truthUnits: tu)
    }

    /// Climatological statistics of one variable per point (from `wxens climatology`).
    public struct ClimatologyFields: Sendable {
        /// Mean per point.
        public var mean: [Double]
        /// Standard deviation per point.
        public var std: [Double]
        /// Quantile levels and their values per point.
        public var quantiles: [(level: Double, values: [Double])]
    }

    /// Reads the climatology of `truthName` for the plan's points.
    public static func climatology(_ src: VerifySource, truthName: String, plan: VerificationPlan) throws -> ClimatologyFields {
        func read(_ name: String) throws -> (SourceVariable, [Double]) {
            let v = try src.variable(name)
            let vals = try src.read(name, start: v.dimensions.map { _ in 0 }, count: v.dimensions.map(\.size))
            return (v, vals)
        }
        let (mv, mean) = try read("\(truthName)_mean")
        guard mean.count == plan.points else {
            throw VerifyError.gridMismatch(forecast: plan.forecast.name, truth: src.path, variable: truthName,
                                           reason: "climatology has \(mean.count) points, the forecast \(plan.points)")
        }
        if let g = plan.grid, let lat = mv.dimensions.first(where: { $0.role == .latitude }).flatMap({ mv.coordinates[$0.name]?.values }),
           zip(lat, g.latitudes).contains(where: { abs($0 - $1) > 1e-6 * max(1, abs($0)) }) {
            throw VerifyError.gridMismatch(forecast: plan.forecast.name, truth: src.path, variable: truthName, reason: "climatology latitudes differ")
        }
        let (_, std) = try read("\(truthName)_std")
        var qs: [(Double, [Double])] = []
        if let names = try? src.variableNames(), names.contains("\(truthName)_quantile") {
            let (qv, vals) = try read("\(truthName)_quantile")
            guard let qa = qv.dimensions.firstIndex(where: { $0.name == "quantile" }), qa == 0,
                  let levels = qv.coordinates["quantile"]?.values else {
                throw VerifyError.badLayout(path: src.path, variable: "\(truthName)_quantile", reason: "needs a leading 'quantile' dimension with a coordinate")
            }
            for (k, q) in levels.enumerated() { qs.append((q, Array(vals[(k * plan.points)..<((k + 1) * plan.points)]))) }
        }
        return ClimatologyFields(mean: mean, std: std, quantiles: qs)
    }

    /// Seconds spent reading (reader thread) and scoring (caller), printed to stderr at the end when the environment
    /// sets WXENS_VERIFY_PHASES (for profiling; reading overlaps scoring, so they may add up to more than the wall time).
    final class PhaseTimes: @unchecked Sendable {
        private let lock = NSLock()
        private var read: UInt64 = 0, score: UInt64 = 0
        private let start = DispatchTime.now().uptimeNanoseconds
        func add(read ns: UInt64) { lock.lock(); read += ns; lock.unlock() }
        func add(score ns: UInt64) { lock.lock(); score += ns; lock.unlock() }
        func report() {
            guard ProcessInfo.processInfo.environment["WXENS_VERIFY_PHASES"] != nil else { return }
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            FileHandle.standardError.write(Data(String(format: "verify phases: read %.3f s, score %.3f s, wall %.3f s\n",
                                                       Double(read) / 1e9, Double(score) / 1e9, wall).utf8))
        }
    }

    /// Forecast inits `i0..<i0+n` at one lead ([init][member][point]) and their truths ([init][point]), read on the
    /// reader thread into a reused buffer.
    struct Batch: @unchecked Sendable {
        var buffer: BatchBuffers.Buffer
    }

    /// Reads a batch into `buffer` through the sources' plane path when the layout has one, else by hyperslab.
    static func readBatch(_ plan: VerificationPlan, forecast: VerifySource, truth: VerifySource, inits i0: Int, count n: Int,
                          leadNumber ln: Int, into buffer: BatchBuffers.Buffer) throws -> Batch {
        let lead = plan.leads[ln]
        let P = plan.points, MP = plan.members * plan.points
        if try !plan.readForecastPlanes(forecast, inits: i0, count: n, lead: lead.index, into: buffer.forecast) {
            let f = try plan.readForecast(forecast, inits: i0, count: n, lead: lead.index)
            _ = UnsafeMutableBufferPointer(rebasing: buffer.forecast[0..<(n * MP)]).initialize(from: f)
        }
        if try !plan.readTruthPlanes(truth, inits: i0, count: n, leadNumber: ln, into: buffer.truth) {
            for j in 0..<n {
                let y = try plan.readTruth(truth, initIndex: i0 + j, leadNumber: ln)
                _ = UnsafeMutableBufferPointer(rebasing: buffer.truth[(j * P)..<((j + 1) * P)]).initialize(from: y)
            }
        }
        return Batch(buffer: buffer)
    }

    /// Runs verification over already-opened sources and returns the scorecard (no files written).
    public static func run(_ o: VerifyOptions, forecast: VerifySource, truth: VerifySource, climatology climSource: VerifySource? = nil) throws -> Scorecard {
        try o.validate()
        let pairs = try variablePairs(o, forecast: forecast, truth: truth)
        try EventDefinition.checkVariables(o.events, pairs: pairs, forecastPath: forecast.path)
        var plans: [(VerificationPlan, String)] = []
        for (f, t) in pairs {
            let plan = try VerificationPlan.make(forecast: forecast, forecastName: f, truth: truth, truthName: t,
                                                 leadTimesHours: o.leadTimesHours, areaWeights: o.areaWeights)
            try checkUnits(plan, forecast: forecast, truth: truth)
            plans.append((plan, t))
        }
        let cap = o.maxMemoryBytes ?? defaultMaxMemory
        let totalBlocks = plans.reduce(0) { $0 + $1.0.inits * $1.0.leads.count }
        let progress = VerifyProgress(label: "verify", total: totalBlocks, quiet: o.quiet)
        var accumulators: [VerificationAccumulator] = []
        var units: [String: String] = [:]
        var allEvents: [EventDefinition] = []
        let phases = PhaseTimes()
        defer { phases.report() }
        let buffers = BatchBuffers()
        for (plan, truthName) in plans {
            let fname = plan.forecast.name
            units[fname] = plan.forecast.attributes["units"]?.stringValue ?? plan.truth.attributes["units"]?.stringValue ?? ""
            var clim: ClimatologyFields? = nil
            if let cs = climSource { clim = try climatology(cs, truthName: truthName, plan: plan) }
            var events: [EventDefinition] = []
            var resolved: [ResolvedEvent] = []
            for e in o.events where e.variable == nil || e.variable == fname || e.variable == truthName {
                guard case .fixed(let t) = e.threshold else { continue }
                var named = e; named.variable = fname
                events.append(named)
                resolved.append(ResolvedEvent(comparison: e.comparison, thresholds: [t]))
            }
            if let c = clim {
                for e in EventDefinition.climatologyEvents(quantiles: c.quantiles.map(\.level)) {
                    var named = e; named.variable = fname
                    switch e.threshold {
                    case .climatologyQuantile(let q):
                        guard let vals = c.quantiles.first(where: { abs($0.level - q) < 1e-9 })?.values else { continue }
                        resolved.append(ResolvedEvent(comparison: e.comparison, thresholds: vals))
                    case .climatologyAnomaly(let k):
                        resolved.append(ResolvedEvent(comparison: e.comparison, thresholds: zip(c.mean, c.std).map { $0 + k * $1 }))
                    case .fixed: continue
                    }
                    events.append(named)
                }
            }
            allEvents += events
            let fixedBytes = plan.points * 8 * (3 + (clim.map { 2 + $0.quantiles.count } ?? 0) + resolved.count)
            let perInit = plan.bytesPerInit
            guard cap >= fixedBytes + perInit else {
                throw VerifyError.memoryCapTooSmall(capBytes: cap, needBytes: fixedBytes + perInit, variable: fname)
            }
            // Reading ahead holds two batches at once; below two inits' worth the batches are read and scored in turn.
            let ahead = cap >= fixedBytes + 2 * perInit
            let largest = max(1, min(plan.inits, (cap - fixedBytes) / ((ahead ? 2 : 1) * perInit)))
            // Batches of equal size (not the largest and a remainder): reads overlap scoring evenly and the two
            // reused buffers hold no more than the batches need.
            let batches = (plan.inits + largest - 1) / largest
            let batch = (plan.inits + batches - 1) / batches
            let scorer = BlockScorer(weights: plan.weights, events: resolved, climatologyMean: clim?.mean, nanPolicy: o.nanPolicy)
            let M = plan.members, P = plan.points
            var work: [(leadNumber: Int, i0: Int, n: Int)] = []
            for ln in plan.leads.indices {
                var i0 = 0
                while i0 < plan.inits { work.append((ln, i0, min(batch, plan.inits - i0))); i0 += batch }
            }
            var accs = try plan.leads.map { try VerificationAccumulator(variable: fname, leadTimeHours: $0.hours, members: M, events: events) }
            try ReadAhead.run(count: work.count, ahead: ahead, produce: { k in
                let (ln, i0, n) = work[k]
                let t0 = DispatchTime.now().uptimeNanoseconds
                defer { phases.add(read: DispatchTime.now().uptimeNanoseconds - t0) }
                // Every batch of the plan asks for its largest size, so the two buffers serve them all.
                let buffer = buffers.take(forecast: batch * M * P, truth: batch * P)
                return try readBatch(plan, forecast: forecast, truth: truth, inits: i0, count: n, leadNumber: ln, into: buffer)
            }, consume: { k, item in
                let t0 = DispatchTime.now().uptimeNanoseconds
                defer { phases.add(score: DispatchTime.now().uptimeNanoseconds - t0) }
                let (ln, i0, n) = work[k]
                let lead = plan.leads[ln]
                let fb = UnsafeBufferPointer(item.buffer.forecast), tb = UnsafeBufferPointer(item.buffer.truth)
                for j in 0..<n {
                    let y = UnsafeBufferPointer(rebasing: tb[(j * P)..<((j + 1) * P)])
                    let slice = UnsafeBufferPointer(rebasing: fb[(j * M * P)..<((j + 1) * M * P)])
                    let nanAt = try scorer.score(ScoreBlock(forecast: slice, truth: y, members: M, points: P), into: &accs[ln])
                    if let p = nanAt, o.nanPolicy == .raise {
                        let isTruth = !y[p].isFinite
                        throw VerifyError.nanFound(path: isTruth ? truth.path : forecast.path, variable: isTruth ? plan.truth.name : fname,
                                                   where: "init index \(i0 + j), lead \(VerificationPlan.hoursText(lead.hours)) h, point \(p)")
                    }
                    progress.advance()
                }
                buffers.give(item.buffer)
            })
            accumulators += accs
        }
        let meta = VerificationMetadata(forecastPaths: [forecast.path], truthPaths: [truth.path], climatologyPath: climSource?.path,
                                        areaWeighted: plans.contains { $0.0.areaWeighted }, nanPolicy: o.nanPolicy,
                                        units: units, events: allEvents,
                                        initPeriod: plans.compactMap { $0.0.initPeriod }.reduce(InitPeriod?.none) { $1.union($0) })
        return Scorecard(accumulators: accumulators, metadata: meta)
    }
}
