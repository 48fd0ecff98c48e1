import Foundation
import XCTest
import WXCore
import WXIO

/// The generic netCDF-4 writer: types, attributes, compression, chunking, hyperslabs, and the temporary-name discipline.
final class NetCDFWriterTests: XCTestCase {
    /// Values of `variable` in `ncdump -v` output ("_" for fill), as text.
    private func dumpedValues(_ variable: String, _ path: String) throws -> [String] {
        let text = try TestSupport.ncdump(["-v", variable, path])
        guard let data = text.range(of: "data:"),
              let start = text.range(of: "\(variable) =", range: data.upperBound..<text.endIndex),
              let end = text.range(of: ";", range: start.upperBound..<text.endIndex) else {
            XCTFail("no data for \(variable) in ncdump output:\n\(text)")
            return []
        }
        return text[start.upperBound..<end.lowerBound].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func testWritesTypesAttributesCompressionChunksAndHyperslabs() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("scores.nc").path
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("metric", size: 2)
        try w.defineDimension("lead_time", size: 3)
        try w.defineVariable("lead_time", type: .int32, dimensions: ["lead_time"], attributes: ["units": .string("hours")])
        try w.defineVariable("score", type: .double, dimensions: ["metric", "lead_time"],
                             attributes: ["long_name": .string("a score"), "valid_range": .doubles([0, 10])],
                             fillValue: -999, compression: .init(level: 5, shuffle: true), chunkSizes: [1, 3])
        try w.defineVariable("count", type: .int16, dimensions: ["lead_time"])
        try w.defineVariable("big", type: .int64, dimensions: ["metric"])
        try w.defineVariable("f", type: .float, dimensions: ["metric"], fillValue: .nan)
        try w.setAttribute("Conventions", .string("CF-1.8"))
        try w.setAttribute("flags", .strings(["a", "bc"]))
        try w.setAttribute("n", .integers([1, 2]), on: "score")
        try w.setAttribute("scale", .doubles([0.5]), on: "count", type: .float)
        try w.write("lead_time", values: [Int32(24), 72, 120])
        try w.write("score", values: [1.5, 2.5, 3.5], start: [1, 0], count: [1, 3])
        try w.write("score", values: [0.25], start: [0, 2], count: [1, 1])
        try w.write("count", values: [Int16(-3), 7, 32767])
        try w.write("big", values: [Int64(1) << 40, -5])
        try w.write("f", values: [Float(1.25), .nan])

        XCTAssertTrue(TestSupport.files(in: dir).allSatisfy { $0.hasPrefix(".scores.nc.tmp-") }, "\(TestSupport.files(in: dir))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "final name must not exist before finish()")
        try w.finish()
        XCTAssertEqual(TestSupport.files(in: dir), ["scores.nc"])
        XCTAssertFalse(w.isOpen)

        let header = try TestSupport.ncdump(["-hs", path])
        for expected in ["metric = 2 ;", "int lead_time(lead_time) ;", "double score(metric, lead_time) ;",
                         "short count(lead_time) ;", "int64 big(metric) ;", "float f(metric) ;",
                         "score:_FillValue = -999. ;", "score:_ChunkSizes = 1, 3 ;", "score:_DeflateLevel = 5 ;",
                         "score:_Shuffle = \"true\" ;", "score:valid_range = 0., 10. ;", "score:n = 1, 2 ;",
                         "count:scale = 0.5f ;", "f:_FillValue = NaNf ;", ":Conventions = \"CF-1.8\" ;",
                         "string :flags = \"a\", \"bc\" ;", ":_Format = \"netCDF-4\" ;"] {
            XCTAssertTrue(header.contains(expected), "missing \(expected) in\n\(header)")
        }
        XCTAssertEqual(try dumpedValues("score", path), ["_", "_", "0.25", "1.5", "2.5", "3.5"])
        XCTAssertEqual(try dumpedValues("count", path), ["-3", "7", "32767"])
        XCTAssertEqual(try dumpedValues("big", path), ["1099511627776", "-5"])
        XCTAssertEqual(try dumpedValues("lead_time", path), ["24", "72", "120"])
    }

    func testStringVariablesAreWrittenWholeOrByHyperslabAndCheckedAgainstNumericWrites() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("labels.nc").path
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("metric", size: 3)
        try w.defineDimension("region", size: 2)
        try w.defineStringVariable("metric", dimensions: ["metric"], attributes: ["long_name": .string("score name")])
        try w.defineStringVariable("cell", dimensions: ["metric", "region"])
        try w.defineVariable("score", type: .double, dimensions: ["metric"])
        XCTAssertTrue(w.isStringVariable("metric"))
        XCTAssertFalse(w.isStringVariable("score"))
        XCTAssertNil(w.type(of: "metric"))
        try w.write("metric", strings: ["crps", "brier_gt280", "rmse global"])
        try w.write("cell", strings: ["a", "b", "c", "d"], start: [1, 0], count: [2, 2])
        try w.write("cell", strings: ["été"], start: [0, 1], count: [1, 1])
        XCTAssertThrowsError(try w.write("metric", strings: ["x"], start: [3], count: [1])) { error in
            guard case CFWriterError.hyperslabOutOfBounds = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(w.isOpen, "an error discards the file")
        XCTAssertEqual(TestSupport.files(in: dir), [])

        let w2 = try NetCDFWriter(path: path)
        try w2.defineDimension("metric", size: 3)
        try w2.defineStringVariable("metric", dimensions: ["metric"], attributes: ["long_name": .string("score name")])
        try w2.defineStringVariable("cell", dimensions: ["metric"])
        try w2.defineVariable("score", type: .double, dimensions: ["metric"])
        try w2.write("metric", strings: ["crps", "brier_gt280", "rmse global"])
        try w2.write("cell", strings: ["a"], start: [0], count: [1])
        try w2.write("cell", strings: ["", "été"], start: [1], count: [2])
        XCTAssertFalse(TestSupport.files(in: dir).contains("labels.nc"), "final name must not exist before finish()")
        try w2.finish()
        XCTAssertEqual(TestSupport.files(in: dir), ["labels.nc"])
        let header = try TestSupport.ncdump(["-h", path])
        for expected in ["string metric(metric) ;", "metric:long_name = \"score name\" ;", "string cell(metric) ;"] {
            XCTAssertTrue(header.contains(expected), "missing \(expected) in\n\(header)")
        }
        XCTAssertEqual(try dumpedValues("metric", path), ["\"crps\"", "\"brier_gt280\"", "\"rmse global\""])
        XCTAssertEqual(try dumpedValues("cell", path), ["\"a\"", "_", "\"été\""], "an empty string is the NC_STRING fill")

        let w3 = try NetCDFWriter(path: dir.appendingPathComponent("mixed.nc").path)
        try w3.defineDimension("n", size: 1)
        try w3.defineStringVariable("s", dimensions: ["n"])
        XCTAssertThrowsError(try w3.write("s", values: [1.0])) { error in
            guard case CFWriterError.invalidDefinition = error else { return XCTFail("\(error)") }
        }
        let w4 = try NetCDFWriter(path: dir.appendingPathComponent("mixed.nc").path)
        try w4.defineDimension("n", size: 1)
        try w4.defineVariable("x", type: .double, dimensions: ["n"])
        XCTAssertThrowsError(try w4.write("x", strings: ["a"])) { error in
            guard case CFWriterError.invalidDefinition = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try NetCDFWriter(path: dir.appendingPathComponent("fill.nc").path).defineStringVariable("s", dimensions: ["nope"]))
        XCTAssertEqual(TestSupport.files(in: dir).filter { !$0.hasPrefix(".") }, ["labels.nc"])
    }

    func testCharacterLabelsArePaddedEncodedAndChecked() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("chars.nc").path
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("metric", size: 3)
        try w.defineDimension("metric_strlen", size: 5)
        try w.defineCharVariable("metric", dimensions: ["metric"], widthDimension: "metric_strlen",
                                 attributes: ["long_name": .string("score name")])
        XCTAssertFalse(w.isStringVariable("metric"))
        XCTAssertThrowsError(try w.write("metric", strings: ["a", "b", "c"])) { error in
            guard case CFWriterError.invalidDefinition = error else { return XCTFail("\(error)") }
        }
        let w2 = try NetCDFWriter(path: path)
        try w2.defineDimension("metric", size: 3)
        try w2.defineDimension("metric_strlen", size: 5)
        try w2.defineCharVariable("metric", dimensions: ["metric"], widthDimension: "metric_strlen")
        XCTAssertThrowsError(try w2.write("metric", labels: ["crps", "toolong", "x"])) { error in
            guard case CFWriterError.invalidDefinition(_, _, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("toolong"), reason)
        }
        XCTAssertEqual(TestSupport.files(in: dir), [], "an error discards the file")

        let w3 = try NetCDFWriter(path: path)
        try w3.defineDimension("metric", size: 3)
        try w3.defineDimension("metric_strlen", size: 5)
        try w3.defineCharVariable("metric", dimensions: ["metric"], widthDimension: "metric_strlen",
                                  attributes: ["long_name": .string("score name")])
        XCTAssertThrowsError(try w3.write("metric", values: [Double](repeating: 1, count: 15))) { error in
            guard case CFWriterError.invalidDefinition = error else { return XCTFail("\(error)") }
        }
        let w4 = try NetCDFWriter(path: path)
        try w4.defineDimension("metric", size: 3)
        try w4.defineDimension("metric_strlen", size: 5)
        try w4.defineCharVariable("metric", dimensions: ["metric"], widthDimension: "metric_strlen",
                                  attributes: ["long_name": .string("score name")])
        XCTAssertThrowsError(try w4.write("metric", labels: ["a", "b"])) { error in
            guard case CFWriterError.sizeMismatch = error else { return XCTFail("\(error)") }
        }
        let w5 = try NetCDFWriter(path: path)
        try w5.defineDimension("metric", size: 3)
        try w5.defineDimension("metric_strlen", size: 5)
        try w5.defineCharVariable("metric", dimensions: ["metric"], widthDimension: "metric_strlen",
                                  attributes: ["long_name": .string("score name")])
        try w5.write("metric", labels: ["crps", "été", "rmse"])
        try w5.finish()
        let header = try TestSupport.ncdump(["-h", path])
        for expected in ["char metric(metric, metric_strlen) ;", "metric:_Encoding = \"utf-8\" ;", "metric:long_name = \"score name\" ;"] {
            XCTAssertTrue(header.contains(expected), "missing \(expected) in\n\(header)")
        }
        XCTAssertEqual(try dumpedValues("metric", path), ["\"crps\"", "\"\\303\\251t\\303\\251\"", "\"rmse\""],
                       "ncdump prints the bytes of a char variable, é as octal escapes")
    }

    func testOutOfBoundsHyperslabIsTypedAndRemovesTheFile() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.nc").path
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("n", size: 4)
        try w.defineVariable("v", type: .float, dimensions: ["n"])
        XCTAssertThrowsError(try w.write("v", values: [Float(1), 2], start: [3], count: [2])) {
            guard case CFWriterError.hyperslabOutOfBounds(let p, let v, _, _, let shape) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(v, "v")
            XCTAssertEqual(shape, [4])
            XCTAssertTrue("\($0)".contains("x.nc") && "\($0)".contains("variable v"))
        }
        XCTAssertEqual(TestSupport.files(in: dir), [], "a failed writer leaves no file at all")
        XCTAssertFalse(w.isOpen)
        XCTAssertThrowsError(try w.finish()) { XCTAssertEqual($0 as? CFWriterError, .writerClosed(path: path)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testWrongSizeUnknownNamesAndBadDefinitionsAreTyped() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("y.nc").path
        let cases: [(String, (NetCDFWriter) throws -> Void, (CFWriterError) -> Bool)] = [
            ("wrong size", { try $0.write("v", values: [Float(1)]) }, {
                if case .sizeMismatch(_, "v", 3, 1) = $0 { return true } else { return false } }),
            ("unknown variable", { try $0.write("w", values: [Float(1)]) }, {
                if case .unknownName = $0 { return true } else { return false } }),
            ("unknown dimension", { try $0.defineVariable("u", type: .float, dimensions: ["nope"]) }, {
                if case .unknownName = $0 { return true } else { return false } }),
            ("duplicate", { try $0.defineDimension("n", size: 2) }, {
                if case .duplicateName(_, "n") = $0 { return true } else { return false } }),
            ("zero size", { try $0.defineDimension("m", size: 0) }, {
                if case .invalidDefinition = $0 { return true } else { return false } }),
            ("bad chunks", { try $0.defineVariable("c", type: .float, dimensions: ["n"], chunkSizes: [9]) }, {
                if case .invalidDefinition = $0 { return true } else { return false } }),
            ("fill not int16", { try $0.defineVariable("c", type: .int16, dimensions: ["n"], fillValue: 1e6) }, {
                if case .invalidDefinition = $0 { return true } else { return false } }),
            ("netCDF rejects a name", { try $0.defineDimension("bad/name", size: 2) }, {
                if case .netCDF(_, _, _, let code, _) = $0 { return code != 0 } else { return false } }),
        ]
        for (label, action, matches) in cases {
            let w = try NetCDFWriter(path: path)
            try w.defineDimension("n", size: 3)
            try w.defineVariable("v", type: .float, dimensions: ["n"])
            XCTAssertThrowsError(try action(w), label) { e in
                guard let e = e as? CFWriterError else { return XCTFail("\(label): untyped \(e)") }
                XCTAssertTrue(matches(e), "\(label): \(e)")
                XCTAssertTrue(e.description.contains("y.nc"), "\(label): \(e)")
            }
            XCTAssertEqual(TestSupport.files(in: dir), [], label)
        }
    }

    func testDroppedOrDiscardedWriterLeavesNothingAndMissingDirectoryIsTyped() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("z.nc").path
        do {
            let w = try NetCDFWriter(path: path)
            try w.defineDimension("n", size: 2)
            XCTAssertEqual(TestSupport.files(in: dir).count, 1)
            XCTAssertTrue(w.temporaryPath.hasPrefix(dir.path + "/.z.nc.tmp-"), w.temporaryPath)
        }
        XCTAssertEqual(TestSupport.files(in: dir), [], "a writer released before finish() removes its temporary file")
        let w = try NetCDFWriter(path: path)
        w.discard()
        XCTAssertEqual(TestSupport.files(in: dir), [])

        let missing = dir.appendingPathComponent("no/such/dir/out.nc").path
        XCTAssertThrowsError(try NetCDFWriter(path: missing)) {
            guard case CFWriterError.directoryMissing(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(p, missing)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("old".utf8)))
        XCTAssertThrowsError(try NetCDFWriter(path: path, overwrite: false)) {
            XCTAssertEqual($0 as? CFWriterError, .fileExists(path: path))
        }
        let replacing = try NetCDFWriter(path: path)
        try replacing.defineDimension("n", size: 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("old".utf8), "old file untouched while writing")
        try replacing.finish()
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("old".utf8))
    }

    func testVariablesInADefinedGroupUseTheRootDimensions() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("grouped.nc").path
        let w = try NetCDFWriter(path: path)
        try w.defineDimension("lead_time", size: 2)
        try w.defineGroup("counts")
        try w.defineVariable("lead_time", type: .double, dimensions: ["lead_time"], attributes: ["units": .string("hours")])
        try w.defineVariable("counts/inits", type: .int32, dimensions: ["lead_time"], attributes: ["units": .string("1")], fillValue: -1)
        try w.defineVariable("counts/lead_time", type: .double, dimensions: ["lead_time"])
        XCTAssertThrowsError(try NetCDFWriter(path: dir.appendingPathComponent("other.nc").path).defineVariable(
            "nogroup/x", type: .double, dimensions: []), "a name with a slash needs its group defined first")
        try w.write("lead_time", values: [24.0, 48])
        try w.write("counts/inits", values: [Int32(6), 5])
        try w.write("counts/lead_time", values: [24.0, 48])
        try w.finish()
        let f = try NetCDFFile(path: path)
        XCTAssertEqual(try f.readDoubles("counts/inits"), [6, 5])
        XCTAssertEqual(try f.variable("counts/inits").attributes["_FillValue"]?.doubleValue, -1)
        XCTAssertEqual(try f.variables(inGroup: "/").map(\.name), ["lead_time"])
    }
}
