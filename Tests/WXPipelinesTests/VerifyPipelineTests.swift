import XCTest
import WXCore
import WXPipelines
import WXVerification

/// `wxens verify` on the shared CF-packed, zlib-compressed reforecast: scores.csv is the same bytes at 1 and 2 threads,
/// with or without reading ahead, and through the direct-chunk plane path or plain hyperslab reads.
final class VerifyPipelineTests: XCTestCase {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")

    /// A source that forwards hyperslab reads and has no plane path.
    final class HyperslabOnly: VerifySource {
        let inner: NetCDFVerifySource
        init(_ inner: NetCDFVerifySource) { self.inner = inner }
        var path: String { inner.path }
        func variableNames() throws -> [String] { try inner.variableNames() }
        func variable(_ name: String) throws -> SourceVariable { try inner.variable(name) }
        func read(_ name: String, start: [Int], count: [Int]) throws -> [Double] { try inner.read(name, start: start, count: count) }
    }

    func files() throws -> (String, String) {
        let f = Self.shared.appendingPathComponent("data/perfect-model/reforecast_validation.nc").path
        let t = Self.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        guard FileManager.default.fileExists(atPath: f), FileManager.default.fileExists(atPath: t) else {
            throw XCTSkip("../shared is needed for this test")
        }
        return (f, t)
    }

    func testScoresCSVSameBytesAtOneAndTwoThreadsAndOnEitherReadPath() throws {
        let (f, t) = try files()
        var o = VerifyOptions(forecastPath: f, truthPath: t, variables: ["t850", "msl"],
                              events: try EventDefinition.parseThresholds("t850:>280,msl:<100000"))
        o.quiet = true
        func csv(threads: Int, planes: Bool, maxMemory: Int? = nil) throws -> String {
            var opts = o
            opts.maxMemoryBytes = maxMemory
            let fs = try NetCDFVerifySource(path: f), ts = try NetCDFVerifySource(path: t)
            let card = try Parallel.withThreads(threads) {
                planes ? try VerifyWorkflow.run(opts, forecast: fs, truth: ts)
                    : try VerifyWorkflow.run(opts, forecast: HyperslabOnly(fs), truth: HyperslabOnly(ts))
            }
            return ScoresCSV.text(card)
        }
        let one = try csv(threads: 1, planes: true)
        XCTAssertGreaterThan(one.split(separator: "\n").count, 40)
        XCTAssertFalse(one.contains("NaN"))
        XCTAssertEqual(one, try csv(threads: 2, planes: true))
        XCTAssertEqual(one, try csv(threads: 2, planes: false))
        // Fixed memory: weights, truth and one event's thresholds per point; one init's block: 20 bytes per value.
        let fixed = 48 * 96 * 8 * 4, perInit = 31 * 48 * 96 * 20
        // One init per batch: many batches, each read while the one before is scored.
        XCTAssertEqual(one, try csv(threads: 2, planes: true, maxMemory: fixed + 2 * perInit + 1000))
        // Room for one batch only: read and scored in turn.
        XCTAssertEqual(one, try csv(threads: 1, planes: true, maxMemory: fixed + perInit + perInit / 2))
    }

    /// Writes the first 3 inits of t850 and msl of the validation reforecast as contiguous float32 (NaN fill) in
    /// `endian` byte order.
    static let contiguousWriter = """
    import sys, netCDF4, numpy as np
    src, out, endian = netCDF4.Dataset(sys.argv[1]), sys.argv[2], sys.argv[3]
    dst = netCDF4.Dataset(out, "w", format="NETCDF4")
    dims = ("init_time", "member", "lead_time", "latitude", "longitude")
    for d in dims:
        dst.createDimension(d, 3 if d == "init_time" else src.dimensions[d].size)
    for c in dims:
        v = dst.createVariable(c, src[c].dtype, (c,))
        v.setncatts({k: src[c].getncattr(k) for k in src[c].ncattrs()})
        v[:] = src[c][:3] if c == "init_time" else src[c][:]
    for name in ["t850", "msl"]:
        v = dst.createVariable(name, "f4", dims, contiguous=True, endian=endian, fill_value=np.float32(np.nan))
        v.setncatts({k: src[name].getncattr(k) for k in ("units", "standard_name")})
        v[:] = np.asarray(src[name][:3], dtype=np.float32)
    dst.close()
    """

    func testContiguousFilesInBothByteOrdersScoreAsHyperslabReads() throws {
        let (f, t) = try files()
        let py = try VerifyFilesFixture.python.get()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-contiguous-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = VerifyOptions(forecastPath: f, truthPath: t, variables: ["t850", "msl"],
                              events: try EventDefinition.parseThresholds("t850:>280,msl:<100000"))
        o.quiet = true
        var texts: [String] = []
        for endian in ["little", "big"] {
            let path = dir.appendingPathComponent("\(endian).nc").path
            let r = try VerifyFilesFixture.runProcess(py, ["-c", Self.contiguousWriter, f, path, endian])
            XCTAssertEqual(r.status, 0, r.err)
            let header = try VerifyFilesFixture.runProcess("/usr/bin/ncdump", ["-hs", path])
            XCTAssertTrue(header.out.contains("t850:_Storage = \"contiguous\"") && header.out.contains("t850:_Endianness = \"\(endian)\""), header.out)
            let fs = try NetCDFVerifySource(path: path), ts = try NetCDFVerifySource(path: t)
            var probe = [Double](repeating: 0, count: 48 * 96)
            XCTAssertTrue(try probe.withUnsafeMutableBufferPointer { try fs.readPlanes("t850", planes: [0], into: $0) }, "plane path taken")
            let planes = ScoresCSV.text(try Parallel.withThreads(2) { try VerifyWorkflow.run(o, forecast: fs, truth: ts) })
            let slabs = ScoresCSV.text(try VerifyWorkflow.run(o, forecast: HyperslabOnly(fs), truth: HyperslabOnly(ts)))
            XCTAssertGreaterThan(planes.split(separator: "\n").count, 10)
            XCTAssertEqual(planes, slabs, endian)
            texts.append(planes)
        }
        XCTAssertEqual(texts[0], texts[1], "the same scores from either byte order")
    }
}
