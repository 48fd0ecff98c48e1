import ArgumentParser
import Dispatch
import Foundation
import WXCore
import WXKernels

/// `wxens-bench kernels`: conv2d 3x3 forward / backward GFLOP/s against onnxruntime, PyTorch and OpenBLAS sgemm.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "conv2d 3x3 stride 1 pad 1 forward, backward-data and backward-weights GFLOP/s beside onnxruntime and PyTorch.",
        discussion: "GFLOP/s count 2*N*Cin*Cout*9*H*W per pass for every algorithm, so a Winograd pass (fewer multiplies) shows its speed as the direct convolution's equivalent, and may exceed sgemm's.")

    /// The default shapes: N, Cin, Cout, H, W.
    static let defaultShapes: [[Int]] = [
        [8, 64, 64, 64, 128], [8, 128, 128, 32, 64], [1, 32, 32, 181, 360],
        [8, 64, 64, 48, 96], [8, 128, 128, 24, 48], [8, 256, 256, 12, 24],
    ]

    @Option(help: "Shapes as \"N,Cin,Cout,H,W;...\" (default: the six issue-3 shapes).")
    var shapes: String?
    @Option(help: "Thread counts, comma-separated.")
    var threads: String = "1,2"
    @Option(help: "Rounds: after a warm-up, each pass is timed this many times for us and for its peer, interleaved; the best of each is reported, and the median of the per-round ratios.")
    var repeats: Int = 5
    @Option(help: "wall: elapsed time; cpu: process CPU time, for 1-thread runs on a loaded shared machine (ours and the peers alike).")
    var clock: BenchClock = .wall
    @Option(help: "Our padding: zeros (as the peers), globe (reflect latitude, circular longitude), circular or reflect; the peers stay zero-padded.")
    var padding: String = "zeros"
    @Option(help: "Our algorithm for forward and backward-data: automatic (Winograd F(4x4,3x3) where it suits), winograd2x2 (F(2x2,3x3) where it suits) or direct.")
    var algorithm: ConvAlgorithm = .automatic
    @Option(help: "Passes to time, comma-separated: forward, backward-data, backward-weight.")
    var passes: String = "forward,backward-data,backward-weight"
    @Flag(help: "Quick run: the first two shapes, 2 repeats.")
    var quick = false
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false
    @Flag(help: "Skip the Python peers.")
    var noPeers = false
    @Option(help: "Python interpreter with torch, onnxruntime, onnx, numpy (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/conv_peers.py"

    func run() throws {
        var list = try shapes.map(Self.parseShapes) ?? Self.defaultShapes
        var reps = repeats
        if quick { list = Array(list.prefix(2)); reps = min(reps, 2) }
        guard ["zeros", "globe", "circular", "reflect"].contains(padding) else {
            throw ValidationError("--padding is zeros, globe, circular or reflect, got \(padding)")
        }
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads needs positive integers, got \(threads)")
        }
        let started = ISO8601DateFormatter().string(from: Date())
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        if !json {
            print("wxens-bench kernels  \(started)  load average \(load)  rounds \(reps)  clock \(clock)  padding \(padding)  algorithm \(algorithm)")
            print("op               shape N,Cin,Cout,H,W  thr  wxens GF/s  peer              peer GF/s  ratio  median  %sgemm")
        }
        for t in threadCounts {
            let peers = noPeers ? nil : try PeerServer(python: pythonPath, script: peerScript, threads: t, clock: clock)
            var sgemm: Double?
            if let peers {
                let n = 2048
                var bestT = Double.infinity
                for _ in 0..<reps { bestT = min(bestT, try peers.sgemm(n)) }
                sgemm = 2 * pow(Double(n), 3) / bestT / 1e9
            }
            for s in list {
                for r in try measure(shape: s, threads: t, rounds: reps, peers: peers) {
                    let ratio = r.peerSeconds.min().map { $0 / r.ours.min()! }
                    let median = r.peerSeconds.isEmpty ? nil : Self.median(zip(r.ours, r.peerSeconds).map { $1 / $0 })
                    let gf = r.flops / r.ours.min()! / 1e9
                    let peerGF = r.peerSeconds.min().map { r.flops / $0 / 1e9 }
                    let ofPeak = sgemm.map { gf / $0 }
                    if json {
                        var obj: [String: Any] = ["op": r.op, "shape": s, "threads": t, "gflops": gf, "peer": r.peer, "rounds": reps,
                                                   "algorithm": "\(algorithm)"]
                        obj["peer_gflops"] = peerGF ?? NSNull()
                        obj["ratio"] = ratio ?? NSNull()
                        obj["ratio_median"] = median ?? NSNull()
                        obj["seconds"] = r.ours
                        obj["peer_seconds"] = r.peerSeconds
                        obj["sgemm_gflops"] = sgemm ?? NSNull()
                        obj["fraction_of_sgemm"] = ofPeak ?? NSNull()
                        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        let shapeText = s.map(String.init).joined(separator: ",")
                        print(Self.pad(r.op, 16) + " " + Self.pad(shapeText, 21) + " " + Self.pad("\(t)", 4)
                              + Self.pad(Self.fmt(gf), 11) + " " + Self.pad(r.peer, 17)
                              + Self.pad(peerGF.map(Self.fmt) ?? "-", 10) + " " + Self.pad(ratio.map { String(format: "%.2f", $0) } ?? "-", 6)
                              + " " + Self.pad(median.map { String(format: "%.2f", $0) } ?? "-", 7)
                              + " " + (ofPeak.map { String(format: "%.0f%%", 100 * $0) } ?? "-"))
                    }
                }
            }
            if !json, let p = sgemm { print("OpenBLAS sgemm 2048^2 (numpy), \(t) thread(s): \(Self.fmt(p)) GFLOP/s") }
        }
    }

    var pythonPath: String {
        (try? PeerPython.resolve(python)) ?? ".venv-peers/bin/python"
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func peer(for op: String) -> (String, String) {
        switch op {
        case "forward": return ("onnxruntime", "onnxruntime_forward")
        case "backward-data": return ("torch", "torch_backward_data")
        default: return ("torch", "torch_backward_weight")
        }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    static func parseShapes(_ text: String) throws -> [[Int]] {
        try text.split(separator: ";").map { part in
            let v = part.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 5, v.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("shape \"\(part)\" is not N,Cin,Cout,H,W with positive integers")
            }
            return v
        }
    }

    /// The timings of one pass at one shape and thread count: ours and the peer's, round by round.
    struct PassTimes {
        let op: String
        let peer: String
        let flops: Double
        var ours: [Double] = []
        var peerSeconds: [Double] = []
    }

    /// Times our three passes and the peers' at one shape, interleaved: in each round every pass runs once for us
    /// and once for the peer (each timed run right after an untimed one), ours first in even rounds and the peer
    /// first in odd ones, so that a burst of load on a shared machine lands on both sides alike.
    func measure(shape s: [Int], threads t: Int, rounds: Int, peers: PeerServer?) throws -> [PassTimes] {
        let (n, cin, cout, h, w) = (s[0], s[1], s[2], s[3], s[4])
        var state: UInt64 = 12345
        func rand(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
            })
        }
        let x = rand([n, cin, h, w]), wt = rand([cout, cin, 3, 3]), go = rand([n, cout, h, w])
        let pad: ConvPadding
        switch padding {
        case "globe": pad = ConvPadding(height: .reflect(1), width: .circular(1))
        case "circular": pad = ConvPadding(.circular(1))
        case "reflect": pad = ConvPadding(.reflect(1))
        default: pad = ConvPadding(.zeros(1))
        }
        let g = try ConvGeometry(inputShape: x.shape, weightShape: wt.shape, stride: 1, padding: pad)
        let algo = algorithm
        let all: [(String, () throws -> Void)] = [
            ("forward", { _ = try Conv2D.forward(x, weight: wt, padding: pad, algorithm: algo) }),
            ("backward-data", { _ = try Conv2D.backwardData(gradOutput: go, weight: wt, inputShape: x.shape, padding: pad,
                                                            algorithm: algo) }),
            ("backward-weight", { _ = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: wt.shape, padding: pad) }),
        ]
        let wanted = Set(passes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let unknown = wanted.subtracting(all.map(\.0))
        guard unknown.isEmpty else { throw ValidationError("--passes: unknown \(unknown.sorted()); use forward, backward-data, backward-weight") }
        let ours = all.filter { wanted.contains($0.0) }
        var results = ours.map { op, _ in PassTimes(op: op, peer: Self.peer(for: op).0, flops: g.flops) }
        try peers?.prepare(shape: s)
        try Parallel.withThreads(t) {
            for (_, body) in ours { try body() }
            for round in 0..<rounds {
                for (i, (op, body)) in ours.enumerated() {
                    func timeOurs() throws {
                        // One untimed run first, as the peer script does: the core may have idled through the wait
                        // for the peer's thread pool, and a short pass would pay for waking it.
                        try body()
                        let t0 = clock.now()
                        try body()
                        results[i].ours.append(clock.now() - t0)
                    }
                    guard let peers else { try timeOurs(); continue }
                    if round % 2 == 0 { try timeOurs() }
                    results[i].peerSeconds.append(try peers.time(Self.peer(for: op).1))
                    if round % 2 == 1 { try timeOurs() }
                }
            }
        }
        return results
    }
}

/// The peer script in serve mode (`conv_peers.py --serve`): one Python process per thread count, asked for one
/// timed run at a time so that the bench can interleave the peers' runs with its own.
final class PeerServer {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending = Data()
    private let script: String

    /// Starts the script at `threads`, in a process without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE.
    init(python: String, script: String, threads: Int, clock: BenchClock) throws {
        self.script = script
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--serve", "--threads", "\(threads)", "--clock", clock.rawValue]
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["OPENBLAS_L2_SIZE"] = nil
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch {
            throw ValidationError("cannot start peer script \(script) with \(python): \(error); install the peers with `bash scripts/install-peers.sh`, or use --no-peers to skip it")
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Builds and warms the peers' passes at `shape`.
    func prepare(shape: [Int]) throws { _ = try ask(["cmd": "prepare", "shape": shape]) }

    /// Seconds of one timed run of the peer pass `op`.
    func time(_ op: String) throws -> Double {
        let reply = try ask(["cmd": "time", "op": op])
        // The peers' thread pools spin after a run (onnxruntime for about 60 ms here); let them settle before ours is timed.
        usleep(150_000)
        return try seconds(reply, op)
    }

    /// Seconds of one timed `n` x `n` sgemm (numpy, OpenBLAS).
    func sgemm(_ n: Int) throws -> Double {
        let reply = try ask(["cmd": "sgemm", "n": n])
        usleep(150_000)
        return try seconds(reply, "sgemm")
    }

    private func seconds(_ reply: [String: Any], _ what: String) throws -> Double {
        guard let s = reply["seconds"] as? Double, s > 0 else {
            throw ValidationError("peer script \(script) gave no time for \(what): \(reply)")
        }
        return s
    }

    private func ask(_ request: [String: Any]) throws -> [String: Any] {
        var line = try JSONSerialization.data(withJSONObject: request)
        line.append(0x0A)
        try input.fileHandleForWriting.write(contentsOf: line)
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let reply = pending[pending.startIndex..<nl]
                pending = Data(pending[(nl + 1)...])
                guard let obj = try JSONSerialization.jsonObject(with: reply) as? [String: Any], obj["error"] == nil else {
                    throw ValidationError("peer script \(script) answered \(String(decoding: reply, as: UTF8.self))")
                }
                return obj
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw ValidationError("peer script \(script) stopped (status \(process.isRunning ? 0 : process.terminationStatus)); use --no-peers to skip it")
            }
            pending.append(chunk)
        }
    }
}

/// `--algorithm automatic|winograd2x2|direct`.
extension ConvAlgorithm: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "automatic": self = .automatic
        case "winograd2x2": self = .winograd2x2
        case "direct": self = .direct
        default: return nil
        }
    }

    public static var allValueStrings: [String] { ["automatic", "winograd2x2", "direct"] }

    public var defaultValueDescription: String { "\(self)" }
}
