import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens verify --forecast RUNDIR`: a finished reforecast read part by part gives the scores of its merged file, byte
/// for byte; its hyperslab and plane reads equal the merged file's; missing or corrupt parts are refused by name
/// before any output is written.
final class ReforecastVerifyTests: XCTestCase {
    static let truth = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/truth.nc").path

    /// A finished 3-task run of the tiny model, its merged file and the fixture.
    private func finishedRun() throws -> (ReforecastFixture, rundir: String, merged: String) {
        let fx = try ReforecastFixture()
        let rundir = fx.path("run")
        _ = try ReforecastPlanner.plan(fx.config(members: 3), rundir: rundir, calibrate: false)
        let runner = try ReforecastTaskRunner(rundir: rundir)
        for s in 0..<runner.manifest.config.shards { _ = try runner.run(shard: s) }
        let merged = fx.path("merged.nc")
        try ReforecastMerger.merge(rundir: rundir, out: merged)
        return (fx, rundir, merged)
    }

    func testScoresOfRunDirectoryEqualThoseOfMergedFile() throws {
        let (fx, rundir, merged) = try finishedRun()
        defer { fx.remove() }
        var csv: [String] = []
        for (name, forecast) in [("merged", merged), ("rundir", rundir)] {
            let r = try ReforecastFixture.run(["verify", "--forecast", forecast, "--truth", Self.truth, "--out", fx.path("v-\(name)"),
                                               "--no-figures", "--quiet"])
            XCTAssertEqual(r.status, 0, r.err)
            csv.append(try String(contentsOfFile: fx.path("v-\(name)/scores.csv"), encoding: .utf8))
        }
        XCTAssertEqual(csv[0], csv[1])
        XCTAssert(csv[0].contains("t2m,24,crps,"), csv[0])
        XCTAssertEqual(csv[0].split(separator: "\n").count, Set(csv[0].split(separator: "\n")).count)

        // One lead, and a memory cap of one init per batch (fixed 3 fields + two batches of one init read ahead, not
        // four): the same rows again.
        let points = 48 * 96, perInit = 3 * points * 20
        let one = VerifyOptions(forecastPath: rundir, truthPath: Self.truth, leadTimesHours: [120], maxMemoryBytes: points * 24 + 3 * perInit,
                                writeFigures: false, quiet: true)
        var o = one
        o.forecastPath = merged
        XCTAssertEqual(ScoresCSV.text(try VerifyOutputs.verify(one)), ScoresCSV.text(try VerifyOutputs.verify(o)))
    }

    func testHyperslabAndPlaneReadsEqualMergedFile() throws {
        let (fx, rundir, merged) = try finishedRun()
        defer { fx.remove() }
        let run = try ReforecastRunSource(rundir: rundir)
        let file = try NetCDFVerifySource(path: merged)
        XCTAssertEqual(try run.variableNames(), try file.variableNames())
        let a = try run.variable("z500"), b = try file.variable("z500")
        XCTAssertEqual(a.dimensions.map(\.name), b.dimensions.map(\.name))
        XCTAssertEqual(a.dimensions.map(\.size), [3, 3, 2, 48, 96])
        XCTAssertEqual(a.dimensions.map(\.size), b.dimensions.map(\.size))
        XCTAssertEqual(a.dimensions.map(\.role), b.dimensions.map(\.role))
        for d in b.dimensions {
            XCTAssertEqual(a.coordinates[d.name]?.values, b.coordinates[d.name]?.values, d.name)
            XCTAssertEqual(a.coordinates[d.name]?.units, b.coordinates[d.name]?.units, d.name)
        }
        XCTAssertEqual(a.attributes["units"]?.stringValue, b.attributes["units"]?.stringValue)

        for (start, count) in [([0, 0, 0, 0, 0], [3, 3, 2, 48, 96]), ([1, 1, 1, 5, 7], [2, 2, 1, 3, 4]), ([2, 0, 0, 47, 95], [1, 3, 2, 1, 1])] {
            let x = try run.read("t850", start: start, count: count), y = try file.read("t850", start: start, count: count)
            XCTAssertEqual(x.map(\.bitPattern), y.map(\.bitPattern), "hyperslab \(start) \(count)")
        }
        // Planes across part boundaries, out of order within a part.
        let planes = [1, 0, 5, 6, 11, 13, 17]
        var x = [Double](repeating: .nan, count: planes.count * 48 * 96), y = x
        XCTAssertTrue(try x.withUnsafeMutableBufferPointer { try run.readPlanes("t850", planes: planes, into: $0) })
        let direct = try y.withUnsafeMutableBufferPointer { try file.readPlanes("t850", planes: planes, into: $0) }
        if !direct {
            for (n, k) in planes.enumerated() {
                let v = try file.read("t850", start: [k / 6, (k / 2) % 3, k % 2, 0, 0], count: [1, 1, 1, 48, 96])
                y.replaceSubrange(n * 4608 ..< (n + 1) * 4608, with: v)
            }
        }
        XCTAssertEqual(x.map(\.bitPattern), y.map(\.bitPattern))
        XCTAssertThrowsError(try run.read("t850", start: [2, 0, 0, 0, 0], count: [2, 1, 1, 1, 1]))
        XCTAssertThrowsError(try run.variable("nope")) { e in
            XCTAssertEqual(e as? VerifyError, .variableMissing(path: rundir, variable: "nope"))
        }
    }

    func testMissingOrCorruptPartsAreNamedAndNothingIsWritten() throws {
        let (fx, rundir, _) = try finishedRun()
        defer { fx.remove() }
        let paths = ReforecastPaths(rundir)
        try FileManager.default.removeItem(atPath: paths.part("t0000"))
        let data = try Data(contentsOf: URL(fileURLWithPath: paths.part("t0002")))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: paths.part("t0002")))
        XCTAssertThrowsError(try ReforecastRunSource(rundir: rundir)) { e in
            XCTAssertEqual(e as? ReforecastError, .partsMissing(rundir: rundir, tasks: ["t0000", "t0002"]))
        }
        let out = fx.path("v")
        let r = try ReforecastFixture.run(["verify", "--forecast", rundir, "--truth", Self.truth, "--out", out, "--quiet"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssert(r.err.contains("tasks not done or corrupt: t0000, t0002"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/scores.csv"))
    }
}
