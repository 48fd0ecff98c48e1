import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative

/// One `VAEForecaster.step` against the same step in PyTorch (`scripts/peers/vae_step_torch.py --check`, the peer of
/// `wxens-bench forecast`): a small random-weight checkpoint written by wxens, loaded by both sides, the same states
/// and the same latent noise eps; run with the python in WXENS_PYTHON (skips when it is unset or lacks torch).
final class VAEStepTorchTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The interpreter in WXENS_PYTHON, or a skip when it is unset or cannot import torch and safetensors.
    func python() throws -> String {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"], !py.isEmpty else {
            throw XCTSkip("WXENS_PYTHON is not set: skipping the PyTorch check of a VAE step")
        }
        guard let o = Self.run(py, ["-c", "import torch, safetensors"]), o.status == 0 else {
            throw XCTSkip("\(py) cannot import torch and safetensors (bash scripts/install-peers.sh installs them): skipping the PyTorch check of a VAE step")
        }
        return py
    }

    /// Status and combined output of `executable` run to completion; nil when it cannot be started.
    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Three variables on a 16 x 32 grid, latent 2; a two-level prior and a two-level decoder with mid attention, all
    /// weights random (no zero-initialised layers, so every layer shapes the output).
    static func config() -> VAEConfig {
        let v = 3, z = 2, h = 16, w = 32, a = 2 * v + VAEConfig.staticChannels
        func net(_ cond: Int, _ out: Int, attention: Bool) -> UNetConfig {
            UNetConfig(inputChannels: a, conditionChannels: cond, outputChannels: out, channels: [8, 16], resBlocks: 1,
                       attentionLevels: [], midAttention: attention, attentionHeads: 2, groups: 4, embeddingWidth: 0,
                       scalars: [], padding: .globe, zeroInit: false)
        }
        return VAEConfig(variables: ["z500", "t850", "tcwv"], latitudes: (0..<h).map { 90 - (Double($0) + 0.5) * 180 / Double(h) },
                         longitudes: (0..<w).map { Double($0) * 360 / Double(w) }, stepHours: 6, latentChannels: z,
                         logVarianceLimit: 4, prior: net(0, 2 * z, attention: false), posterior: net(v, 2 * z, attention: false),
                         decoder: net(z, v, attention: true))
    }

    func testStepMatchesPyTorch() throws {
        let py = try python()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vae-torch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let config = Self.config(), model = try VAEModel(config)
        var rng = Philox(seed: 11, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let stats = VAEStatistics(mean: [54_000, 275, 18], std: [3_000, 12, 10], incrementStd: [400, 1.5, 2.5])
        let ckpt = dir.appendingPathComponent("vae").path
        try Checkpoint(config: try JSONEncoder().encode(config),
                       weights: Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }),
                       ema: nil, statistics: stats.tensors).write(to: ckpt)
        let f = try VAEForecaster(checkpoint: ckpt)

        // Two members from physical-unit states around the statistics.
        let b = 2, v = 3, z = config.latentChannels, h = 16, w = 32, plane = h * w, n = b * v * plane
        var noise = [Float](repeating: 0, count: 2 * n)
        var g = Philox(seed: 12, purpose: .sampling)
        noise.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        var current = [Float](repeating: 0, count: n), previous = current
        for i in 0..<n {
            let k = (i / plane) % v
            current[i] = stats.mean[k] + stats.std[k] * noise[i]
            previous[i] = current[i] - stats.incrementStd[k] * noise[n + i]
        }
        var streams = (0..<b).map { Philox(seed: 3, purpose: .latent, index: [0, UInt64($0), 1]) }
        // The eps the step draws: the same streams, copied before the step uses them.
        var copies = streams
        var eps = [Float](repeating: 0, count: b * z * plane)
        eps.withUnsafeMutableBufferPointer { e in
            for m in 0..<b { copies[m].fillNormal(UnsafeMutableBufferPointer(rebasing: e[m * z * plane ..< (m + 1) * z * plane])) }
        }
        let next = try f.step(current: current, previous: previous, validTime: try CFDateTime(year: 2000, month: 3, day: 21, hour: 6),
                              streams: &streams)

        let inputs = dir.appendingPathComponent("inputs.safetensors").path, output = dir.appendingPathComponent("torch.safetensors").path
        try SafeTensors.write([("current", Tensor(shape: [b, v, h, w], values: current)),
                               ("previous", Tensor(shape: [b, v, h, w], values: previous)),
                               ("eps", Tensor(shape: [b, z, h, w], values: eps))], to: inputs)
        let script = Self.root.appendingPathComponent("scripts/peers/vae_step_torch.py").path
        let o = try XCTUnwrap(Self.run(py, [script, "--checkpoint", ckpt, "--inputs", inputs, "--check", output, "--threads", "1"]))
        XCTAssertEqual(o.status, 0, o.output)
        let theirs = try XCTUnwrap(SafeTensors.read(output).tensors["next"], "no `next` in the peer's output")
        XCTAssertEqual(theirs.shape, [b, v, h, w])
        let t = theirs.array

        // The decoder's output d (the normalised increment, O(1) here) against PyTorch's: float32 on both sides summed
        // in different orders (Winograd and blocked GEMM against oneDNN; tanh and exp in Double against float32)
        // agree to ~1e-6 of max |d|; tolerance 1e-4 of max |d|, as UNetTorchGoldenTests.
        let a = f.statistics.inputs(current: current, previous: previous, batch: b, latitudes: config.latitudes, longitudes: w)
        let d = try f.model.sampleIncrement(inputs: a, epsilon: Tensor(shape: [b, z, h, w], values: eps), f.parameters).array
        let theirD = try XCTUnwrap(SafeTensors.read(output).tensors["increment"], "no `increment` in the peer's output").array
        let scale = theirD.map { abs(Double($0)) }.max()!
        let dError = zip(d, theirD).map { abs(Double($0) - Double($1)) }.max()! / scale
        XCTAssertLessThanOrEqual(dError, 1e-4, "increment: max |wxens - torch| / max |torch| = \(dError)")
        // The step drew the same eps as the copied streams: its states are x_t + s d for this d (to an ulp: fused or
        // separate rounding of the multiply-add).
        XCTAssert((0..<n).allSatisfy { abs(next[$0] - (current[$0] + stats.incrementStd[($0 / plane) % v] * d[$0])) <= next[$0].ulp },
                  "VAEForecaster.step used other latent noise than the copied streams give")

        // The next states, in units of each variable's increment_std s: besides the network's ~1e-6, x_t + s d is
        // rounded to float32 at x_t's scale on each side, and one ulp of t850 (275 K: 3.05e-5 K) is 2e-5 of its
        // s = 1.5 K. Tolerance 1e-4 of s: 5 ulps there, and far below any real mistake (a wrong channel, padding,
        // eps or log-variance moves the state by O(0.1-1) s).
        var worst = 0.0, largest = 0.0
        for i in 0..<n {
            let s = Double(stats.incrementStd[(i / plane) % v])
            worst = max(worst, abs(Double(next[i]) - Double(t[i])) / s)
            largest = max(largest, abs(Double(t[i]) - Double(current[i])) / s)
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "next: max |wxens - torch| / increment_std = \(worst)")
        XCTAssertGreaterThan(largest, 0.1, "the step moves the state (a degenerate model would pass trivially)")
        print("VAE step vs PyTorch: increment max |wxens - torch| / max |torch| = \(dError); "
              + "next max |wxens - torch| / increment_std = \(worst); largest |increment| / increment_std = \(largest)")
    }
}
