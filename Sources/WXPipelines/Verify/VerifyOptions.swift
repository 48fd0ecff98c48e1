import Foundation
import WXVerification

/// Everything `wxens verify` is asked to do.
public struct VerifyOptions: Sendable {
    /// Forecast ensemble file.
    public var forecastPath: String
    /// Truth file (may be the forecast file itself when the truth is stored beside it).
    public var truthPath: String
    /// Output directory (nil: compute only).
    public var outDirectory: String?
    /// Variables to verify (same name in both files); nil: every forecast variable with a lead-time axis found in the truth.
    public var variables: [String]?
    /// Forecast variable when its truth has another name (with `truthVariable`).
    public var forecastVariable: String?
    /// Truth variable matching `forecastVariable`.
    public var truthVariable: String?
    /// Lead times to verify in hours (nil: all).
    public var leadTimesHours: [Double]?
    /// Fixed-threshold events.
    public var events: [EventDefinition]
    /// Climatology file from `wxens climatology` (enables ACC and climatology events).
    public var climatologyPath: String?
    /// Latitude cell-area weighting.
    public var areaWeights: Bool
    /// NaN handling.
    public var nanPolicy: NaNPolicy
    /// Memory cap in bytes for data held at once (nil: 512 MiB).
    public var maxMemoryBytes: Int?
    /// Whether to write partials.json.
    public var writePartials: Bool
    /// Whether to write SVG figures.
    public var writeFigures: Bool
    /// Silence progress output.
    public var quiet: Bool
    /// Replace an earlier run's outputs in a non-empty `outDirectory` (otherwise such a directory is refused).
    public var overwrite: Bool
    /// `key=value` entries selecting the forecast's GRIB messages (`--forecast-filter`; refused for other formats).
    public var forecastFilter: [String]
    /// `key=value` entries selecting the truth's GRIB messages (`--truth-filter`; refused for other formats).
    public var truthFilter: [String]

    /// Options with defaults: area-weighted, NaN propagate, figures on, partials off.
    public init(forecastPath: String, truthPath: String, outDirectory: String? = nil, variables: [String]? = nil,
                forecastVariable: String? = nil, truthVariable: String? = nil, leadTimesHours: [Double]? = nil,
                events: [EventDefinition] = [], climatologyPath: String? = nil, areaWeights: Bool = true,
                nanPolicy: NaNPolicy = .propagate, maxMemoryBytes: Int? = nil, writePartials: Bool = false,
                writeFigures: Bool = true, quiet: Bool = true, overwrite: Bool = false,
                forecastFilter: [String] = [], truthFilter: [String] = []) {
        self.forecastPath = forecastPath
        self.truthPath = truthPath
        self.outDirectory = outDirectory
        self.variables = variables
        self.forecastVariable = forecastVariable
        self.truthVariable = truthVariable
        self.leadTimesHours = leadTimesHours
        self.events = events
        self.climatologyPath = climatologyPath
        self.areaWeights = areaWeights
        self.nanPolicy = nanPolicy
        self.maxMemoryBytes = maxMemoryBytes
        self.writePartials = writePartials
        self.writeFigures = writeFigures
        self.quiet = quiet
        self.overwrite = overwrite
        self.forecastFilter = forecastFilter
        self.truthFilter = truthFilter
    }

    /// Parses a memory size such as 512MB, 2GB, 1.5GiB or a byte count.
    public static func parseMemory(_ s: String) throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GIB", 1_073_741_824), ("MIB", 1_048_576), ("KIB", 1024), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3),
                                         ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024), ("B", 1)]
        for (u, f) in units where t.hasSuffix(u) {
            if let v = Double(t.dropLast(u.count).trimmingCharacters(in: .whitespaces)), v > 0, v.isFinite {
                // Double(Int.max) rounds up to 2^63, which Int() cannot hold: compare with <.
                guard v * f < Double(Int.max) else {
                    throw VerifyError.badOption(name: "--max-memory", value: s, reason: "larger than \(Int.max) bytes")
                }
                return max(1, Int(v * f))
            }
            break
        }
        if let v = Int(t), v > 0 { return v }
        throw VerifyError.badOption(name: "--max-memory", value: s, reason: "expected a size such as 512MB or 2GB")
    }

    /// Throws `badOption` for values no run can use: an empty output directory, repeated lead times or thresholds.
    public func validate() throws {
        if let out = outDirectory, out.isEmpty {
            throw VerifyError.badOption(name: "--out", value: out, reason: "an output directory is needed")
        }
        if let leads = leadTimesHours {
            for (i, h) in leads.enumerated() where leads[..<i].contains(h) {
                throw VerifyError.badOption(name: "--lead-times", value: VerificationPlan.hoursText(h), reason: "given more than once")
            }
        }
        for (i, e) in events.enumerated() where events[..<i].contains(where: { $0.name == e.name && $0.variable == e.variable }) {
            var text = e.name
            if case .fixed(let t) = e.threshold { text = e.comparison.rawValue + EventDefinition.format(t) }
            throw VerifyError.badOption(name: "--thresholds", value: (e.variable.map { $0 + ":" } ?? "") + text, reason: "given more than once")
        }
    }
}
