import ArgumentParser
import Foundation

/// The Python that runs the peers: `--python`, else `$WXENS_PYTHON`, else the repository's `.venv-peers/bin/python`
/// (made by `scripts/install-peers.sh`), looked up from the working directory and from the bench binary's checkout.
enum PeerPython {
    /// The interpreter path, or a `ValidationError` saying how to install the peers when none is found.
    static func resolve(_ option: String?) throws -> String {
        if let p = option ?? ProcessInfo.processInfo.environment["WXENS_PYTHON"] { return p }
        if let p = defaultVenv { return p }
        throw ValidationError("no peer Python: run `bash scripts/install-peers.sh` (makes .venv-peers), or pass --python / set WXENS_PYTHON")
    }

    /// `.venv-peers/bin/python` in the working directory, or in the checkout the bench was built in (.build/<config>/..).
    static var defaultVenv: String? {
        let rel = ".venv-peers/bin/python"
        var candidates = [rel]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(rel).path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
