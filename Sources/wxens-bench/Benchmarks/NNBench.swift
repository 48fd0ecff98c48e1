import ArgumentParser
import Foundation
import WXCore
import WXKernels
import WXNN

/// `wxens-bench nn`: training-step and inference throughput and peak memory of a denoiser-sized U-Net, wxens against
/// the same network in PyTorch (`scripts/golden/unet_torch.py`, checked against wxens by `UNetTorchGoldenTests`).
///
/// The bench writes the config and one set of random weights to a scratch directory; every measurement then runs in
/// a child process of its own (this executable with the hidden `--worker` option, or `scripts/peers/nn_bench_torch.py`)
/// that loads those weights strictly, times `--steps` steps after `--warmup` untimed ones and reports its peak RSS
/// (VmHWM), so that each figure is one mode at one thread count alone.
struct NNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "U-Net training step (forward + backward + AdamW) and inference throughput and peak RSS beside PyTorch.",
        discussion: "Samples/s are the batch over the median step time. Each (side, mode, thread count) runs in its own process; peak RSS is that process's VmHWM.")

    @Option(help: "Thread counts, comma-separated.")
    var threads: String = "1,2"
    @Option(help: "Batch size.")
    var batch: Int = 4
    @Option(help: "Grid latitudes.")
    var height: Int = 48
    @Option(help: "Grid longitudes.")
    var width: Int = 96
    @Option(help: "Channels per level, comma-separated.")
    var channels: String = "32,64,128"
    @Option(help: "Residual blocks per encoder level.")
    var resBlocks: Int = 1
    @Option(help: "Timed training steps per process (after the warm-up).")
    var steps: Int = 5
    @Option(help: "Timed inference passes per process (after the warm-up).")
    var inferenceSteps: Int = 10
    @Option(help: "Untimed steps first.")
    var warmup: Int = 2
    @Option(help: "Rounds: each (mode, thread count) runs this many times per side, alternating which side goes first; the fastest round of each side is reported.")
    var rounds: Int = 3
    @Option(help: "wall: elapsed time; cpu: process CPU time.")
    var clock: BenchClock = .wall
    @Flag(help: "Print one JSON object per line instead of tables.")
    var json = false
    @Flag(help: "Skip PyTorch.")
    var noPeers = false
    @Option(help: "Python with torch and safetensors (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/nn_bench_torch.py"
    @Option(help: ArgumentHelp("Run one measurement (train or infer) in this process and print it as JSON.", visibility: .hidden))
    var worker: String?
    @Option(help: ArgumentHelp("Directory holding config.json and weights.safetensors (worker mode).", visibility: .hidden))
    var workDir: String?

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// The benchmark's U-Net: a diffusion denoiser for 7 variables with 16 conditioning channels.
    func benchConfig() throws -> UNetConfig {
        let ch = channels.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let c = UNetConfig(inputChannels: 7, conditionChannels: 16, outputChannels: 7, channels: ch, resBlocks: resBlocks,
                           attentionLevels: [ch.count - 1], midAttention: true, attentionHeads: 4, groups: 8,
                           embeddingWidth: 128,
                           scalars: [ScalarFeatures(name: "noise", features: 32, minPeriod: 0.05, maxPeriod: 20),
                                     ScalarFeatures(name: "lead", features: 4, minPeriod: 0.5, maxPeriod: 8)],
                           padding: .globe, zeroInit: false)
        try c.validate(height: height, width: width)
        return c
    }

    func run() throws {
        let counts = threadCounts
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads needs positive integers, got \(threads)") }
        guard batch >= 1, steps >= 1, inferenceSteps >= 1, warmup >= 0, rounds >= 1 else {
            throw ValidationError("--batch, --steps, --inference-steps and --rounds must be positive")
        }
        if let worker {
            guard let workDir else { throw ValidationError("--worker needs --work-dir") }
            return try runWorker(mode: worker, dir: workDir, threads: counts[0])
        }

        let config = try benchConfig()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-nn-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(config).write(to: dir.appendingPathComponent("config.json"))
        let net = try UNet(config)
        var rng = SplitMix64(seed: 2026)
        let p = net.initialParameters(&rng)
        try SafeTensors.write(p.named(), metadata: ["format": "pt"], to: dir.appendingPathComponent("weights.safetensors").path)

        let load0 = Self.loadAverage()
        if !json {
            print("wxens-bench nn  \(ISO8601DateFormatter().string(from: Date()))  load average \(load0)  clock \(clock)")
            print("U-Net channels \(config.channels), res_blocks \(config.resBlocks), attention at level \(config.attentionLevels) + mid, "
                  + "\(config.inputChannels)+\(config.conditionChannels) -> \(config.outputChannels) channels, globe padding, "
                  + "\(p.scalarCount) parameters; batch \(batch) x \(height) x \(width); "
                  + "\(steps) training / \(inferenceSteps) inference steps timed after \(warmup) warm-up, median reported; \(rounds) round(s)")
        }
        var rows: [Row] = []
        for t in counts {
            for mode in ["train", "infer"] {
                func runOurs() throws -> Measurement {
                    try child(executable: Self.selfPath(), arguments: ["nn", "--worker", mode, "--work-dir", dir.path] + commonArguments(t, mode))
                }
                func runPeer() throws -> Measurement {
                    try child(executable: pythonPath, arguments: [peerScript, "--mode", mode, "--config",
                        dir.appendingPathComponent("config.json").path, "--weights", dir.appendingPathComponent("weights.safetensors").path]
                        + commonArguments(t, mode))
                }
                // Rounds alternate which side runs first; each side keeps its fastest round (lowest median step).
                var ours: Measurement? = nil, peer: Measurement? = nil
                func keep(_ m: Measurement, _ best: inout Measurement?) {
                    if best.map({ Self.median(m.seconds) < Self.median($0.seconds) }) ?? true { best = m }
                }
                for round in 0..<rounds {
                    if round % 2 == 1, !noPeers { keep(try runPeer(), &peer) }
                    keep(try runOurs(), &ours)
                    if round % 2 == 0, !noPeers { keep(try runPeer(), &peer) }
                }
                let row = Row(mode: mode, threads: t, ours: ours!, peer: peer)
                rows.append(row)
                if json { try printJSON(row) }
            }
        }
        if !json { printTables(rows, loadEnd: Self.loadAverage()) }
    }

    func commonArguments(_ t: Int, _ mode: String) -> [String] {
        ["--threads", "\(t)", "--batch", "\(batch)", "--height", "\(height)", "--width", "\(width)",
         "--steps", "\(mode == "train" ? steps : inferenceSteps)", "--warmup", "\(warmup)", "--clock", clock.rawValue]
    }

    var pythonPath: String { (try? PeerPython.resolve(python)) ?? ".venv-peers/bin/python" }

    static func selfPath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// One process's report.
    struct Measurement {
        var seconds: [Double], forward: [Double], backward: [Double], optimizer: [Double]
        var peakKB: Int, baselineKB: Int

        init(_ obj: [String: Any]) throws {
            func list(_ k: String) -> [Double] { (obj[k] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }
            seconds = list("seconds")
            forward = list("forward")
            backward = list("backward")
            optimizer = list("optimizer")
            peakKB = (obj["vmhwm_kb"] as? NSNumber)?.intValue ?? -1
            baselineKB = (obj["baseline_kb"] as? NSNumber)?.intValue ?? -1
            guard !seconds.isEmpty else { throw ValidationError("a child reported no times: \(obj)") }
        }
    }

    struct Row {
        var mode: String, threads: Int, ours: Measurement, peer: Measurement?
    }

    /// Runs a child to completion and parses the JSON object on the last line of its output.
    func child(executable: String, arguments: [String]) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["OPENBLAS_L2_SIZE"] = nil
        env["WXENS_THREADS"] = nil
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            throw ValidationError("cannot start \(executable): \(error)\(executable == pythonPath ? "; install the peers with `bash scripts/install-peers.sh`, or use --no-peers to skip PyTorch" : "")")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let last = text.split(separator: "\n").last,
              let obj = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(text)")
        }
        return try Measurement(obj)
    }

    /// One measurement in this process: builds the U-Net from the config, loads the weights strictly, times the steps.
    func runWorker(mode: String, dir: String, threads t: Int) throws {
        guard ["train", "infer"].contains(mode) else { throw ValidationError("--worker is train or infer, got \(mode)") }
        let baseline = Self.statusKB("VmRSS")
        let config = try JSONDecoder().decode(UNetConfig.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json")))
        let net = try UNet(config)
        var rng = SplitMix64(seed: 1)
        var p = net.initialParameters(&rng)
        try p.load(SafeTensors.read(dir + "/weights.safetensors").tensors, source: dir + "/weights.safetensors")
        var data = SplitMix64(seed: 7)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(Double(data.next() >> 11) * 0x1p-53 * 2 - 1) })
        }
        let x = random([batch, config.inputChannels, height, width])
        let cond = random([batch, config.conditionChannels, height, width])
        let s = random([batch, config.scalars.count])
        let target = random([batch, config.outputChannels, height, width])
        let adam = AdamW()
        var state = adam.makeState(for: p)

        var times: [Double] = [], fwd: [Double] = [], bwd: [Double] = [], opt: [Double] = []
        let weights = InferenceWeights()
        try Parallel.withThreads(t) {
            func step() throws -> (Double, Double, Double, Double) {
                let t0 = clock.now()
                if mode == "infer" {
                    _ = try net.infer(x, condition: cond, scalars: s, p, weights: weights)
                    let t1 = clock.now()
                    return (t1 - t0, t1 - t0, 0, 0)
                }
                let (y, cache) = try net.forward(x, condition: cond, scalars: s, p)
                _ = try MSELoss.forward(prediction: y, target: target)
                let gy = try MSELoss.backward(prediction: y, target: target)
                let t1 = clock.now()
                let g = try net.backward(gy, cache, p)
                let t2 = clock.now()
                adam.step(&p, gradients: g.parameters, state: &state, learningRate: 1e-4)
                let t3 = clock.now()
                return (t3 - t0, t1 - t0, t2 - t1, t3 - t2)
            }
            for _ in 0..<warmup { _ = try step() }
            for _ in 0..<(mode == "train" ? steps : inferenceSteps) {
                let (a, b, c, d) = try step()
                times.append(a); fwd.append(b); bwd.append(c); opt.append(d)
            }
        }
        var obj: [String: Any] = ["mode": mode, "threads": t, "seconds": times, "forward": fwd,
                                  "vmhwm_kb": Self.statusKB("VmHWM"), "baseline_kb": baseline, "parameters": p.scalarCount]
        if mode == "train" { obj["backward"] = bwd; obj["optimizer"] = opt }
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    /// A field of /proc/self/status in kB (-1 if absent).
    static func statusKB(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func printJSON(_ r: Row) throws {
        func side(_ m: Measurement) -> [String: Any] {
            ["samples_per_second": Double(batch) / Self.median(m.seconds), "seconds": m.seconds, "forward": m.forward,
             "backward": m.backward, "optimizer": m.optimizer, "peak_rss_kb": m.peakKB, "baseline_rss_kb": m.baselineKB]
        }
        var obj: [String: Any] = ["mode": r.mode, "threads": r.threads, "batch": batch, "height": height, "width": width,
                                  "wxens": side(r.ours)]
        if let p = r.peer {
            obj["torch"] = side(p)
            obj["ratio"] = Self.median(p.seconds) / Self.median(r.ours.seconds)
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    func printTables(_ rows: [Row], loadEnd: String) {
        func mib(_ kb: Int) -> String { kb < 0 ? "-" : String(format: "%.0f", Double(kb) / 1024) }
        func rate(_ m: Measurement) -> Double { Double(batch) / Self.median(m.seconds) }
        print("")
        print("| mode | threads | wxens samples/s | PyTorch samples/s | wxens / PyTorch | wxens peak RSS MiB | PyTorch peak RSS MiB (after import) |")
        print("|---|---|---|---|---|---|---|")
        for r in rows {
            let what = r.mode == "train" ? "training step" : "inference"
            let peerRate = r.peer.map { String(format: "%.2f", rate($0)) } ?? "-"
            let ratio = r.peer.map { String(format: "%.2fx", rate(r.ours) / rate($0)) } ?? "-"
            let peerMem = r.peer.map { "\(mib($0.peakKB)) (\(mib($0.baselineKB)))" } ?? "-"
            print("| \(what) | \(r.threads) | \(String(format: "%.2f", rate(r.ours))) | \(peerRate) | \(ratio) | "
                  + "\(mib(r.ours.peakKB)) | \(peerMem) |")
        }
        print("")
        print("Median milliseconds per step (batch \(batch)):")
        print("")
        print("| mode | threads | side | forward (+ loss) | backward | AdamW | total |")
        print("|---|---|---|---|---|---|---|")
        for r in rows {
            for (name, m) in [("wxens", r.ours)] + (r.peer.map { [("PyTorch", $0)] } ?? []) {
                func ms(_ v: [Double]) -> String { v.isEmpty ? "-" : String(format: "%.1f", 1000 * Self.median(v)) }
                let train = r.mode == "train"
                print("| \(r.mode) | \(r.threads) | \(name) | \(ms(m.forward)) | \(train ? ms(m.backward) : "-") | "
                      + "\(train ? ms(m.optimizer) : "-") | \(ms(m.seconds)) |")
            }
        }
        print("")
        print("load average at end: \(loadEnd)")
    }
}
