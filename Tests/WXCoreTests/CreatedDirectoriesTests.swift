import Foundation
import XCTest
import WXCore

final class CreatedDirectoriesTests: XCTestCase {
    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-dirs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    func testMissingParentsAreMadeAndKeptWhenTheWriteSucceeds() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a/b/c/out.nc")
        try CreatedDirectories.writing(file.path) { try Data([1, 2, 3]).write(to: file) }
        XCTAssertEqual(try Data(contentsOf: file), Data([1, 2, 3]))
    }

    func testAFailedWriteRemovesOnlyWhatItCreated() throws {
        struct Failed: Error {}
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let kept = dir.appendingPathComponent("existing")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        let file = kept.appendingPathComponent("new/deeper/out.nc")
        XCTAssertThrowsError(try CreatedDirectories.writing(file.path) {
            XCTAssertTrue(self.exists(file.deletingLastPathComponent()))
            throw Failed()
        }) { XCTAssert($0 is Failed, "\($0)") }
        XCTAssertFalse(exists(kept.appendingPathComponent("new")))
        XCTAssertTrue(exists(kept))
    }

    func testADirectoryHoldingAFileIsNotRemoved() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let created = try CreatedDirectories(creating: dir.appendingPathComponent("x/y"))
        XCTAssertEqual(created.urls.map(\.lastPathComponent), ["y", "x"])
        try Data([0]).write(to: dir.appendingPathComponent("x/keep.txt"))
        created.removeIfEmpty()
        XCTAssertFalse(exists(dir.appendingPathComponent("x/y")))
        XCTAssertTrue(exists(dir.appendingPathComponent("x/keep.txt")))
    }

    func testAParentThatIsAFileIsATypedError() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("plain")
        try Data([0]).write(to: blocker)
        XCTAssertThrowsError(try CreatedDirectories(holding: blocker.appendingPathComponent("sub/out.nc").path)) {
            guard let e = $0 as? AtomicFileError else { return XCTFail("untyped \($0)") }
            XCTAssertEqual(e.path, blocker.appendingPathComponent("sub").path)
            XCTAssertFalse(e.reason.isEmpty)
        }
        XCTAssertFalse(exists(blocker.appendingPathComponent("sub")))
    }
}
