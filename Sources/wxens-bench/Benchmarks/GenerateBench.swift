import ArgumentParser
import Foundation
import WXCore
import WXGenerative
import WXNN
import WXPipelines

/// `wxens-bench generate`: members per second of SEEDS generation with a checkpoint's default sampler, 2 seeds in and
/// B members per call (`SEEDSEnsemble.members`, the path of `wxens generate`), against the same denoiser and sampler
/// in PyTorch (`scripts/peers/seeds_generate_torch.py`: the U-Net of `scripts/golden/unet_torch.py` loaded strictly
/// from the same weights, the sampler of `scripts/golden/seeds_torch.py`), in the same run.
///
/// Before timing, both sides generate the same members from the same initial noise (drawn from wxens's streams and
/// handed to the peer) and the largest difference is reported, so the table compares two implementations of one
/// computation. Rounds alternate which side goes first; in each, wxens times `--steps` calls in this process after
/// `--warmup` untimed ones, and the peer the same in a child process started for that round.
struct GenerateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "SEEDS members per second (default sampler and steps) beside the same sampler and denoiser in PyTorch.",
        discussion: "Members/s are the batch over the median call. The default model is the embedded GEE checkpoint, the one `wxens generate` uses without --checkpoint.")

    @Option(help: "SEEDS checkpoint directory.")
    var checkpoint: String = "data/models/seeds-gee"
    @Option(help: "Seeds file (init_time, member, lead_time, latitude, longitude).")
    var seeds: String = "data/sample/seeds.nc"
    @Option(help: "Init index in the seeds file.")
    var initIndex: Int = 0
    @Option(help: "Lead index in the seeds file.")
    var leadIndex: Int = 0
    @Option(help: "Members per call (the batch), comma-separated.")
    var batch: String = "8"
    @Option(help: "Thread counts, comma-separated; both sides.")
    var threads: String = "2,1"
    @Option(help: "Rounds per (batch, threads), alternating which side goes first.")
    var rounds: Int = 3
    @Option(help: "Timed calls per side and round (after the warm-up); the median is that round's time.")
    var steps: Int = 2
    @Option(help: "Untimed calls first, per side and round.")
    var warmup: Int = 1
    @Option(help: "Members of the agreement check before timing (0: no check).")
    var checkMembers: Int = 2
    @Option(help: "wall: elapsed time; cpu: process CPU time.")
    var clock: BenchClock = .wall
    @Flag(help: "Print one JSON object per row instead of the table.")
    var json = false
    @Flag(help: "Skip PyTorch.")
    var noPeers = false
    @Option(help: "Python with torch and safetensors (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/seeds_generate_torch.py"

    var pythonPath: String { python ?? ProcessInfo.processInfo.environment["WXENS_PYTHON"] ?? ".venv-peers/bin/python" }

    static func list(_ s: String) -> [Int] { s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// One (batch, threads) row: the median seconds per call of each side in each round.
    struct Row {
        var batch: Int, threads: Int, ours: [Double], peer: [Double], torchVersion: String?
    }

    func run() throws {
        let sizes = Self.list(batch), counts = Self.list(threads)
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }), !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--batch and --threads need positive integers")
        }
        guard rounds >= 1, steps >= 1, warmup >= 0, checkMembers >= 0 else {
            throw ValidationError("--rounds and --steps must be positive, --warmup and --check-members >= 0")
        }
        let loadStart = NNBench.loadAverage()
        let ensemble = try SEEDSEnsemble(checkpoint: checkpoint, seedsPath: seeds)
        guard (0..<ensemble.initTimes.count).contains(initIndex), ensemble.leadHours.indices.contains(leadIndex) else {
            throw ValidationError("\(seeds) has \(ensemble.initTimes.count) inits and \(ensemble.leadHours.count) leads")
        }
        let block = try ensemble.readSeeds(inits: initIndex ..< initIndex + 1)
        let config = ensemble.generator.config
        guard let modelLead = config.leadTimesHours.firstIndex(where: { abs($0 - block.leadHours[leadIndex]) < 1e-6 }) else {
            throw ValidationError("lead \(block.leadHours[leadIndex]) h is not one of the model's")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-generate-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let n = block.stateSize
        let seedValues = ensemble.seedMembers.flatMap { m in block.values[block.offset(init: 0, member: m, lead: leadIndex) ..< block.offset(init: 0, member: m, lead: leadIndex) + n] }
        let shape = [config.variables.count, config.latitudes, config.longitudes]
        let inputs = scratch.appendingPathComponent("seeds.safetensors").path
        try SafeTensors.write([("seeds", Tensor(shape: [ensemble.seedMembers.count] + shape, values: Array(seedValues)))], to: inputs)

        let s = ensemble.sampler
        if !json {
            print("wxens-bench generate  \(ISO8601DateFormatter().string(from: Date()))  load average \(loadStart)  clock \(clock)")
            print("model \(checkpoint) (\(config.mode.rawValue)): U-Net channels \(config.unet.channels), "
                  + "\(ensemble.generator.parameters.scalarCount) parameters, \(config.variables.count) variables on "
                  + "\(config.latitudes) x \(config.longitudes); sampler \(s.method.rawValue), \(s.steps) steps "
                  + "(\(s.evaluations) denoiser evaluations), sigma \(s.schedule.sigmaMax)..\(s.schedule.sigmaMin), rho \(s.schedule.rho), churn \(s.churn)")
            print("seeds: members \(ensemble.seedMembers) of init \(initIndex), lead \(block.leadHours[leadIndex]) h of \(seeds); "
                  + "\(rounds) round(s), \(steps) call(s) timed after \(warmup) warm-up per side and round")
        }
        if checkMembers > 0, !noPeers {
            let c = try check(ensemble, block: block, modelLead: modelLead, inputs: inputs, scratch: scratch)
            if !json {
                print(String(format: "agreement, %d members from the same initial noise: |wxens - torch| max %.2e, rms %.2e residual sd "
                             + "(largest member deviation from the climatological mean: %.1f residual sd)", checkMembers, c.difference, c.rms, c.scale))
            }
        }

        var rows: [Row] = []
        for t in counts {
            for b in sizes {
                var row = Row(batch: b, threads: t, ours: [], peer: [], torchVersion: nil)
                for round in 0..<rounds {
                    if round % 2 == 1, !noPeers { try runPeer(inputs: inputs, modelLead: modelLead, batch: b, threads: t, into: &row) }
                    row.ours.append(NNBench.median(try timeOurs(ensemble, block: block, batch: b, threads: t)))
                    if round % 2 == 0, !noPeers { try runPeer(inputs: inputs, modelLead: modelLead, batch: b, threads: t, into: &row) }
                }
                rows.append(row)
                if json { try printJSON(row) }
            }
        }
        if !json { printTable(rows) }
    }

    /// Seconds of each timed call: B members of the init and lead, members numbered on from call to call.
    func timeOurs(_ ensemble: SEEDSEnsemble, block: ReforecastBlock, batch b: Int, threads t: Int) throws -> [Double] {
        var times: [Double] = []
        try Parallel.withThreads(t) {
            for call in 0..<(warmup + steps) {
                let t0 = clock.now()
                _ = try ensemble.members(Array(call * b ..< (call + 1) * b), of: block, firstInit: initIndex, leads: [leadIndex],
                                         seed: 0, batchSize: b)
                let t1 = clock.now()
                if call >= warmup { times.append(t1 - t0) }
            }
        }
        return times
    }

    /// Runs the peer once for the round and appends its median call.
    func runPeer(inputs: String, modelLead: Int, batch b: Int, threads t: Int, into row: inout Row) throws {
        let obj = try ChildJSON.run(pythonPath, [peerScript, "--checkpoint", checkpoint, "--inputs", inputs, "--lead-index", "\(modelLead)",
                                                 "--batch", "\(b)", "--threads", "\(t)", "--steps", "\(steps)", "--warmup", "\(warmup)",
                                                 "--clock", clock.rawValue], hint: "; use --no-peers to skip PyTorch")
        let seconds = ChildJSON.doubles(obj, "seconds")
        guard !seconds.isEmpty else { throw ValidationError("\(peerScript) reported no times: \(obj)") }
        row.peer.append(NNBench.median(seconds))
        row.torchVersion = obj["torch"] as? String
    }

    /// Members 0..<checkMembers from wxens and from the peer given the same initial noise (the first draws of each
    /// member's stream, all the default sampler draws without churn): the largest and rms difference and the largest member
    /// deviation from the climatological mean, both in units of the residual's sd (std q) per variable and point.
    func check(_ ensemble: SEEDSEnsemble, block: ReforecastBlock, modelLead: Int, inputs: String, scratch: URL) throws
        -> (difference: Double, rms: Double, scale: Double) {
        let g = ensemble.generator, n = block.stateSize, k = checkMembers
        guard ensemble.sampler.method == .dpmpp2m || ensemble.sampler.churn == 0 else {
            throw ValidationError("the agreement check needs a sampler without churn noise (use --check-members 0)")
        }
        let ours = try Parallel.withThreads(Self.list(threads)[0]) {
            try ensemble.members(Array(0..<k), of: block, firstInit: initIndex, leads: [leadIndex], seed: 0, batchSize: k)
        }
        var noise = [Float](repeating: 0, count: k * n)
        noise.withUnsafeMutableBufferPointer { buf in
            for m in 0..<k {
                var stream = Philox(seed: 0, purpose: .sampling, index: [UInt64(initIndex), UInt64(leadIndex), UInt64(m)])
                stream.fillNormal(UnsafeMutableBufferPointer(rebasing: buf[m * n ..< (m + 1) * n]))
            }
        }
        let checkInputs = scratch.appendingPathComponent("check-in.safetensors").path
        let out = scratch.appendingPathComponent("check-out.safetensors").path
        var tensors = try SafeTensors.read(inputs).tensors.map { (name: $0.key, tensor: $0.value) }
        tensors.append((name: "noise", tensor: Tensor(shape: [k, g.config.variables.count, g.config.latitudes, g.config.longitudes], values: noise)))
        try SafeTensors.write(tensors, to: checkInputs)
        _ = try ChildJSON.run(pythonPath, [peerScript, "--checkpoint", checkpoint, "--inputs", checkInputs, "--lead-index", "\(modelLead)",
                                            "--batch", "\(k)", "--threads", "\(Self.list(threads)[0])", "--check", out])
        let theirs = try required(SafeTensors.read(out).tensors["members"], "no `members` in \(out)").array
        let plane = g.config.latitudes * g.config.longitudes, v = g.config.variables.count
        let std = g.statistics.std.array, mean = g.statistics.mean.array, q = g.statistics.residualScale.array
        var worst = 0.0, largest = 0.0, squares = 0.0
        for m in 0..<k {
            for i in 0..<n {
                let unit = Double(std[modelLead * n + i]) * Double(q[modelLead * v + i / plane])
                let d = abs(Double(ours[m][i]) - Double(theirs[m * n + i])) / unit
                worst = max(worst, d)
                squares += d * d
                largest = max(largest, abs(Double(ours[m][i]) - Double(mean[modelLead * n + i])) / unit)
            }
        }
        return (worst, (squares / Double(k * n)).squareRoot(), largest)
    }

    /// `value`, or a validation error saying `what` is missing.
    func required<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw ValidationError(what) }
        return value
    }

    /// Members per second, best round of each side, and the ratios.
    func summary(_ r: Row) -> (ours: Double, peer: Double?, ratio: Double?, medianRatio: Double?) {
        let ours = Double(r.batch) / r.ours.min()!
        guard let best = r.peer.min() else { return (ours, nil, nil, nil) }
        let peer = Double(r.batch) / best
        return (ours, peer, ours / peer, NNBench.median(zip(r.ours, r.peer).map { $1 / $0 }))
    }

    func printJSON(_ r: Row) throws {
        let s = summary(r)
        var obj: [String: Any] = ["batch": r.batch, "threads": r.threads, "wxens_members_per_second": s.ours, "wxens_seconds": r.ours]
        if let peer = s.peer, let ratio = s.ratio, let m = s.medianRatio {
            obj["torch_members_per_second"] = peer
            obj["torch_seconds"] = r.peer
            obj["ratio"] = ratio
            obj["ratio_median"] = m
            obj["torch"] = r.torchVersion ?? "?"
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    func printTable(_ rows: [Row]) {
        func f2(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "-" }
        func sec(_ v: [Double]) -> String { v.isEmpty ? "-" : v.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
        print("")
        print("| members per call | threads | wxens members/s | PyTorch members/s | wxens / PyTorch (best/best) | median per-round ratio | wxens s/call per round | PyTorch s/call per round |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows {
            let s = summary(r)
            print("| \(r.batch) | \(r.threads) | \(f2(s.ours)) | \(f2(s.peer)) | \(s.ratio.map { String(format: "%.2fx", $0) } ?? "-") | "
                  + "\(s.medianRatio.map { String(format: "%.2fx", $0) } ?? "-") | \(sec(r.ours)) | \(sec(r.peer)) |")
        }
        print("")
        if let v = rows.compactMap(\.torchVersion).first { print("PyTorch \(v)") }
        print("load average at end: \(NNBench.loadAverage())")
    }
}
