import Foundation
import WXCore
import WXIO

/// What `wxens climatology` is asked to do.
public struct ClimatologyOptions: Sendable {
    /// Truth file with a time axis.
    public var truthPath: String
    /// First date of the period (inclusive), e.g. 2000-03-21.
    public var from: String
    /// Last date of the period (inclusive).
    public var to: String
    /// Output CF file.
    public var outPath: String
    /// Quantile levels in (0, 1).
    public var quantiles: [Double]
    /// Variables (nil: every variable with a time axis).
    public var variables: [String]?
    /// Cap on the per-point samples held for exact quantiles (nil: 2 GiB).
    public var maxMemoryBytes: Int?
    /// `key=value` entries selecting the truth's GRIB messages (`--filter`; refused for other formats).
    public var filter: [String]

    /// Options; quantiles default to 0.9, 0.95, 0.99.
    public init(truthPath: String, from: String, to: String, outPath: String, quantiles: [Double] = [0.9, 0.95, 0.99],
                variables: [String]? = nil, maxMemoryBytes: Int? = nil, filter: [String] = []) {
        self.truthPath = truthPath
        self.from = from
        self.to = to
        self.outPath = outPath
        self.quantiles = quantiles
        self.variables = variables
        self.maxMemoryBytes = maxMemoryBytes
        self.filter = filter
    }
}

/// Per-point climatology of one variable: mean, standard deviation (ddof 0) and quantiles.
public struct PointClimatology: Sendable {
    /// Variable name.
    public var variable: String
    /// Units.
    public var units: String
    /// Mean per point.
    public var mean: [Double]
    /// Standard deviation per point (population, ddof 0).
    public var std: [Double]
    /// Quantile values, [level][point].
    public var quantiles: [[Double]]
    /// Finite samples per point.
    public var count: [Int]
}

/// `wxens climatology`: streams over the truth's times in a period and computes per-point mean, standard deviation and
/// exact quantiles (numpy's default 'linear' rule: with n sorted finite samples x_0..x_{n-1}, h = (n-1)q,
/// Q = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h))); NaN samples are skipped (numpy nanquantile).
public enum ClimatologyWorkflow {
    /// The quantile by numpy's 'linear' rule of sorted finite values (NaN when empty).
    public static func linearQuantile(sorted x: UnsafeBufferPointer<Double>, _ q: Double) -> Double {
        let n = x.count
        guard n > 0 else { return .nan }
        let h = Double(n - 1) * q
        let lo = Int(h.rounded(.down))
        if lo >= n - 1 { return x[n - 1] }
        return x[lo] + (h - Double(lo)) * (x[lo + 1] - x[lo])
    }

    /// Computes the climatology of every requested variable and writes the CF file atomically.
    @discardableResult
    public static func run(_ o: ClimatologyOptions) throws -> [PointClimatology] {
        for q in o.quantiles where !(q > 0 && q < 1) {
            throw VerifyError.badOption(name: "--quantiles", value: "\(q)", reason: "quantile levels must lie strictly between 0 and 1")
        }
        let src = try NetCDFVerifySource(path: o.truthPath, filter: o.filter)
        let names = try o.variables ?? src.variableNames().filter { (try? src.variable($0).axis(.time)) != nil }
        guard !names.isEmpty else { throw VerifyError.badLayout(path: o.truthPath, variable: "*", reason: "no variable has a time dimension") }
        var results: [PointClimatology] = []
        var pointDims: [WXCore.Dimension] = []
        var coords: [String: Coordinate] = [:]
        var period = ""
        var sampled: SampledTimes?
        for name in names {
            let v = try src.variable(name)
            guard let ta = v.axis(.time), let tc = v.coordinates[v.dimensions[ta].name], let tu = tc.units else {
                throw VerifyError.badLayout(path: o.truthPath, variable: name, reason: "needs a time dimension with a CF time coordinate (dims \(v.dimensions.map(\.name)))")
            }
            let units = try VerificationPlan.timeUnits(tu, calendar: tc.attributes["calendar"]?.stringValue, variable: tc.name, path: o.truthPath)
            func parse(_ s: String, _ opt: String) throws -> Double {
                do { return try CFDateTime(parsing: s, calendar: units.calendar).secondsSinceEpoch } catch {
                    throw VerifyError.badOption(name: opt, value: s, reason: "\(error)")
                }
            }
            let a = try parse(o.from, "--from"), b = try parse(o.to, "--to")
            guard a <= b else { throw VerifyError.badOption(name: "--to", value: o.to, reason: "is before --from \(o.from)") }
            let times = tc.values.indices.filter { let s = units.secondsSinceEpoch(tc.values[$0]); return s >= a - 1e-6 && s <= b + 1e-6 }
            guard !times.isEmpty else {
                throw VerifyError.badOption(name: "--from/--to", value: "\(o.from)..\(o.to)", reason: "\(o.truthPath): '\(name)' has no time in the period")
            }
            period = "\(o.from) .. \(o.to) (\(times.count) times)"
            if sampled == nil {
                sampled = SampledTimes(units: tu, calendar: tc.attributes["calendar"]?.stringValue, first: tc.values[times.first!], last: tc.values[times.last!])
            }
            let pAxes = v.dimensions.indices.filter { $0 != ta }
            let dims = pAxes.map { v.dimensions[$0] }
            if results.isEmpty {
                pointDims = dims
                for d in dims { coords[d.name] = v.coordinates[d.name] }
            } else if dims.map(\.size) != pointDims.map(\.size) {
                throw VerifyError.gridMismatch(forecast: o.truthPath, truth: o.truthPath, variable: name, reason: "point axes differ from \(results[0].variable)'s")
            }
            let P = dims.reduce(1) { $0 * $1.size }, T = times.count
            let cap = o.maxMemoryBytes ?? (2 << 30)
            guard P * T * 8 + P * 8 * 4 <= cap else {
                throw VerifyError.memoryCapTooSmall(capBytes: cap, needBytes: P * T * 8 + P * 32, variable: name)
            }
            var samples = [Double](repeating: .nan, count: P * T)
            var sum = [Double](repeating: 0, count: P), cnt = [Int](repeating: 0, count: P)
            for (k, t) in times.enumerated() {
                var start = [Int](repeating: 0, count: v.dimensions.count), count = v.dimensions.map(\.size)
                start[ta] = t; count[ta] = 1
                let frame = try src.read(name, start: start, count: count)
                for p in 0..<P { let x = frame[p]; samples[p * T + k] = x; if x.isFinite { sum[p] += x; cnt[p] += 1 } }
            }
            var mean = [Double](repeating: .nan, count: P), std = mean
            var qs = [[Double]](repeating: [Double](repeating: .nan, count: P), count: o.quantiles.count)
            samples.withUnsafeMutableBufferPointer { buf in
                for p in 0..<P where cnt[p] > 0 {
                    let m = sum[p] / Double(cnt[p])
                    var ss = 0.0
                    var n = 0
                    for k in 0..<T { let x = buf[p * T + k]; if x.isFinite { ss += (x - m) * (x - m); buf[p * T + n] = x; n += 1 } }
                    mean[p] = m
                    std[p] = (ss / Double(n)).squareRoot()
                    var row = UnsafeMutableBufferPointer(rebasing: buf[(p * T)..<(p * T + n)])
                    row.sort()
                    for (qi, q) in o.quantiles.enumerated() { qs[qi][p] = linearQuantile(sorted: UnsafeBufferPointer(row), q) }
                }
            }
            results.append(PointClimatology(variable: name, units: v.attributes["units"]?.stringValue ?? "", mean: mean, std: std, quantiles: qs, count: cnt))
        }
        try write(results, quantiles: o.quantiles, pointDims: pointDims, coords: coords, period: period, times: sampled, options: o)
        return results
    }

    /// The first and last time sampled, in the truth's time units: the cell of the statistics over time.
    struct SampledTimes {
        var units: String
        var calendar: String?
        var first: Double
        var last: Double
    }

    /// Writes the CF file: each statistic over time has `cell_methods: time: ...` that names a scalar `time`
    /// coordinate (the middle of the sampled times) whose `time_bnds` are the first and last time sampled (CF 7.3).
    static func write(_ cs: [PointClimatology], quantiles: [Double], pointDims: [WXCore.Dimension], coords: [String: Coordinate],
                      period: String, times: SampledTimes?, options o: ClimatologyOptions) throws {
        do {
            try CreatedDirectories.writing(o.outPath) {
                let w = try NetCDFWriter(path: o.outPath)
                do {
                    var dims = pointDims
                    if dims.isEmpty { dims = [WXCore.Dimension(name: "point", role: .other, size: 1)] }
                    try w.defineDimension("quantile", size: quantiles.count)
                    try w.defineVariable("quantile", type: .double, dimensions: ["quantile"], attributes: ["long_name": .string("quantile level"), "units": .string("1")])
                    for d in dims {
                        try w.defineDimension(d.name, size: d.size)
                        if let c = coords[d.name] {
                            var attrs = c.attributes
                            attrs.removeValue(forKey: "_FillValue")
                            try w.defineVariable(d.name, type: .double, dimensions: [d.name], attributes: attrs)
                        }
                    }
                    let dn = dims.map(\.name)
                    var timeRef: Attributes = [:]
                    if let t = times {
                        try w.defineDimension("nv", size: 2)
                        var attrs: Attributes = ["standard_name": .string("time"), "long_name": .string("middle of the sampled period"),
                                                 "units": .string(t.units), "axis": .string("T"), "bounds": .string("time_bnds")]
                        if let c = t.calendar { attrs["calendar"] = .string(c) }
                        try w.defineVariable("time", type: .double, dimensions: [], attributes: attrs)
                        try w.defineVariable("time_bnds", type: .double, dimensions: ["nv"], attributes: [:])
                        timeRef = ["coordinates": .string("time")]
                    }
                    for c in cs {
                        try w.defineVariable("\(c.variable)_mean", type: .double, dimensions: dn, attributes: timeRef.merging([
                            "units": .string(c.units), "long_name": .string("climatological mean of \(c.variable)"), "cell_methods": .string("time: mean")]) { $1 },
                                             fillValue: .nan)
                        try w.defineVariable("\(c.variable)_std", type: .double, dimensions: dn, attributes: timeRef.merging([
                            "units": .string(c.units), "long_name": .string("climatological standard deviation of \(c.variable) (population, ddof 0)"),
                            "cell_methods": .string("time: standard_deviation")]) { $1 }, fillValue: .nan)
                        try w.defineVariable("\(c.variable)_quantile", type: .double, dimensions: ["quantile"] + dn, attributes: timeRef.merging([
                            "units": .string(c.units), "long_name": .string("climatological quantiles of \(c.variable)"),
                            "interpolation": .string("linear (numpy default): h = (n-1)q, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) over sorted finite samples")]) { $1 },
                                             fillValue: .nan)
                        try w.defineVariable("\(c.variable)_count", type: .int32, dimensions: dn, attributes: timeRef.merging([
                            "long_name": .string("finite samples of \(c.variable) per point in the period"), "units": .string("1")]) { $1 })
                    }
                    try w.setAttribute("Conventions", .string("CF-1.8"))
                    try w.setAttribute("title", .string("wxens climatology"))
                    try w.setAttribute("source", .string("wxens \(wxensVersion)"))
                    try w.setAttribute("truth_file", .string(o.truthPath))
                    try w.setAttribute("period", .string(period))
                    try w.setAttribute("event_comparisons", .string("wxens verify uses these for events value > q (strict) for each quantile, value > mean + k sd and value < mean - k sd for k = 2, 3"))
                    try w.setAttribute("history", CFGlobalAttributes(title: "").attributes()["history"]!)
                    try w.write("quantile", values: quantiles)
                    if let t = times {
                        try w.write("time", values: [(t.first + t.last) / 2])
                        try w.write("time_bnds", values: [t.first, t.last])
                    }
                    for d in dims { if let c = coords[d.name] { try w.write(d.name, values: c.values) } }
                    for c in cs {
                        try w.write("\(c.variable)_mean", values: c.mean)
                        try w.write("\(c.variable)_std", values: c.std)
                        try w.write("\(c.variable)_quantile", values: c.quantiles.flatMap { $0 })
                        try w.write("\(c.variable)_count", values: c.count.map { Int32(clamping: $0) })
                    }
                    try w.finish()
                } catch { w.discard(); throw error }
            }
        } catch let e as VerifyError { throw e } catch {
            throw VerifyError.cannotWrite(path: o.outPath, reason: "\(error)")
        }
    }
}
