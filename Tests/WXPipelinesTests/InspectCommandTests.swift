import Foundation
import XCTest

/// The built `wxens inspect` executable: output and exit status (skips when the executable is not beside the tests).
final class InspectCommandTests: XCTestCase {
    func wxens() throws -> URL {
        let dir = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let exe = dir.appendingPathComponent("wxens")
        guard FileManager.default.isExecutableFile(atPath: exe.path) else {
            throw XCTSkip("wxens executable not found at \(exe.path) (build all products first)")
        }
        return exe
    }

    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try wxens()
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testBadFileExitsNonZeroWithTypedMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = dir.appendingPathComponent("text.nc").path
        try "plain text".write(toFile: p, atomically: true, encoding: .utf8)
        let r = try run(["inspect", p])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("\(p): not a NetCDF or HDF5 file"), r.err)
        XCTAssertTrue(r.out.isEmpty)
        let missing = try run(["inspect", dir.appendingPathComponent("none.nc").path, "--json"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("file not found"), missing.err)
    }

    func testJSONOutputParses() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/real/era5_2t_1.nc").path
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("shared test data not found at \(file)") }
        let r = try run(["inspect", file, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(obj["format"] as? String, "64-bit offset")
        let vars = try XCTUnwrap(obj["variables"] as? [[String: Any]])
        XCTAssertEqual(vars.map { $0["path"] as? String }, ["/t2m"])
        XCTAssertEqual(vars[0]["packed"] as? Bool, true)
        let text = try run(["inspect", file])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.out.contains("times: 1, 2021-03-01T12:00:00"), text.out)
    }
}
