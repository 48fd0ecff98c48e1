import Foundation
import WXCore
import WXIO
import WXVerification

/// What `wxens plot members` is asked to draw.
public struct MemberMapsOptions: Sendable {
    /// The ensemble file (reforecast or generated layout).
    public var path: String
    /// The variable.
    public var variable: String
    /// The init time, ISO 8601 (e.g. 2000-09-22T00:00).
    public var initTime: String
    /// The lead time in hours.
    public var leadHours: Double
    /// Members of `path` drawn one by one (nil: the first four).
    public var members: [Int]?
    /// The seeds file (nil: the file's `wxens_seeds_file` attribute when that file exists; "" for none).
    public var seedsPath: String?
    /// Members of the seeds file drawn (nil: the file's `wxens_seed_members` attribute, else 0 and 1).
    public var seedMembers: [Int]?
    /// A truth file with a time axis (the state at init + lead is drawn first).
    public var truthPath: String?
    /// A `wxens climatology` file whose `<variable>_mean` is subtracted from every map but the spread.
    public var climatologyPath: String?
    /// The SVG written.
    public var outPath: String
    /// Panels per row (nil: 3 or 4, whichever leaves fewer empty places, 4 on a tie).
    public var columns: Int?

    /// Options.
    public init(path: String, variable: String, initTime: String, leadHours: Double, members: [Int]? = nil, seedsPath: String? = nil,
                seedMembers: [Int]? = nil, truthPath: String? = nil, climatologyPath: String? = nil, outPath: String, columns: Int? = nil) {
        self.path = path
        self.variable = variable
        self.initTime = initTime
        self.leadHours = leadHours
        self.members = members
        self.seedsPath = seedsPath
        self.seedMembers = seedMembers
        self.truthPath = truthPath
        self.climatologyPath = climatologyPath
        self.outPath = outPath
        self.columns = columns
    }

    /// Hours of a lead given as "72", "72h" or "3d".
    public static func leadHours(parsing text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, factor): (Substring, Double) = t.hasSuffix("h") ? (t.dropLast(), 1) : t.hasSuffix("d") ? (t.dropLast(), 24) : (Substring(t), 1)
        guard let v = Double(number), v.isFinite, v >= 0 else {
            throw PlotError.badOption(name: "--lead", value: text, reason: "not a lead time such as 72h, 72 or 3d")
        }
        return v * factor
    }

    /// Member indices from "0,1,2".
    public static func memberList(parsing text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let list = parts.compactMap { Int($0) }
        guard !parts.isEmpty, list.count == parts.count, list.allSatisfy({ $0 >= 0 }) else {
            throw PlotError.badOption(name: option, value: text, reason: "not a comma-separated list of member indices (0, 1, ...)")
        }
        return list
    }
}

/// `wxens plot members`: maps of one variable at one init and lead: the truth, the seeds, some members, the ensemble
/// mean and spread (sd, ddof 1, over all members of the file), on a shared colour scale (anomalies: diverging about
/// zero) and the spread on its own.
public enum MemberMapsWorkflow {
    /// Draws the figure and writes it atomically; returns the panel titles in order.
    @discardableResult
    public static func run(_ o: MemberMapsOptions) throws -> [String] {
        let c = try chart(o)
        try CreatedDirectories.writing(o.outPath) { try c.render().write(to: URL(fileURLWithPath: o.outPath)) }
        return c.panels.map(\.title)
    }

    /// The figure's panels, colour bars and titles, read from the files (nothing written).
    public static func chart(_ o: MemberMapsOptions) throws -> MapPanelsChart {
        if let c = o.columns, c < 1 { throw PlotError.badOption(name: "--columns", value: "\(c)", reason: "must be at least 1") }
        guard !o.outPath.isEmpty else { throw PlotError.badOption(name: "--out", value: o.outPath, reason: "is empty") }
        let initDate: CFDateTime
        do {
            let datePart = o.initTime.prefix { $0 != "T" && $0 != "t" && $0 != " " }
            guard datePart.split(separator: "-", omittingEmptySubsequences: false).count == 3 else { throw CFTimeError.invalidDate(o.initTime) }
            initDate = try CFDateTime(parsing: o.initTime, calendar: .prolepticGregorian)
        } catch {
            throw PlotError.badOption(name: "--init", value: o.initTime, reason: "not an ISO 8601 time such as 2000-09-22T00:00")
        }
        let ens = try MapSlice.read(o.path, variable: o.variable, time: .forecast(init: initDate, leadHours: o.leadHours))
        let members = o.members ?? Array(0..<min(4, ens.members))
        for m in members where m >= ens.members {
            throw PlotError.memberOutOfRange(path: o.path, option: "--members", member: m, members: ens.members)
        }
        let global = try GriddedFiles.open(o.path).attributes(ofGroup: "/")
        var seeds: (slice: MapSlice, members: [Int])? = nil
        if let seedsPath = o.seedsPath ?? global["wxens_seeds_file"]?.stringValue.flatMap({ FileManager.default.fileExists(atPath: $0) ? $0 : nil }),
           !seedsPath.isEmpty {
            let s = try MapSlice.read(seedsPath, variable: o.variable, time: .forecast(init: initDate, leadHours: o.leadHours))
            try sameGrid(s, ens)
            let listed = try o.seedMembers ?? global["wxens_seed_members"]?.stringValue.map {
                try MemberMapsOptions.memberList(parsing: $0, option: "the wxens_seed_members attribute of \(o.path)")
            } ?? [0, 1]
            for m in listed where m >= s.members {
                throw PlotError.memberOutOfRange(path: seedsPath, option: "--seed-members", member: m, members: s.members)
            }
            seeds = (s, listed)
        }
        let initFileDate = ens.initTime ?? initDate
        let valid = try initFileDate.adding(seconds: o.leadHours * 3600)
        var truth: MapSlice? = nil
        if let t = o.truthPath {
            truth = try MapSlice.read(t, variable: o.variable, time: .valid(valid))
            try sameGrid(truth!, ens)
        }
        var climate: [Double]? = nil
        if let c = o.climatologyPath {
            let mean = try MapSlice.read(c, variable: "\(o.variable)_mean", time: .none)
            try sameGrid(mean, ens)
            climate = mean.member(0)
        }
        func anomaly(_ v: [Double]) -> [Double] { climate.map { c in zip(v, c).map { $0 - $1 } } ?? v }

        var panels: [MapPanel] = []
        if let t = truth { panels.append(MapPanel(title: "truth", values: anomaly(t.member(0)))) }
        if let s = seeds { for m in s.members { panels.append(MapPanel(title: "seed: member \(m)", values: anomaly(s.slice.member(m)))) } }
        let label = global["wxens_mode"]?.stringValue.map { "\($0.uppercased()) member" } ?? "member"
        for m in members { panels.append(MapPanel(title: "\(label) \(m)", values: anomaly(ens.member(m)))) }
        let mean = try EnsembleStatistics.mean(forecast: ens.values, members: ens.members, points: ens.plane)
        panels.append(MapPanel(title: "mean of \(ens.members) members", values: anomaly(mean)))
        let units = ens.units.isEmpty ? "" : " (\(ens.units))"
        let what = climate == nil ? o.variable : "\(o.variable) anomaly"
        var bars = [MapColorBar(scale: ColorScale(kind: climate == nil ? .sequential : .diverging, covering: panels.flatMap(\.values)),
                                label: "\(what)\(units)")]
        if ens.members >= 2 {
            let sd = try EnsembleStatistics.variance(forecast: ens.values, members: ens.members, points: ens.plane).map { $0.squareRoot() }
            panels.append(MapPanel(title: "spread (sd) of \(ens.members) members", values: sd, colorBar: 1))
            bars.append(MapColorBar(scale: ColorScale(kind: .sequential, covering: sd + [0], levels: 10),
                                    label: "ensemble spread of \(o.variable), sd over \(ens.members) members\(units)"))
        }
        let lead = String(format: "%g", o.leadHours)
        let title = "\(what) at lead \(lead) h: init \(VerificationFigures.displayTime(initFileDate.iso8601)), valid \(VerificationFigures.displayTime(valid.iso8601)) UTC"
        var sources = ["\((o.path as NSString).lastPathComponent) (\(ens.members) members)"]
        if let s = seeds { sources.append("seeds from \((s.slice.path as NSString).lastPathComponent)") }
        if let t = truth { sources.append("truth from \((t.path as NSString).lastPathComponent)") }
        if let c = o.climatologyPath { sources.append("anomalies from the mean of \((c as NSString).lastPathComponent)") }
        return MapPanelsChart(title: title, subtitle: sources.joined(separator: "; "), latitudes: ens.latitudes,
                              longitudes: ens.longitudes, panels: panels, colorBars: bars,
                              columns: o.columns ?? [4, 3].min { empty(panels.count, $0) < empty(panels.count, $1) }!)
    }

    /// Empty places in the last row of `n` panels in rows of `c`.
    static func empty(_ n: Int, _ c: Int) -> Int { (c - n % c) % c }

    /// Throws unless `other` is on `ens`'s grid (to 1e-4 degrees).
    static func sameGrid(_ other: MapSlice, _ ens: MapSlice) throws {
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 } }
        guard same(other.latitudes, ens.latitudes), same(other.longitudes, ens.longitudes) else {
            throw PlotError.gridMismatch(path: other.path,
                detail: "'\(other.variable)' is on a \(other.latitudes.count) x \(other.longitudes.count) grid that differs from \(ens.path)'s \(ens.latitudes.count) x \(ens.longitudes.count)")
        }
    }
}
