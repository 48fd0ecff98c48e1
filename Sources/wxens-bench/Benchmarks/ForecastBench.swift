import ArgumentParser
import Foundation
import WXCore
import WXGenerative
import WXNN

/// `wxens-bench forecast`: member-steps per second of one VAE forecast step (`VAEForecaster.step`: inputs, prior,
/// latent draw, decoder, update) against the same step in PyTorch (`scripts/peers/vae_step_torch.py`, checked
/// against wxens by `VAEStepTorchTests`), both loading the same checkpoint, in the same run.
///
/// Rounds alternate which side goes first: in each round wxens times `--steps` steps in this process after
/// `--warmup` untimed ones, and the peer does the same in a child process of its own started for that round.
/// Reported: each side's best round (lowest median step), the ratio of the two, and the median of the per-round
/// ratios (the peer's median step over ours in the same round).
struct ForecastBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "VAE forecast member-steps per second (VAEForecaster.step) beside the same step in PyTorch.",
        discussion: "Member-steps/s are the batch over the median step time. Without --checkpoint the embedded model \(embeddedModel) is used if present, else a random-weight model with the sizes of --train-config.")

    /// The embedded model's directory, relative to the repository root.
    static let embeddedModel = "data/models/fuxi-vae"

    @Option(help: "VAE checkpoint directory (default: \(embeddedModel) if present, else a random-weight model).")
    var checkpoint: String?
    @Option(help: "Training config whose model sizes the random-weight model takes.")
    var trainConfig: String = "data/models/fuxi-vae.train.yaml"
    @Option(help: "Latitudes of the random-weight model's grid.")
    var randomHeight: Int = 48
    @Option(help: "Longitudes of the random-weight model's grid.")
    var randomWidth: Int = 96
    @Option(help: "Batch sizes (members per step), comma-separated.")
    var batch: String = "1,8"
    @Option(help: "Threads, both sides.")
    var threads: Int = 2
    @Option(help: "Rounds per batch size, alternating which side goes first.")
    var repeats: Int = 3
    @Option(help: "Timed steps per side and round (after the warm-up); the median is that round's time.")
    var steps: Int = 10
    @Option(help: "Untimed steps first, per side and round.")
    var warmup: Int = 2
    @Option(help: "wall: elapsed time; cpu: process CPU time.")
    var clock: BenchClock = .wall
    @Flag(help: "Print one JSON object per batch size instead of the table.")
    var json = false
    @Flag(help: "Skip PyTorch.")
    var noPeers = false
    @Option(help: "Python with torch and safetensors (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/vae_step_torch.py"

    var batches: [Int] { batch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var pythonPath: String { (try? PeerPython.resolve(python)) ?? ".venv-peers/bin/python" }

    /// One batch size's rounds: median seconds per step of each side in each round.
    struct Row {
        var batch: Int, ours: [Double], peer: [Double], torchVersion: String?
    }

    func run() throws {
        let sizes = batches
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch needs positive integers, got \(batch)") }
        guard threads >= 1, repeats >= 1, steps >= 1, warmup >= 0 else {
            throw ValidationError("--threads, --repeats and --steps must be positive, --warmup >= 0")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-forecast-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (path, described) = try resolveCheckpoint(scratch: scratch)
        let f = try VAEForecaster(checkpoint: path)
        let c = f.config
        if !json {
            let params = f.parameters.prior.scalarCount + f.parameters.decoder.scalarCount
            print("wxens-bench forecast  \(ISO8601DateFormatter().string(from: Date()))  load average \(NNBench.loadAverage())  clock \(clock)")
            print("model: \(described); \(c.variables.count) variables, latent \(c.latentChannels), grid \(c.latitudes.count) x \(c.longitudes.count); "
                  + "prior channels \(c.prior.channels), decoder channels \(c.decoder.channels) (mid attention \(c.decoder.midAttention)); "
                  + "\(params) parameters in prior + decoder")
            print("\(threads) threads; \(repeats) round(s) per batch size, \(steps) steps timed after \(warmup) warm-up per side and round")
        }
        var rows: [Row] = []
        for b in sizes {
            let inputs = scratch.appendingPathComponent("inputs-\(b).safetensors").path
            let (current, previous) = try Self.states(f, batch: b, file: inputs)
            var row = Row(batch: b, ours: [], peer: [], torchVersion: nil)
            for round in 0..<repeats {
                if round % 2 == 1, !noPeers { try runPeer(checkpoint: path, inputs: inputs, into: &row) }
                row.ours.append(NNBench.median(try timeOurs(f, current: current, previous: previous, batch: b)))
                if round % 2 == 0, !noPeers { try runPeer(checkpoint: path, inputs: inputs, into: &row) }
            }
            rows.append(row)
            if json { try printJSON(row) }
        }
        if !json { printTable(rows) }
    }

    /// Seconds of each timed `VAEForecaster.step` at batch `b`, member m of step s drawing from stream (0, m, s).
    func timeOurs(_ f: VAEForecaster, current: [Float], previous: [Float], batch b: Int) throws -> [Double] {
        var times: [Double] = []
        // The valid time matters only to models with forcings; the bench's models have none.
        let valid = try CFDateTime(year: 2000, month: 9, day: 22, hour: 6)
        try Parallel.withThreads(threads) {
            for s in 0..<(warmup + steps) {
                let t0 = clock.now()
                var streams = (0..<b).map { Philox(seed: 0, purpose: .latent, index: [0, UInt64($0), UInt64(s)]) }
                _ = try f.step(current: current, previous: previous, validTime: valid, streams: &streams)
                let t1 = clock.now()
                if s >= warmup { times.append(t1 - t0) }
            }
        }
        return times
    }

    /// Runs the peer once for the round and appends its median step.
    func runPeer(checkpoint: String, inputs: String, into row: inout Row) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pythonPath)
        process.arguments = [peerScript, "--checkpoint", checkpoint, "--inputs", inputs, "--threads", "\(threads)",
                             "--steps", "\(steps)", "--warmup", "\(warmup)", "--clock", clock.rawValue]
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["OPENBLAS_L2_SIZE"] = nil
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            throw ValidationError("cannot start \(pythonPath): \(error); install the peers with `bash scripts/install-peers.sh`, or use --no-peers to skip PyTorch")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let last = text.split(separator: "\n").last,
              let obj = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
              let seconds = (obj["seconds"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.doubleValue }), !seconds.isEmpty else {
            throw ValidationError("\(pythonPath) \(peerScript) failed (status \(process.terminationStatus)): \(text)")
        }
        row.peer.append(NNBench.median(seconds))
        row.torchVersion = obj["torch"] as? String
    }

    /// Member-steps per second, best round of each side, and the ratios.
    func summary(_ r: Row) -> (ours: Double, peer: Double?, ratio: Double?, medianRatio: Double?) {
        let ours = Double(r.batch) / r.ours.min()!
        guard let best = r.peer.min() else { return (ours, nil, nil, nil) }
        let peer = Double(r.batch) / best
        return (ours, peer, ours / peer, NNBench.median(zip(r.ours, r.peer).map { $1 / $0 }))
    }

    func printJSON(_ r: Row) throws {
        let s = summary(r)
        var obj: [String: Any] = ["batch": r.batch, "threads": threads, "wxens_member_steps_per_second": s.ours,
                                  "wxens_seconds": r.ours]
        if let peer = s.peer, let ratio = s.ratio, let m = s.medianRatio {
            obj["torch_member_steps_per_second"] = peer
            obj["torch_seconds"] = r.peer
            obj["ratio"] = ratio
            obj["ratio_median"] = m
            obj["torch"] = r.torchVersion ?? "?"
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    func printTable(_ rows: [Row]) {
        func f2(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "-" }
        func ms(_ v: [Double]) -> String { v.isEmpty ? "-" : v.map { String(format: "%.1f", 1000 * $0) }.joined(separator: ", ") }
        print("")
        print("| batch | threads | wxens member-steps/s | PyTorch member-steps/s | wxens / PyTorch (best/best) | median per-round ratio | wxens ms/step per round | PyTorch ms/step per round |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows {
            let s = summary(r)
            print("| \(r.batch) | \(threads) | \(f2(s.ours)) | \(f2(s.peer)) | \(s.ratio.map { String(format: "%.2fx", $0) } ?? "-") | "
                  + "\(s.medianRatio.map { String(format: "%.2fx", $0) } ?? "-") | \(ms(r.ours)) | \(ms(r.peer)) |")
        }
        print("")
        if let v = rows.compactMap(\.torchVersion).first { print("PyTorch \(v)") }
        print("load average at end: \(NNBench.loadAverage())")
    }
}
