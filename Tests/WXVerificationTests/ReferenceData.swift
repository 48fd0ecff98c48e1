import Foundation
import XCTest

/// Loads the golden files in ../shared/reference/verification (JSON with "NaN"/"Infinity" strings).
enum ReferenceData {
    /// The reference directory, or nil when ../shared is absent.
    static var directory: URL? {
        if let env = ProcessInfo.processInfo.environment["WXENS_SHARED"] {
            let u = URL(fileURLWithPath: env).appendingPathComponent("reference/verification")
            return FileManager.default.fileExists(atPath: u.path) ? u : nil
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let u = root.deletingLastPathComponent().appendingPathComponent("shared/reference/verification")
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }

    /// The parsed JSON object of a reference file; skips the test when ../shared is absent.
    static func load(_ name: String) throws -> [String: Any] {
        guard let dir = directory else {
            throw XCTSkip("../shared/reference/verification is absent (set WXENS_SHARED to the shared folder); skipping golden-value test")
        }
        let data = try Data(contentsOf: dir.appendingPathComponent(name))
        // JSONDecoder parses doubles exactly; JSONSerialization goes through Decimal and can be an ulp off.
        guard let obj = try JSONDecoder().decode(JSONValue.self, from: data).any as? [String: Any] else {
            throw NSError(domain: "ReferenceData", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not a JSON object"])
        }
        return obj
    }

    /// A golden file committed in Tests/Golden (made by scripts/golden/*.py), parsed like the reference files.
    static func loadGolden(_ name: String) throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Golden").appendingPathComponent(name))
        guard let obj = try JSONDecoder().decode(JSONValue.self, from: data).any as? [String: Any] else {
            throw NSError(domain: "ReferenceData", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not a JSON object"])
        }
        return obj
    }

    /// A number, or the strings "NaN", "Infinity", "-Infinity"; nil for anything else (e.g. an error record).
    static func number(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let n as NSNumber: return n.doubleValue
        case let s as String:
            switch s {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: return Double(s)
            }
        default: return nil
        }
    }

    /// A nested list flattened in row-major order, with its shape.
    static func array(_ v: Any?) -> (values: [Double], shape: [Int]) {
        if let list = v as? [Any] {
            var out: [Double] = []
            var inner: [Int] = []
            for e in list {
                let (vals, sh) = array(e)
                out += vals
                inner = sh
            }
            return (out, [list.count] + inner)
        }
        return ([number(v) ?? .nan], [])
    }
}

/// A JSON value decoded with JSONDecoder, whose number parsing is exact.
enum JSONValue: Decodable {
    case number(Double), string(String), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// The value as Foundation-style `Any` (Double, String, Bool, NSNull, [Any], [String: Any]).
    var any: Any {
        switch self {
        case let .number(d): return d
        case let .string(s): return s
        case let .bool(b): return b
        case .null: return NSNull()
        case let .array(a): return a.map(\.any)
        case let .object(o): return o.mapValues(\.any)
        }
    }
}

/// Asserts |a − e| ≤ rel·|e| (or ≤ abs when e is 0), and that NaN/±Inf classes match.
func assertClose(_ a: Double, _ e: Double, rel: Double, abs absTol: Double = 1e-15, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    if e.isNaN { XCTAssertTrue(a.isNaN, "expected NaN, got \(a) \(message())", file: file, line: line); return }
    if e.isInfinite { XCTAssertEqual(a, e, "expected \(e), got \(a) \(message())", file: file, line: line); return }
    let tol = Swift.max(rel * Swift.abs(e), absTol)
    XCTAssertLessThanOrEqual(Swift.abs(a - e), tol, "got \(a), expected \(e) \(message())", file: file, line: line)
}
