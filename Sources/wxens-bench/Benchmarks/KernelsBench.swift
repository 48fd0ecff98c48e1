import ArgumentParser
import Dispatch
import Foundation
import WXCore
import WXKernels

/// `wxens-bench kernels`: conv2d 3x3 forward / backward GFLOP/s against onnxruntime, PyTorch and OpenBLAS sgemm.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "conv2d 3x3 stride 1 pad 1 forward, backward-data and backward-weights GFLOP/s beside onnxruntime and PyTorch.")

    /// The default shapes: N, Cin, Cout, H, W.
    static let defaultShapes: [[Int]] = [
        [8, 64, 64, 64, 128], [8, 128, 128, 32, 64], [1, 32, 32, 181, 360],
        [8, 64, 64, 48, 96], [8, 128, 128, 24, 48], [8, 256, 256, 12, 24],
    ]

    @Option(help: "Shapes as \"N,Cin,Cout,H,W;...\" (default: the six issue-3 shapes).")
    var shapes: String?
    @Option(help: "Thread counts, comma-separated.")
    var threads: String = "1,2"
    @Option(help: "Timed runs per measurement (best is kept), after one warm-up.")
    var repeats: Int = 3
    @Option(help: "wall: elapsed time; cpu: process CPU time, for 1-thread runs on a loaded shared machine (ours and the peers alike).")
    var clock: BenchClock = .wall
    @Option(help: "Our padding: zeros (as the peers), globe (reflect latitude, circular longitude), circular or reflect; the peers stay zero-padded.")
    var padding: String = "zeros"
    @Flag(help: "Quick run: the first two shapes, 2 repeats.")
    var quick = false
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false
    @Flag(help: "Skip the Python peers.")
    var noPeers = false
    @Option(help: "Python interpreter with torch, onnxruntime, onnx, numpy (default: $WXENS_PYTHON, else /work/venv/bin/python).")
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
            print("wxens-bench kernels  \(started)  load average \(load)  repeats \(reps)  clock \(clock)  padding \(padding)")
            print("op               shape N,Cin,Cout,H,W  thr  wxens GF/s  peer              peer GF/s  ratio  %sgemm")
        }
        for t in threadCounts {
            // The machine may be shared: each shape's peers run right after our passes on it (not before:
            // the exit of the Python process disturbs whatever runs next).
            let sgemm = noPeers ? nil : try runPeers([], threads: t, repeats: reps, sgemm: true).sgemm
            for s in list {
                let results = try measure(shape: s, threads: t, repeats: reps)
                let peers = noPeers ? nil : try runPeers([s], threads: t, repeats: reps, sgemm: false)
                for (op, gf) in results {
                    let (peerName, peerKey) = Self.peer(for: op)
                    let peerGF = peers?.shapes.first?[peerKey]
                    let ratio = peerGF.map { gf / $0 }
                    let ofPeak = sgemm.map { gf / $0 }
                    if json {
                        var obj: [String: Any] = ["op": op, "shape": s, "threads": t, "gflops": gf, "peer": peerName]
                        obj["peer_gflops"] = peerGF ?? NSNull()
                        obj["ratio"] = ratio ?? NSNull()
                        obj["sgemm_gflops"] = sgemm ?? NSNull()
                        obj["fraction_of_sgemm"] = ofPeak ?? NSNull()
                        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        let shapeText = s.map(String.init).joined(separator: ",")
                        print(Self.pad(op, 16) + " " + Self.pad(shapeText, 21) + " " + Self.pad("\(t)", 4)
                              + Self.pad(Self.fmt(gf), 11) + " " + Self.pad(peerName, 17)
                              + Self.pad(peerGF.map(Self.fmt) ?? "-", 10) + " " + Self.pad(ratio.map { String(format: "%.2f", $0) } ?? "-", 6)
                              + " " + (ofPeak.map { String(format: "%.0f%%", 100 * $0) } ?? "-"))
                    }
                }
            }
            if !json, let p = sgemm { print("OpenBLAS sgemm 2048^2 (numpy), \(t) thread(s): \(Self.fmt(p)) GFLOP/s") }
        }
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

    /// Best-of-`repeats` GFLOP/s of our three passes at one shape and thread count.
    func measure(shape s: [Int], threads t: Int, repeats: Int) throws -> [(String, Double)] {
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
        func best(_ body: () throws -> Void) rethrows -> Double {
            try body()
            var bestT = Double.infinity
            for _ in 0..<repeats {
                let t0 = clock.now()
                try body()
                bestT = min(bestT, clock.now() - t0)
            }
            return g.flops / bestT / 1e9
        }
        return try Parallel.withThreads(t) {
            [("forward", try best { _ = try Conv2D.forward(x, weight: wt, padding: pad) }),
             ("backward-data", try best { _ = try Conv2D.backwardData(gradOutput: go, weight: wt, inputShape: x.shape, padding: pad) }),
             ("backward-weight", try best { _ = try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: wt.shape, padding: pad) })]
        }
    }

    struct PeerResults {
        var sgemm: Double?
        var shapes: [[String: Double]]
    }

    /// Runs the peer script once for `list` (and sgemm if asked) at `threads`, in a process without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE.
    func runPeers(_ list: [[Int]], threads: Int, repeats: Int, sgemm: Bool) throws -> PeerResults {
        let env = ProcessInfo.processInfo.environment
        let py = python ?? env["WXENS_PYTHON"] ?? "/work/venv/bin/python"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [peerScript, "--threads", "\(threads)", "--repeats", "\(repeats)", "--sgemm", sgemm ? "2048" : "0", "--clock", clock.rawValue,
                       "--shapes", list.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")]
        var childEnv = env
        childEnv["OPENBLAS_CORETYPE"] = nil
        childEnv["OPENBLAS_L2_SIZE"] = nil
        p.environment = childEnv
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let shapes = obj["shapes"] as? [[String: Any]] else {
            throw ValidationError("peer script \(peerScript) failed (status \(p.terminationStatus)); use --no-peers to skip it")
        }
        return PeerResults(sgemm: obj["sgemm_gflops"] as? Double,
                           shapes: shapes.map { $0.compactMapValues { $0 as? Double } })
    }
}
