import Foundation

/// Runs Slurm's command-line tools.
public enum SlurmCommands {
    /// Whether `name` is an executable on PATH.
    public static func available(_ name: String) -> Bool { which(name) != nil }

    /// The full path of `name` on PATH.
    public static func which(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name args`, returning its exit status and its stdout and stderr together.
    public static func run(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) {
        guard let path = which(name) else { throw ReforecastError.commandFailed(command: name, status: 127, output: "not found on PATH") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
