import Foundation
import XCTest

/// The Zarr stores of `scripts/make_zarr_fixtures.py io`, written once per test run with xarray + zarr (WXENS_PYTHON)
/// from the shared NetCDF files, with xarray's decoded values beside them.
enum ZarrFixtures {
    /// The fixture directory, or why the Zarr tests that need it skip.
    static let directory: Result<URL, XCTSkip> = {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"], !py.isEmpty else {
            return .failure(XCTSkip("WXENS_PYTHON is not set: skipping the Zarr stores made with xarray + zarr"))
        }
        guard let probe = TestSupport.run(py, ["-c", "import xarray, zarr, numcodecs, numpy"]), probe.status == 0 else {
            return .failure(XCTSkip("\(py) cannot import xarray/zarr/numcodecs (scripts/install-deps.sh installs them): skipping"))
        }
        let shared = SharedData.root
        guard FileManager.default.fileExists(atPath: shared.appendingPathComponent("perfect-model/truth.nc").path) else {
            return .failure(XCTSkip("shared test data not found at \(shared.path) (../shared beside the repository root)"))
        }
        guard let dir = try? TestSupport.scratchDirectory("zarr-fixtures") else { return .failure(XCTSkip("no scratch directory")) }
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/make_zarr_fixtures.py").path
        atexit { if case .success(let d) = ZarrFixtures.directory { try? FileManager.default.removeItem(at: d) } }
        guard let out = TestSupport.run(py, [script, "io", shared.path, dir.path]), out.status == 0 else {
            return .failure(XCTSkip("make_zarr_fixtures.py failed"))
        }
        return .success(dir)
    }()

    /// Path of a fixture store or file.
    static func path(_ name: String) throws -> String { try directory.get().appendingPathComponent(name).path }

    /// The golden document of a store: xarray's variables (dims, shape, units, NaN count) and coordinates.
    static func golden(_ store: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path(store + ".golden.json")))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// xarray's decoded values of a variable (float64).
    static func values(_ store: String, _ variable: String) throws -> [Double] { try doubles("\(store).\(variable).f64") }

    /// The float64 values in a fixture file (little-endian, as numpy's `tofile` of "<f8" writes them).
    static func doubles(_ name: String) throws -> [Double] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path(name)))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    /// A copy of a fixture store in a new scratch directory, to damage.
    static func copy(_ store: String) throws -> String {
        let dir = try TestSupport.scratchDirectory("zarr-damaged")
        let dst = dir.appendingPathComponent(store + ".zarr").path
        try FileManager.default.copyItem(atPath: try path(store + ".zarr"), toPath: dst)
        return dst
    }

    /// The stores whose values are compared with xarray's.
    static let goldenStores = ["era5_v2_blosc_consolidated", "era5_v2_zstd", "era5_v2_zlib_slash", "era5_v2_gzip_bigendian", "era5_v2_raw",
                               "era5_v3_zstd", "era5_v3_blosc_consolidated", "era5_v3_gzip_crc32c", "truth_v2_chunked", "truth_v3_chunked", "era5_v3_plane_chunks_crc32c", "era5_v3_sharded",
                               "truth_v2_missing_chunk", "truth_v3_missing_chunk"]
}

/// True when two arrays hold the same bits (NaN matching NaN).
func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}
