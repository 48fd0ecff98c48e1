import ArgumentParser
import Foundation
import WXCore
import WXKernels

/// `wxens-bench gemm`: float32 GEMM throughput of WXKernels against numpy/OpenBLAS sgemm in the same run.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "SGEMM C = A*B (row-major) against numpy/OpenBLAS, GFLOP/s = 2*M*N*K / best time.")

    @Option(name: .long, help: "Square sizes to time (comma-separated).")
    var sizes: String = "256,512,1024,2048"

    @Option(name: .long, help: "Extra M,N,K shapes separated by ';', e.g. '4096,128,128;64,64,4096'.")
    var shapes: String = ""

    @Option(name: .long, help: "Thread counts (comma-separated).")
    var threads: String = "1,2"

    @Option(name: .long, help: "Timed repeats (the best is reported).")
    var repeats: Int = 5

    @Option(name: .long, help: "Rounds alternating wxens and the peer (the best of each is kept; helps on a busy machine).")
    var rounds: Int = 3

    @Option(name: .long, help: "Python with numpy for the peer (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?

    @Option(name: .long, help: "wall, or cpu: process CPU time (one thread only; discounts time the scheduler gave to other jobs).")
    var clock: BenchClock = .wall

    @Flag(name: .long, help: "Print one JSON object per line.")
    var json = false

    func run() throws {
        var cases: [(Int, Int, Int)] = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { ($0, $0, $0) }
        for s in shapes.split(separator: ";") {
            let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 3, v.allSatisfy({ $0 > 0 }) else { throw ValidationError("bad shape '\(s)': expected M,N,K") }
            cases.append((v[0], v[1], v[2]))
        }
        let threadCounts = threads.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !cases.isEmpty, !threadCounts.isEmpty, repeats > 0 else { throw ValidationError("nothing to time") }
        guard clock == .wall || threadCounts == [1] else {
            throw ValidationError("--clock is wall, or cpu with --threads 1")
        }
        let py = try PeerPython.resolve(python)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../scripts/peers/gemm_numpy.py").standardized.path
        if !json { print("op     shape(MxNxK)        threads  wxens GF/s  numpy GF/s  ratio") }
        for (m, n, k) in cases {
            var a = Tensor(zeros: [m, k]), b = Tensor(zeros: [k, n])
            var seed: UInt32 = 12345
            func fill(_ t: inout Tensor) {
                t.withUnsafeMutableBufferPointer { p in
                    for i in p.indices { seed = seed &* 1_664_525 &+ 1_013_904_223; p[i] = Float(Int32(bitPattern: seed)) / Float(Int32.max) }
                }
            }
            fill(&a); fill(&b)
            var c = Tensor(zeros: [m, n])
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            for t in threadCounts {
                var best = Double.infinity
                var peerSeconds: Double? = nil
                for _ in 0..<max(1, rounds) {
                    let ours = try Parallel.withThreads(t) { () -> Double in
                        try MatMul.matmul(a, b, into: &c)
                        var best = Double.infinity
                        for _ in 0..<repeats {
                            let t0 = clock.now()
                            try MatMul.matmul(a, b, into: &c)
                            best = min(best, clock.now() - t0)
                        }
                        return best
                    }
                    best = min(best, ours)
                    if let p = runPeer(python: py, script: script, m: m, n: n, k: k, threads: t) {
                        peerSeconds = min(peerSeconds ?? .infinity, p)
                    }
                }
                let gflops = flops / best * 1e-9
                let peerGflops = peerSeconds.map { flops / $0 * 1e-9 }
                let ratio = peerGflops.map { gflops / $0 }
                if json {
                    let pg = peerGflops.map { String(format: "%.2f", $0) } ?? "null"
                    let r = ratio.map { String(format: "%.3f", $0) } ?? "null"
                    print("{\"op\":\"sgemm\",\"shape\":[\(m),\(n),\(k)],\"threads\":\(t),\"clock\":\"\(clock)\",\"gflops\":\(String(format: "%.2f", gflops)),\"peer\":\"numpy-openblas\",\"peer_gflops\":\(pg),\"ratio\":\(r)}")
                } else {
                    let shape = "\(m)x\(n)x\(k)".padding(toLength: 20, withPad: " ", startingAt: 0)
                    print(String(format: "sgemm  %@ %7d  %10.1f  %10@  %5@", shape, t, gflops,
                                 peerGflops.map { String(format: "%.1f", $0) } ?? "n/a", ratio.map { String(format: "%.2f", $0) } ?? "n/a"))
                }
            }
        }
    }

    /// Best seconds of the numpy peer, or nil (with a note on stderr) when it cannot run.
    func runPeer(python: String, script: String, m: Int, n: Int, k: Int, threads: Int) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script, "\(m)", "\(n)", "\(k)", "\(repeats)", clock.rawValue]
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "\(threads)"
        env["OMP_NUM_THREADS"] = "\(threads)"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch {
            FileHandle.standardError.write("numpy peer did not start: \(error)\n".data(using: .utf8)!)
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let s = String(data: data, encoding: .utf8),
              let v = Double(s.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            FileHandle.standardError.write("numpy peer failed (status \(p.terminationStatus))\n".data(using: .utf8)!)
            return nil
        }
        return v
    }
}
