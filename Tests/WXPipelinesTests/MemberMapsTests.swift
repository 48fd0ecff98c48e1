import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens plot members` on data/sample/seeds.nc and its truth: the panels hold the truth at the valid time, the seeds,
/// the members, their mean and spread (against plain loops); seeds found from a generated file's attributes in the
/// generate layout; bad variable, init, lead and member refused with typed errors, no file, and the CLI statuses.
final class MemberMapsTests: XCTestCase {
    static let seeds = VerifyGoldenTests.root.appendingPathComponent("data/sample/seeds.nc").path
    static let truth = VerifyGoldenTests.root.appendingPathComponent("data/sample/seeds_truth.nc").path
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-maps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// z500 of the sample seeds file as [init][member][lead][point], read whole.
    func z500() throws -> (values: [Float], plane: Int) {
        let f: Field<Float> = try GriddedFiles.open(Self.seeds).readField("z500")
        XCTAssertEqual(f.shape, [2, 2, 3, 48, 96])
        return (f.values, 48 * 96)
    }

    func testPanelsHoldTruthSeedsMembersMeanAndSpread() throws {
        let out = path("maps.svg")
        let o = MemberMapsOptions(path: Self.seeds, variable: "z500", initTime: "2000-09-22T00:00", leadHours: 72,
                                  seedsPath: Self.seeds, seedMembers: [1], truthPath: Self.truth, outPath: out)
        let chart = try MemberMapsWorkflow.chart(o)
        XCTAssertEqual(chart.panels.map(\.title), ["truth", "seed: member 1", "member 0", "member 1", "mean of 2 members",
                                                   "spread (sd) of 2 members"])
        XCTAssertEqual(chart.panels.map(\.colorBar), [0, 0, 0, 0, 0, 1])
        XCTAssertEqual(chart.colorBars.map(\.scale.kind), [.sequential, .sequential])
        XCTAssertTrue(chart.title.contains("init 2000-09-22 00:00, valid 2000-09-25 00:00"), chart.title)
        // Init 0 (2000-09-22), lead index 1 (72 h); the truth at 4512 h since 2000-03-21 (its second time).
        let (z, p) = try z500()
        func member(_ m: Int) -> [Double] { let o = ((0 * 2 + m) * 3 + 1) * p; return z[o ..< o + p].map(Double.init) }
        let t: Field<Float> = try GriddedFiles.open(Self.truth).readField("z500")
        XCTAssertEqual(t.coordinate(.time)?.values[1], 4512)
        XCTAssertEqual(chart.panels[0].values, t.values[1 * p ..< 2 * p].map(Double.init))
        XCTAssertEqual(chart.panels[1].values, member(1))
        XCTAssertEqual(chart.panels[2].values, member(0))
        let (a, b) = (member(0), member(1))
        for k in stride(from: 0, to: p, by: 97) {
            XCTAssertEqual(chart.panels[4].values[k], (a[k] + b[k]) / 2, accuracy: 1e-9)
            // sd with ddof 1 of two values: |a - b| / sqrt 2.
            XCTAssertEqual(chart.panels[5].values[k], abs(a[k] - b[k]) / 2.squareRoot(), accuracy: 1e-6)
        }
        let all = chart.panels.prefix(5).flatMap(\.values)
        XCTAssertLessThanOrEqual(chart.colorBars[0].scale.boundaries.first!, all.min()!)
        XCTAssertGreaterThanOrEqual(chart.colorBars[0].scale.boundaries.last!, all.max()!)
        XCTAssertEqual(chart.colorBars[1].scale.boundaries.first!, 0)
        XCTAssertEqual(try MemberMapsWorkflow.run(o).count, 6)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "class=\"panel-title\"").count - 1, 6)
        XCTAssertEqual(svg.components(separatedBy: "class=\"colorbar-label\"").count - 1, 2)
    }

    func testAnomaliesFromAClimatologyOnADivergingScale() throws {
        let clim = path("clim.nc")
        try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: Self.truth, from: "2000-09-23", to: "2000-10-02", outPath: clim))
        let plain = try MemberMapsWorkflow.chart(MemberMapsOptions(path: Self.seeds, variable: "t2m", initTime: "2000-09-27", leadHours: 120,
                                                                   seedsPath: "", truthPath: Self.truth, outPath: path("a.svg")))
        let anomaly = try MemberMapsWorkflow.chart(MemberMapsOptions(path: Self.seeds, variable: "t2m", initTime: "2000-09-27", leadHours: 120,
                                                                     seedsPath: "", truthPath: Self.truth, climatologyPath: clim,
                                                                     outPath: path("a.svg")))
        let mean = try GriddedFiles.open(clim).readDoubles("t2m_mean")
        XCTAssertEqual(anomaly.panels.map(\.title), ["truth", "member 0", "member 1", "mean of 2 members", "spread (sd) of 2 members"])
        for (i, panel) in anomaly.panels.enumerated() {
            let expected = panel.colorBar == 1 ? plain.panels[i].values : zip(plain.panels[i].values, mean).map { $0 - $1 }
            XCTAssertEqual(panel.values, expected, panel.title)
        }
        let s = anomaly.colorBars[0].scale
        XCTAssertEqual(s.kind, .diverging)
        XCTAssertEqual(s.boundaries.first!, -s.boundaries.last!, accuracy: 1e-9)
        XCTAssertTrue(anomaly.title.hasPrefix("t2m anomaly at lead 120 h: init 2000-09-27 00:00, valid 2000-10-02 00:00"), anomaly.title)
    }

    /// A file in `wxens generate`'s layout (member, init_time, lead_time, latitude, longitude) naming its seeds file.
    func generatedLayout(seedsFile: String) throws -> String {
        let out = path("gee.nc")
        let (z, p) = try z500()
        let w = try NetCDFWriter(path: out)
        for (name, n) in [("member", 3), ("init_time", 2), ("lead_time", 3), ("latitude", 48), ("longitude", 96)] { try w.defineDimension(name, size: n) }
        try w.defineVariable("member", type: .int32, dimensions: ["member"], attributes: ["standard_name": .string("realization")])
        try w.defineVariable("init_time", type: .double, dimensions: ["init_time"],
                             attributes: ["units": .string("hours since 2000-03-21 00:00:00"), "calendar": .string("proleptic_gregorian")])
        try w.defineVariable("lead_time", type: .double, dimensions: ["lead_time"], attributes: ["units": .string("days")])
        try w.defineVariable("latitude", type: .double, dimensions: ["latitude"], attributes: ["units": .string("degrees_north")])
        try w.defineVariable("longitude", type: .double, dimensions: ["longitude"], attributes: ["units": .string("degrees_east")])
        try w.defineVariable("z500", type: .float, dimensions: ["member", "init_time", "lead_time", "latitude", "longitude"],
                             attributes: ["units": .string("m2 s-2")])
        try w.setAttribute("wxens_seeds_file", .string(seedsFile))
        try w.setAttribute("wxens_seed_members", .string("0,1"))
        try w.setAttribute("wxens_mode", .string("gee"))
        let f: Field<Float> = try GriddedFiles.open(Self.seeds).readField("z500")
        try w.write("member", values: [Int32(0), 1, 2])
        try w.write("init_time", values: [4440.0, 4560])
        try w.write("lead_time", values: [1.0, 3, 5])
        try w.write("latitude", values: f.coordinate(.latitude)!.values)
        try w.write("longitude", values: f.coordinate(.longitude)!.values)
        // Member m of the generated file: seed member (m % 2) plus 10 m.
        var values: [Float] = []
        for m in 0..<3 { for i in 0..<2 { for l in 0..<3 {
            let o = ((i * 2 + m % 2) * 3 + l) * p
            values += z[o ..< o + p].map { $0 + Float(10 * m) }
        } } }
        try w.write("z500", values: values)
        try w.finish()
        return out
    }

    func testGeneratedLayoutFindsItsSeedsFromItsAttributes() throws {
        let gee = try generatedLayout(seedsFile: Self.seeds)
        let chart = try MemberMapsWorkflow.chart(MemberMapsOptions(path: gee, variable: "z500", initTime: "2000-09-27T00:00:00Z", leadHours: 24,
                                                                   members: [2], outPath: path("g.svg")))
        XCTAssertEqual(chart.panels.map(\.title), ["seed: member 0", "seed: member 1", "GEE member 2", "mean of 3 members",
                                                   "spread (sd) of 3 members"])
        let (z, p) = try z500()
        let seed0 = z[((1 * 2 + 0) * 3 + 0) * p ..< ((1 * 2 + 0) * 3 + 1) * p].map(Double.init)
        XCTAssertEqual(chart.panels[0].values, seed0)
        XCTAssertEqual(chart.panels[2].values, seed0.map { $0 + 20 })
        // An absent seeds file named by the attribute: no seed panels; --no-seeds likewise.
        let moved = try generatedLayout(seedsFile: path("absent.nc"))
        let without = try MemberMapsWorkflow.chart(MemberMapsOptions(path: moved, variable: "z500", initTime: "2000-09-27", leadHours: 24,
                                                                     outPath: path("g.svg")))
        XCTAssertEqual(without.panels.map(\.title), ["GEE member 0", "GEE member 1", "GEE member 2", "mean of 3 members", "spread (sd) of 3 members"])
    }

    func testBadVariableInitLeadAndMemberAreRefusedWithoutAFile() throws {
        let out = path("bad.svg")
        func options(variable: String = "z500", initTime: String = "2000-09-22", lead: Double = 72, members: [Int]? = nil,
                     seedMembers: [Int]? = nil) -> MemberMapsOptions {
            MemberMapsOptions(path: Self.seeds, variable: variable, initTime: initTime, leadHours: lead, members: members,
                              seedsPath: Self.seeds, seedMembers: seedMembers, truthPath: Self.truth, outPath: out)
        }
        func expect(_ o: MemberMapsOptions, _ check: (PlotError) -> Bool, line: UInt = #line) {
            XCTAssertThrowsError(try MemberMapsWorkflow.run(o), line: line) { e in
                XCTAssertTrue((e as? PlotError).map(check) ?? false, "\(e)", line: line)
                XCTAssertTrue("\(e)".contains(Self.seeds) || "\(e)".contains("--"), "\(e) names the file or option", line: line)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), line: line)
        }
        expect(options(variable: "z501")) { if case let .variableMissing(_, v, a) = $0 { return v == "z501" && a.contains("z500") }; return false }
        expect(options(initTime: "2000-09-23T00:00")) { if case let .initTimeMissing(_, _, a) = $0 { return a == ["2000-09-22 00:00", "2000-09-27 00:00"] }; return false }
        expect(options(initTime: "next tuesday")) { if case .badOption("--init", _, _) = $0 { return true }; return false }
        expect(options(lead: 48)) { if case let .leadTimeMissing(_, h, a) = $0 { return h == 48 && a == [24, 72, 120] }; return false }
        expect(options(members: [0, 2])) { if case .memberOutOfRange(_, "--members", 2, 2) = $0 { return true }; return false }
        expect(options(seedMembers: [3])) { if case .memberOutOfRange(_, "--seed-members", 3, 2) = $0 { return true }; return false }
        XCTAssertThrowsError(try MemberMapsOptions.leadHours(parsing: "soon"))
        XCTAssertEqual(try MemberMapsOptions.leadHours(parsing: "3d"), 72)
        XCTAssertEqual(try MemberMapsOptions.leadHours(parsing: "72h"), 72)
    }

    func testCommandLineStatuses() throws {
        let exe = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent().appendingPathComponent("wxens")
        guard FileManager.default.isExecutableFile(atPath: exe.path) else { throw XCTSkip("wxens executable not found at \(exe.path)") }
        let out = path("cli.svg")
        func run(_ extra: [String]) throws -> (status: Int32, err: String) {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["plot", "members", "--file", Self.seeds, "--truth", Self.truth, "--out", out] + extra
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: e, as: UTF8.self))
        }
        for (extra, status) in [(["--variable", "z501", "--init", "2000-09-22", "--lead", "72h"], Int32(66)),
                                (["--variable", "z500", "--init", "2000-09-23", "--lead", "72h"], 64),
                                (["--variable", "z500", "--init", "2000-09-22", "--lead", "48h"], 64),
                                (["--variable", "z500", "--init", "2000-09-22", "--lead", "soon"], 64)] {
            let r = try run(extra)
            XCTAssertEqual(r.status, status, "\(extra): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("wxens: error: "), r.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
        let ok = try run(["--variable", "t2m", "--init", "2000-09-22", "--lead", "3d", "--seeds", Self.seeds])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
    }
}
