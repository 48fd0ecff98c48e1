import Foundation
import XCTest

/// Runs external tools (ncdump, the xarray check) and makes scratch directories for the IO tests.
enum TestSupport {
    /// The repository root (two folders above this file's folder).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A new empty directory under the system temporary directory.
    static func scratchDirectory(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("wxens-io-tests-\(safe)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Output of a finished process.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`; nil when it cannot be started.
    static func run(_ executable: String, _ arguments: [String]) -> Output? {
        let p = Process()
        if executable.contains("/") {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [executable] + arguments
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return nil }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// `ncdump` with the given arguments, or a skip when the tool is absent.
    static func ncdump(_ arguments: [String]) throws -> String {
        guard let o = run("ncdump", arguments), o.status != 127 else {
            throw XCTSkip("ncdump is not installed (apt-get install netcdf-bin)")
        }
        XCTAssertEqual(o.status, 0, "ncdump \(arguments) failed: \(o.stderr)")
        return o.stdout
    }

    /// Files in `directory` (hidden ones included).
    static func files(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }
}
