import Foundation
import WXCore
import WXVerification

/// The mergeable state of a verification run (`partials.json`): metadata and every accumulator.
public struct VerificationPartials: Codable, Sendable, Equatable {
    /// Format tag checked on reading.
    public var format = "wxens-verify-partials"
    /// Format version (2: rank and event tables are WXVerification's accumulators; 3: CRPS skill and spread sums).
    public var version = 3
    /// What the run did.
    public var metadata: VerificationMetadata
    /// Sums per variable and lead.
    public var accumulators: [VerificationAccumulator]

    /// Partials of a scorecard.
    public init(_ card: Scorecard) {
        metadata = card.metadata
        accumulators = card.accumulators
    }

    /// The file name inside a run directory.
    public static let fileName = "partials.json"

    /// Writes `DIR/partials.json` atomically.
    public func write(toDirectory dir: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let url = dir.appendingPathComponent(Self.fileName)
        let data: Data
        do { data = try enc.encode(self) } catch { throw VerifyError.cannotWrite(path: url.path, reason: "\(error)") }
        try AtomicFile.write(data, to: url)
    }

    /// Reads partials from a run directory (or a partials.json path).
    public static func read(_ path: String) throws -> VerificationPartials {
        var url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { url = url.appendingPathComponent(fileName) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VerifyError.cannotRead(path: url.path, reason: "no partials here (run wxens verify with --partials)")
        }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        struct Header: Decodable { var format: String; var version: Int }
        if let h = try? dec.decode(Header.self, from: data), h.format != "wxens-verify-partials" || h.version != 3 {
            throw VerifyError.cannotRead(path: url.path, reason: "format \(h.format) version \(h.version) is not wxens-verify-partials version 3 (rerun wxens verify with --partials)")
        }
        do { return try dec.decode(VerificationPartials.self, from: data) } catch {
            throw VerifyError.cannotRead(path: url.path, reason: "not a wxens partials file: \(error)")
        }
    }

    /// Combines several runs' partials into the scorecard one run over all their inits gives.
    public static func merge(_ parts: [(path: String, partials: VerificationPartials)]) throws -> Scorecard {
        guard let first = parts.first else {
            throw VerifyError.badOption(name: "RUN", value: "", reason: "give at least one run directory")
        }
        var meta = first.partials.metadata
        var accs = first.partials.accumulators
        for (path, p) in parts.dropFirst() {
            let m = p.metadata
            guard m.areaWeighted == meta.areaWeighted else {
                throw VerifyError.partialsIncompatible(path: path, reason: "area weighting differs from \(first.path)")
            }
            guard m.nanPolicy == meta.nanPolicy else {
                throw VerifyError.partialsIncompatible(path: path, reason: "NaN policy \(m.nanPolicy.rawValue) differs from \(meta.nanPolicy.rawValue) in \(first.path)")
            }
            guard m.hasClimatology == meta.hasClimatology else {
                throw VerifyError.partialsIncompatible(path: path, reason: "one run used a climatology and the other did not")
            }
            for a in p.accumulators {
                if let i = accs.firstIndex(where: { $0.variable == a.variable && $0.leadTimeHours == a.leadTimeHours }) {
                    do { try accs[i].merge(a) } catch let VerifyError.partialsIncompatible(_, reason) {
                        throw VerifyError.partialsIncompatible(path: path, reason: reason)
                    }
                } else {
                    accs.append(a)
                }
            }
            meta.forecastPaths += m.forecastPaths.filter { !meta.forecastPaths.contains($0) }
            meta.truthPaths += m.truthPaths.filter { !meta.truthPaths.contains($0) }
            for (k, v) in m.units where meta.units[k] == nil { meta.units[k] = v }
            for e in m.events where !meta.events.contains(e) { meta.events.append(e) }
            if let period = m.initPeriod { meta.initPeriod = period.union(meta.initPeriod) }
        }
        let vars = accs.reduce(into: [String]()) { if !$0.contains($1.variable) { $0.append($1.variable) } }
        let order = Dictionary(uniqueKeysWithValues: vars.enumerated().map { ($1, $0) })
        accs.sort { (order[$0.variable] ?? 0, $0.leadTimeHours) < (order[$1.variable] ?? 0, $1.leadTimeHours) }
        return Scorecard(accumulators: accs, metadata: meta)
    }
}
