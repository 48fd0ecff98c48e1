import Foundation
import WXCore

/// One indexed GRIB message: where its bytes are and the keys that place it in a hypercube.
public struct GRIBMessage: Sendable {
    /// Which of the files given together holds it (0 for a single file).
    public var fileIndex: Int
    /// Byte offset of the message in its file.
    public var offset: Int
    /// Length of the message in bytes.
    public var length: Int
    /// Keys ecCodes defines for it, in their native types (long, double or string).
    public var keys: Attributes
    /// The same keys as ecCodes formats them as text (what `--filter key=value` compares with).
    public var text: [String: String]

    /// A message's index entry.
    public init(fileIndex: Int, offset: Int, length: Int, keys: Attributes, text: [String: String]) {
        self.fileIndex = fileIndex; self.offset = offset; self.length = length; self.keys = keys; self.text = text
    }

    /// The integer value of a key, if it has one.
    public func integer(_ key: String) -> Int? {
        if case .integers(let a)? = keys[key], let v = a.first { return Int(v) }
        return keys[key]?.doubleValue.flatMap { $0 == $0.rounded() ? Int($0) : nil }
    }

    /// The string value of a key, if it is defined.
    public func string(_ key: String) -> String? { keys[key]?.stringValue ?? text[key] }

    /// The variable name cfgrib gives the message: `cfVarName` unless ecCodes does not know it, else `shortName`.
    public var variableName: String {
        let cf = string("cfVarName") ?? "unknown"
        if !["undef", "unknown"].contains(cf) { return cf }
        return string("shortName") ?? "paramId_\(integer("paramId") ?? 0)"
    }

    /// Reference time in seconds since 1970-01-01 (proleptic Gregorian) from `dataDate` and `dataTime`.
    public var referenceTime: Int64? {
        guard let date = integer("dataDate"), let time = integer("dataTime") else { return nil }
        var c = DateComponents()
        c.year = date / 10000; c.month = date / 100 % 100; c.day = date % 100
        c.hour = time / 100; c.minute = time % 100
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let d = cal.date(from: c) else { return nil }
        return Int64(d.timeIntervalSince1970.rounded())
    }

    /// Seconds per `stepUnits` code (GRIB code table 4.4), as cfgrib converts steps; nil for units it refuses.
    static let stepUnitSeconds: [Int: Int] = [0: 60, 1: 3600, 2: 86400, 10: 10800, 11: 21600, 12: 43200, 13: 1, 14: 900, 15: 1800]

    /// Forecast step in hours from `endStep` and `stepUnits`.
    public var stepHours: Double? {
        guard let end = integer("endStep"), let unit = integer("stepUnits"), let s = GRIBMessage.stepUnitSeconds[unit] else { return nil }
        return Double(end * s) / 3600
    }

    /// Level value (`level` as a float).
    public var level: Double? { keys["level"]?.doubleValue }

    /// Ensemble member (`number`), nil when the message has none.
    public var number: Int? { integer("number") }
}
