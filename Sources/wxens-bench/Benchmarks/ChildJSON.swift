import ArgumentParser
import Foundation

/// A benchmark's child process (a peer script or this executable as a worker) reporting one JSON object on the last
/// line of its standard output.
enum ChildJSON {
    /// Runs `executable` with `arguments` to completion, without the thread and CPU-tuning variables of this
    /// environment, and parses the JSON object on the last line of its output; `hint` is added to a start failure.
    static func run(_ executable: String, _ arguments: [String], hint: String = "") throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "WXENS_THREADS"] { env[key] = nil }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { throw ValidationError("cannot start \(executable): \(error)\(hint)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let last = text.split(separator: "\n").last,
              let obj = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(text)")
        }
        return obj
    }

    /// The numbers under `key` of a child's report.
    static func doubles(_ obj: [String: Any], _ key: String) -> [Double] {
        (obj[key] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
    }
}
