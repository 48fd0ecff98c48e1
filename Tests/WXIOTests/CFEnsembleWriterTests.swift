import Foundation
import XCTest
import WXCore
import WXIO

/// The CF ensemble and time-series writers: CF metadata (seen by ncdump), no file under the final name
/// unless complete, typed errors, one-member-at-a-time memory, and writing from fields.
final class CFEnsembleWriterTests: XCTestCase {
    func testNcdumpHeaderCarriesTheCFAttributes() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var fx = EnsembleFixture()
        fx.levels = CFVerticalAxis(values: [500, 850])
        let path = dir.appendingPathComponent("ens.nc").path
        try fx.write(to: path)
        let header = try TestSupport.ncdump(["-hs", path])
        let expected = [
            "member = 3 ;", "init_time = 2 ;", "lead_time = 2 ;", "level = 2 ;", "latitude = 4 ;", "longitude = 5 ;",
            "short t2m(member, init_time, lead_time, level, latitude, longitude) ;",
            "float tp(member, init_time, lead_time, level, latitude, longitude) ;",
            "int member(member) ;", "member:standard_name = \"realization\" ;",
            "double init_time(init_time) ;", "init_time:units = \"hours since 2000-03-21 00:00:00\" ;",
            "init_time:calendar = \"proleptic_gregorian\" ;", "init_time:standard_name = \"forecast_reference_time\" ;",
            "lead_time:units = \"hours\" ;", "lead_time:standard_name = \"forecast_period\" ;",
            "level:units = \"hPa\" ;", "level:positive = \"down\" ;", "level:axis = \"Z\" ;",
            "latitude:units = \"degrees_north\" ;", "latitude:axis = \"Y\" ;", "latitude:standard_name = \"latitude\" ;",
            "longitude:units = \"degrees_east\" ;", "longitude:axis = \"X\" ;", "longitude:standard_name = \"longitude\" ;",
            "t2m:_FillValue = -32767s ;", "t2m:scale_factor = 0.075f ;", "t2m:add_offset = 264.f ;",
            "t2m:units = \"K\" ;", "t2m:standard_name = \"air_temperature\" ;", "t2m:long_name = \"near-surface air temperature\" ;",
            "tp:_FillValue = NaNf ;", "tp:units = \"m\" ;",
            "t2m:_ChunkSizes = 1, 1, 1, 1, 4, 5 ;", "t2m:_DeflateLevel = 4 ;", "t2m:_Shuffle = \"true\" ;",
            ":Conventions = \"CF-1.8\" ;", ":title = \"wxens writer test\" ;", ":institution = \"wxens tests\" ;",
            ":source = \"wxens \(wxensVersion)\" ;", ":references = \"https://example.org/wxens\" ;",
        ]
        for e in expected { XCTAssertTrue(header.contains(e), "missing `\(e)` in\n\(header)") }
        let history = try XCTUnwrap(header.split(separator: "\n").first { $0.contains(":history = ") })
        let pattern = #":history = "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: wxens test --flag value" ;"#
        XCTAssertNotNil(history.range(of: pattern, options: .regularExpression), String(history))
    }

    /// Runs `body` on a fresh fixture writer and checks it throws a matching typed error and leaves no file.
    private func assertFailsCleanly(_ label: String, _ body: (CFEnsembleWriter, EnsembleFixture) throws -> Void,
                                    _ matches: (CFWriterError) -> Bool) throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.nc").path
        let fx = EnsembleFixture()
        let w = try fx.makeWriter(path)
        XCTAssertThrowsError(try body(w, fx), label) { e in
            guard let e = e as? CFWriterError else { return XCTFail("\(label): untyped error \(e)") }
            XCTAssertTrue(matches(e), "\(label): \(e)")
            XCTAssertTrue(e.description.contains(path), "\(label): error does not name the file: \(e)")
        }
        XCTAssertEqual(TestSupport.files(in: dir), [], "\(label): a failed write leaves no file, temporary or final")
        XCTAssertThrowsError(try w.finish(), "\(label): a failed writer cannot be finished")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testFailedWritesLeaveNoFileAndAreTyped() throws {
        try assertFailsCleanly("wrong-sized buffer", { w, fx in
            try w.write(member: 0, variable: "t2m", values: [Float](repeating: 280, count: fx.memberCount - 1))
        }) { if case .sizeMismatch(_, "t2m", _, _) = $0 { return true } else { return false } }

        try assertFailsCleanly("value outside the int16 packing range", { w, fx in
            var v = fx.values(member: 0, variable: "t2m")
            v[5] = 264 + 0.075 * 40000
            try w.write(member: 0, variable: "t2m", values: v)
        }) { if case .valueOutOfPackingRange(_, "t2m", 5, _, _, _) = $0 { return true } else { return false } }

        try assertFailsCleanly("finishing with a member missing", { w, fx in
            for m in [0, 2] {
                for v in fx.variables { try w.write(member: m, variable: v.name, values: fx.values(member: m, variable: v.name)) }
            }
            try w.write(member: 1, variable: "tp", values: fx.values(member: 1, variable: "tp"))
            try w.finish()
        }) { if case .recordsMissing(_, "t2m", [1]) = $0 { return true } else { return false } }

        try assertFailsCleanly("member written twice", { w, fx in
            try w.write(member: 1, variable: "tp", values: fx.values(member: 1, variable: "tp"))
            try w.write(member: 1, variable: "tp", values: fx.values(member: 1, variable: "tp"))
        }) { if case .recordWrittenTwice(_, "tp", 1) = $0 { return true } else { return false } }

        try assertFailsCleanly("member out of range", { w, fx in
            try w.write(member: 3, variable: "tp", values: fx.values(member: 0, variable: "tp"))
        }) { if case .recordOutOfRange(_, "tp", 3, 3) = $0 { return true } else { return false } }

        try assertFailsCleanly("unknown variable", { w, fx in
            try w.write(member: 0, variable: "z500", values: fx.values(member: 0, variable: "tp"))
        }) { if case .unknownName = $0 { return true } else { return false } }

        try assertFailsCleanly("infinite value in a packed variable", { w, fx in
            var v = fx.values(member: 0, variable: "t2m")
            v[0] = .infinity
            try w.write(member: 0, variable: "t2m", values: v)
        }) { if case .valueOutOfPackingRange(_, "t2m", 0, _, _, _) = $0 { return true } else { return false } }
    }

    func testNoFileUnderTheFinalNameWhileWritingAndNoneInAMissingDirectory() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ens.nc").path
        let fx = EnsembleFixture()
        let w = try fx.makeWriter(path)
        for m in fx.members.indices {
            for v in fx.variables {
                try w.write(member: m, variable: v.name, values: fx.values(member: m, variable: v.name))
                XCTAssertFalse(FileManager.default.fileExists(atPath: path), "final name exists before finish()")
                XCTAssertTrue(w.isWritten(member: m, variable: v.name))
            }
        }
        let during = TestSupport.files(in: dir)
        XCTAssertEqual(during.count, 1)
        XCTAssertTrue(during[0].hasPrefix(".ens.nc.tmp-\(getpid())-"), "\(during)")
        try w.finish()
        XCTAssertEqual(TestSupport.files(in: dir), ["ens.nc"])

        let missing = dir.appendingPathComponent("not-there/ens.nc").path
        XCTAssertThrowsError(try fx.makeWriter(missing)) {
            guard case CFWriterError.directoryMissing(missing, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(TestSupport.files(in: dir), ["ens.nc"])
    }

    /// 64 members written from one reused buffer: each member in the file holds what the buffer held when it
    /// was written (the writer copies nothing for later), and the writer's scratch never exceeds one member.
    func testSixtyFourMembersFromOneReusedBuffer() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.nc").path
        let nlat = 3, nlon = 4
        let w = try CFEnsembleWriter(
            path: path, members: Array(0..<64), times: CFTimeAxis(hours: [0], reference: "2000-01-01 00:00:00"),
            leadTimeHours: [24], latitudes: [-10, 0, 10], longitudes: [0, 90, 180, 270],
            variables: [CFDataVariable(name: "x", units: "1"),
                        CFDataVariable(name: "p", units: "K", packing: CFPacking(scaleFactor: 1, addOffset: 0))],
            global: CFGlobalAttributes(title: "memory"))
        XCTAssertEqual(w.memberShape, [1, 1, nlat, nlon])
        var buffer = [Float](repeating: 0, count: w.memberValueCount)
        for m in 0..<64 {
            for i in buffer.indices { buffer[i] = Float(m * 100 + i) }
            try buffer.withUnsafeBufferPointer {
                try w.write(member: m, variable: "x", values: $0)
                try w.write(member: m, variable: "p", values: $0)
            }
            XCTAssertLessThanOrEqual(w.scratchValueCount, w.memberValueCount)
        }
        try w.finish()
        let text = try TestSupport.ncdump(["-v", "x,p", path])
        for name in ["x", "p"] {
            let start = try XCTUnwrap(text.range(of: "\n \(name) =\n"))
            let end = try XCTUnwrap(text.range(of: ";", range: start.upperBound..<text.endIndex))
            let got = text[start.upperBound..<end.lowerBound].split(separator: ",")
                .map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            let want = (0..<64).flatMap { m in (0..<(nlat * nlon)).map { Double(m * 100 + $0) } }
            XCTAssertEqual(got, want, name)
        }
    }

    func testWritesFromFieldsAndRejectsMismatchedOnes() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fx = EnsembleFixture()
        let dims = [Dimension(name: "number", role: .member, size: 1), Dimension(name: "init", role: .initTime, size: 2),
                    Dimension(name: "step", role: .leadTime, size: 2), Dimension(name: "lat", role: .latitude, size: 4),
                    Dimension(name: "lon", role: .longitude, size: 5)]
        let coords = ["lat": Coordinate(name: "lat", values: fx.latitudes), "lon": Coordinate(name: "lon", values: fx.longitudes)]
        func field(_ m: Int, _ v: String) -> Field<Double> {
            Field(name: v, dimensions: dims, values: fx.values(member: m, variable: v).map(Double.init), coordinates: coords)
        }
        let path = dir.appendingPathComponent("f.nc").path
        let w = try fx.makeWriter(path)
        for m in 0..<3 { for v in ["t2m", "tp"] { try w.write(member: m, variable: v, field: field(m, v)) } }
        try w.finish()
        let back = try NetCDFFile(path: path)
        defer { back.close() }
        let tp = try back.readField("tp", as: Float.self)
        XCTAssertEqual(tp.values.map(\.bitPattern), (0..<3).flatMap { fx.values(member: $0, variable: "tp") }.map(\.bitPattern),
                       "Double fields are stored as the float32 values they round to, NaN kept")
        let t2m = try back.readField("t2m", as: Double.self)
        let want = (0..<3).flatMap { fx.values(member: $0, variable: "t2m") }
        for (g, x) in zip(t2m.values, want) {
            XCTAssertTrue(x.isNaN ? g.isNaN : abs(g - Double(x)) <= 0.0375 + 1e-4, "\(g) vs \(x)")
        }

        var shifted = field(0, "tp")
        shifted.coordinates["lat"]!.values[0] += 1
        var swapped = field(0, "tp")
        swapped.dimensions.swapAt(3, 4)
        var twoMembers = field(0, "tp")
        twoMembers.dimensions[0].size = 2
        twoMembers.dimensions[1].size = 1
        for (label, f) in [("shifted latitudes", shifted), ("swapped axes", swapped), ("two members", twoMembers)] {
            let p = dir.appendingPathComponent("bad.nc").path
            let w = try fx.makeWriter(p)
            XCTAssertThrowsError(try w.write(member: 0, variable: "tp", field: f), label) {
                guard case CFWriterError.layoutMismatch(p, "tp", _) = $0 else { return XCTFail("\(label): \($0)") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: p), label)
            XCTAssertEqual(TestSupport.files(in: dir), ["f.nc"], label)
        }
    }

    func testTimeSeriesWriterHeaderAndCompleteness() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("truth.nc").path
        let variables = [CFDataVariable(name: "z500", units: "m2 s-2", standardName: "geopotential",
                                        packing: CFPacking(scaleFactor: 31.25, addOffset: 48000))]
        let make = { try CFTimeSeriesWriter(path: path, times: CFTimeAxis(hours: [18, 24, 42], reference: "2000-03-21 00:00:00"),
                                            latitudes: [-45, 45], longitudes: [0, 120, 240], variables: variables,
                                            global: CFGlobalAttributes(title: "truth")) }
        let w = try make()
        XCTAssertEqual(w.frameShape, [2, 3])
        try w.write(variable: "z500", values: (0..<18).map { Float(50000 + 10 * $0) })
        try w.finish()
        let header = try TestSupport.ncdump(["-h", path])
        for e in ["short z500(time, latitude, longitude) ;", "time:standard_name = \"time\" ;", "time:axis = \"T\" ;",
                  "time:units = \"hours since 2000-03-21 00:00:00\" ;", "time:calendar = \"proleptic_gregorian\" ;",
                  "z500:scale_factor = 31.25f ;", ":Conventions = \"CF-1.8\" ;"] {
            XCTAssertTrue(header.contains(e), "missing `\(e)` in\n\(header)")
        }
        let incomplete = try make()
        try incomplete.write(time: 0, variable: "z500", values: [Float](repeating: 50000, count: 6))
        XCTAssertThrowsError(try incomplete.finish()) {
            guard case CFWriterError.recordsMissing(path, "z500", [1, 2]) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(TestSupport.files(in: dir), ["truth.nc"], "the earlier complete file stays; the failed one left nothing")
    }

    func testReleasedWritersLeaveNoFile() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fx = EnsembleFixture()
        do {
            let w = try fx.makeWriter(dir.appendingPathComponent("a.nc").path)
            try w.write(member: 0, variable: "tp", values: fx.values(member: 0, variable: "tp"))
            XCTAssertEqual(TestSupport.files(in: dir).count, 1)
        }
        XCTAssertEqual(TestSupport.files(in: dir), [], "an ensemble writer released before finish() removes its temporary file")
        let w = try fx.makeWriter(dir.appendingPathComponent("b.nc").path)
        w.discard()
        XCTAssertEqual(TestSupport.files(in: dir), [])
        XCTAssertThrowsError(try w.write(member: 0, variable: "tp", values: fx.values(member: 0, variable: "tp"))) {
            guard case CFWriterError.writerClosed = $0 else { return XCTFail("\($0)") }
        }
    }

    func testInvalidDefinitionsAreRejectedBeforeAnyFileExists() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.nc").path
        var cases: [(String, EnsembleFixture)] = []
        var f = EnsembleFixture(); f.latitudes = [-30, 10, -10, 30]; cases.append(("non-monotonic latitudes", f))
        f = EnsembleFixture(); f.members = [0, 1, 1]; cases.append(("repeated member", f))
        f = EnsembleFixture(); f.times = CFTimeAxis(hours: [0, 30], reference: "yesterday"); cases.append(("bad time units", f))
        f = EnsembleFixture(); f.times = CFTimeAxis(hours: [0, 30], reference: "2000-01-01", calendar: "lunar")
        cases.append(("unknown calendar", f))
        f = EnsembleFixture(); f.longitudes = [0, .nan, 144, 216, 288]; cases.append(("NaN longitude", f))
        f = EnsembleFixture(); f.packing = CFPacking(scaleFactor: 0, addOffset: 0); cases.append(("zero scale_factor", f))
        f = EnsembleFixture(); f.leads = []; cases.append(("no leads", f))
        for (label, fx) in cases {
            XCTAssertThrowsError(try fx.makeWriter(path), label) {
                guard case CFWriterError.invalidDefinition(path, _, let reason) = $0 else { return XCTFail("\(label): \($0)") }
                XCTAssertFalse(reason.isEmpty)
            }
            XCTAssertEqual(TestSupport.files(in: dir), [], label)
        }
        let reserved = CFDataVariable(name: "x", units: "K", attributes: ["scale_factor": .doubles([2])])
        XCTAssertThrowsError(try CFTimeSeriesWriter(path: path, times: CFTimeAxis(hours: [0], reference: "2000-01-01"),
                                                    latitudes: [0], longitudes: [0], variables: [reserved],
                                                    global: CFGlobalAttributes(title: "t"))) {
            guard case CFWriterError.invalidDefinition(path, "x", _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(TestSupport.files(in: dir), [])
    }
}
