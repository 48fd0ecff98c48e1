import Foundation
import XCTest

/// Where the shared read-only test data lives (../shared beside the repository root), or skip.
enum SharedData {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// Path of a file under shared/data, or XCTSkip when the shared data is absent.
    static func path(_ relative: String) throws -> String {
        let p = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("shared test data not found at \(p) (../shared beside the repository root)")
        }
        return p
    }
}
