import ArgumentParser
import Foundation
import WXCore
import WXGenerative
import WXNN
import WXPipelines

/// `wxens-bench train`: training samples per second of one SEEDS training step -- noisy inputs y + sigma eps at
/// EDM's training noise levels, the preconditioned denoiser, the area-weighted EDM loss, backward, global-norm
/// clipping, AdamW and the moving average, as `Trainer` runs them for `wxens train diffusion` -- against the same step
/// in PyTorch (`scripts/peers/seeds_train_torch.py`, the step `SEEDSStepTorchGoldenTests` checks wxens against),
/// with the U-Net, batch and optimiser constants of a SEEDS training config.
///
/// The method of `wxens-bench nn`: the bench writes the step's description and one set of random weights to a scratch
/// directory; every measurement runs in a child process of its own (this executable with the hidden `--worker`
/// option, or the peer script) that loads those weights strictly, times `--steps` steps after `--warmup` untimed ones
/// on one fixed random batch and reports its peak RSS; rounds alternate which side goes first, each side's fastest
/// round is reported. Assembling a batch from the reforecast file (`SEEDSTrainingTask.makeBatch`) is not timed on
/// either side.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "SEEDS training step (EDM loss, forward + backward + clip + AdamW + EMA) samples/s beside the same step in PyTorch.",
        discussion: "Samples/s are the batch over the median step time. Each (side, thread count, round) runs in its own process; peak RSS is that process's VmHWM.")

    @Option(help: "SEEDS training config whose U-Net, batch and optimiser constants are used.")
    var config: String = "data/models/seeds-gee.train.yaml"
    @Option(help: "Batch size (default: the config's).")
    var batch: Int?
    @Option(help: "Grid latitudes.")
    var height: Int = 48
    @Option(help: "Grid longitudes.")
    var width: Int = 96
    @Option(help: "Thread counts, comma-separated.")
    var threads: String = "2,1"
    @Option(help: "Timed training steps per process (after the warm-up).")
    var steps: Int = 5
    @Option(help: "Untimed steps first.")
    var warmup: Int = 2
    @Option(help: "Rounds per thread count, alternating which side goes first; the fastest round of each side is reported.")
    var rounds: Int = 3
    @Option(help: "wall: elapsed time; cpu: process CPU time.")
    var clock: BenchClock = .wall
    @Flag(help: "Print one JSON object per row instead of tables.")
    var json = false
    @Flag(help: "Skip PyTorch.")
    var noPeers = false
    @Option(help: "Python with torch and safetensors (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/seeds_train_torch.py"
    @Flag(help: ArgumentHelp("Run one measurement in this process and print it as JSON.", visibility: .hidden))
    var worker = false
    @Option(help: ArgumentHelp("Directory holding step.json and weights.safetensors (worker mode).", visibility: .hidden))
    var workDir: String?

    var pythonPath: String { python ?? ProcessInfo.processInfo.environment["WXENS_PYTHON"] ?? ".venv-peers/bin/python" }

    /// What both sides run (`step.json`: the layout of the golden test's seeds_step.json, with the grid's width).
    struct Step: Codable {
        struct Training: Codable {
            var learningRate: Double, weightDecay: Double, gradientClip: Double, emaDecay: Double
            var beta1: Double, beta2: Double, eps: Double
            enum CodingKeys: String, CodingKey {
                case beta1, beta2, eps
                case learningRate = "learning_rate", weightDecay = "weight_decay", gradientClip = "gradient_clip", emaDecay = "ema_decay"
            }
        }
        var unet: UNetConfig, sigmaData: Double, trainingNoise: TrainingNoiseLevels, training: Training
        var latitudes: [Double], longitudes: Int, batch: Int
        enum CodingKeys: String, CodingKey {
            case unet, training, latitudes, longitudes, batch
            case sigmaData = "sigma_data", trainingNoise = "training_noise"
        }
    }

    /// The step of the training config on a regular `height` x `width` grid (cell-centre latitudes); every layer
    /// random (zero_init off), as in the middle of a training run.
    func makeStep() throws -> Step {
        let c = try SEEDSTrainingConfig.read(config)
        var model = try c.modelConfig(latitudes: height, longitudes: width, leadHours: [24, 72, 120])
        model.unet.zeroInit = false
        let o = c.trainerOptions
        // The rate of the first step after warm-up (the peak); the rate does not change a step's cost.
        return Step(unet: model.unet, sigmaData: model.sigmaData, trainingNoise: model.trainingNoise,
                    training: .init(learningRate: o.schedule.rate(at: o.schedule.warmupSteps + 1), weightDecay: o.optimizer.weightDecay,
                                    gradientClip: o.gradientClip ?? .infinity, emaDecay: o.emaDecay, beta1: o.optimizer.beta1,
                                    beta2: o.optimizer.beta2, eps: o.optimizer.eps),
                    latitudes: (0..<height).map { 90 - (Double($0) + 0.5) * 180 / Double(height) }, longitudes: width,
                    batch: batch ?? o.batchSize)
    }

    func run() throws {
        let counts = GenerateBench.list(threads)
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads needs positive integers, got \(threads)") }
        guard steps >= 1, warmup >= 0, rounds >= 1, (batch ?? 1) >= 1 else {
            throw ValidationError("--steps, --rounds and --batch must be positive, --warmup >= 0")
        }
        if worker {
            guard let workDir else { throw ValidationError("--worker needs --work-dir") }
            return try runWorker(dir: workDir, threads: counts[0])
        }
        let step = try makeStep()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-train-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(step).write(to: dir.appendingPathComponent("step.json"))
        var rng = Philox(seed: 2026, purpose: .initialization)
        let p = try UNet(step.unet).initialParameters(&rng)
        try SafeTensors.write(p.named(), metadata: ["format": "pt"], to: dir.appendingPathComponent("weights.safetensors").path)

        if !json {
            let u = step.unet, t = step.training
            print("wxens-bench train  \(ISO8601DateFormatter().string(from: Date()))  load average \(NNBench.loadAverage())  clock \(clock)")
            print("SEEDS step of \(config): U-Net channels \(u.channels), res_blocks \(u.resBlocks), attention \(u.attentionLevels) + mid, "
                  + "\(u.inputChannels)+\(u.conditionChannels) -> \(u.outputChannels) channels, \(p.scalarCount) parameters; "
                  + "batch \(step.batch) x \(height) x \(width); clip \(t.gradientClip), AdamW (wd \(t.weightDecay)), EMA \(t.emaDecay); "
                  + "\(steps) steps timed after \(warmup) warm-up, median reported; \(rounds) round(s)")
        }
        var rows: [Row] = []
        for t in counts {
            let common = ["--threads", "\(t)", "--steps", "\(steps)", "--warmup", "\(warmup)", "--clock", clock.rawValue]
            var ours: NNBench.Measurement? = nil, peer: NNBench.Measurement? = nil
            func keep(_ m: NNBench.Measurement, _ best: inout NNBench.Measurement?) {
                if best.map({ NNBench.median(m.seconds) < NNBench.median($0.seconds) }) ?? true { best = m }
            }
            func runOurs() throws -> NNBench.Measurement {
                try NNBench.Measurement(ChildJSON.run(NNBench.selfPath(), ["train", "--worker", "--work-dir", dir.path] + common))
            }
            func runPeer() throws -> NNBench.Measurement {
                try NNBench.Measurement(ChildJSON.run(pythonPath, [peerScript, "--step", dir.appendingPathComponent("step.json").path,
                                                                   "--weights", dir.appendingPathComponent("weights.safetensors").path] + common,
                                                      hint: "; use --no-peers to skip PyTorch"))
            }
            for round in 0..<rounds {
                if round % 2 == 1, !noPeers { keep(try runPeer(), &peer) }
                keep(try runOurs(), &ours)
                if round % 2 == 0, !noPeers { keep(try runPeer(), &peer) }
            }
            let row = Row(threads: t, batch: step.batch, ours: ours!, peer: peer)
            rows.append(row)
            if json { try printJSON(row) }
        }
        if !json { printTables(rows) }
    }

    struct Row {
        var threads: Int, batch: Int, ours: NNBench.Measurement, peer: NNBench.Measurement?
    }

    /// One measurement in this process: loads the step and the weights strictly, times the steps on one random batch.
    func runWorker(dir: String, threads t: Int) throws {
        let baseline = NNBench.statusKB("VmRSS")
        let step = try JSONDecoder().decode(Step.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/step.json")))
        let denoiser = Denoiser(net: try UNet(step.unet), preconditioning: EDMPreconditioning(sigmaData: step.sigmaData))
        var rng = Philox(seed: 1, purpose: .initialization)
        var p = denoiser.net.initialParameters(&rng)
        try p.load(SafeTensors.read(dir + "/weights.safetensors").tensors, source: dir + "/weights.safetensors")
        let b = step.batch, v = step.unet.outputChannels, h = step.latitudes.count, w = step.longitudes
        var data = Philox(seed: 7, purpose: .trainingNoise)
        func normal(_ shape: [Int]) -> Tensor {
            var x = Tensor(zeros: shape)
            x.withUnsafeMutableBufferPointer { data.fillNormal($0) }
            return x
        }
        let target = normal([b, v, h, w]), eps = normal([b, v, h, w]), condition = normal([b, step.unet.conditionChannels, h, w])
        let sigma = normal([b]).array.map { step.trainingNoise.sigma(Double($0)) }
        let lead = (0..<b).map { [0.2, 0.6, 1.0][$0 % 3] }
        let rows = step.latitudes.map { cos($0 * .pi / 180) }
        let tr = step.training
        let adam = AdamW(beta1: tr.beta1, beta2: tr.beta2, eps: tr.eps, weightDecay: tr.weightDecay)
        var state = adam.makeState(for: p)
        var ema = ExponentialMovingAverage<UNet.Parameters>(decay: tr.emaDecay)
        let per = v * h * w

        var times: [Double] = [], fwd: [Double] = [], bwd: [Double] = [], opt: [Double] = []
        try Parallel.withThreads(t) {
            for i in 0..<(warmup + steps) {
                let t0 = clock.now()
                let noisy = Tensor(unsafeUninitializedShape: target.shape) { out in
                    target.withUnsafeBufferPointer { y in eps.withUnsafeBufferPointer { e in
                        for k in 0..<out.count { out[k] = y[k] + Float(sigma[k / per]) * e[k] }
                    } }
                }
                let (d, cache) = try denoiser.forward(noisy, sigma: sigma, condition: condition, leadHours: lead, p)
                let (_, gD) = DenoisingLoss.evaluate(denoised: d, target: target, sigma: sigma, rowWeights: rows,
                                                     preconditioning: denoiser.preconditioning)
                let t1 = clock.now()
                var g = try denoiser.backward(gD, cache, p)
                let t2 = clock.now()
                GradientClipping.clip(&g, maxNorm: tr.gradientClip)
                adam.step(&p, gradients: g, state: &state, learningRate: tr.learningRate)
                ema.update(with: p)
                let t3 = clock.now()
                if i >= warmup { times.append(t3 - t0); fwd.append(t1 - t0); bwd.append(t2 - t1); opt.append(t3 - t2) }
            }
        }
        let obj: [String: Any] = ["threads": t, "seconds": times, "forward": fwd, "backward": bwd, "optimizer": opt,
                                  "vmhwm_kb": NNBench.statusKB("VmHWM"), "baseline_kb": baseline, "parameters": p.scalarCount]
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    func printJSON(_ r: Row) throws {
        func side(_ m: NNBench.Measurement) -> [String: Any] {
            ["samples_per_second": Double(r.batch) / NNBench.median(m.seconds), "seconds": m.seconds, "forward": m.forward,
             "backward": m.backward, "optimizer": m.optimizer, "peak_rss_kb": m.peakKB, "baseline_rss_kb": m.baselineKB]
        }
        var obj: [String: Any] = ["threads": r.threads, "batch": r.batch, "height": height, "width": width, "wxens": side(r.ours)]
        if let p = r.peer {
            obj["torch"] = side(p)
            obj["ratio"] = NNBench.median(p.seconds) / NNBench.median(r.ours.seconds)
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
    }

    func printTables(_ rows: [Row]) {
        func mib(_ kb: Int) -> String { kb < 0 ? "-" : String(format: "%.0f", Double(kb) / 1024) }
        func rate(_ r: Row, _ m: NNBench.Measurement) -> Double { Double(r.batch) / NNBench.median(m.seconds) }
        print("")
        print("| threads | wxens samples/s | PyTorch samples/s | wxens / PyTorch | wxens peak RSS MiB | PyTorch peak RSS MiB (after import) |")
        print("|---|---|---|---|---|---|")
        for r in rows {
            let peerRate = r.peer.map { String(format: "%.2f", rate(r, $0)) } ?? "-"
            let ratio = r.peer.map { String(format: "%.2fx", rate(r, r.ours) / rate(r, $0)) } ?? "-"
            let peerMem = r.peer.map { "\(mib($0.peakKB)) (\(mib($0.baselineKB)))" } ?? "-"
            print("| \(r.threads) | \(String(format: "%.2f", rate(r, r.ours))) | \(peerRate) | \(ratio) | \(mib(r.ours.peakKB)) | \(peerMem) |")
        }
        print("")
        print("Median milliseconds per step:")
        print("")
        print("| threads | side | forward + loss | backward | clip + AdamW + EMA | total |")
        print("|---|---|---|---|---|---|")
        for r in rows {
            for (name, m) in [("wxens", r.ours)] + (r.peer.map { [("PyTorch", $0)] } ?? []) {
                func ms(_ v: [Double]) -> String { v.isEmpty ? "-" : String(format: "%.1f", 1000 * NNBench.median(v)) }
                print("| \(r.threads) | \(name) | \(ms(m.forward)) | \(ms(m.backward)) | \(ms(m.optimizer)) | \(ms(m.seconds)) |")
            }
        }
        print("")
        print("load average at end: \(NNBench.loadAverage())")
    }
}
