import Foundation

extension FileInspection {
    /// The inspection as readable text for a terminal.
    public var text: String {
        var out = ["\(path)", "  format: \(format)" + (groups.count > 1 ? ", groups: \(groups.joined(separator: " "))" : "")]
        if group != "/" { out.append("  group: \(group)") }
        if let t = attributes["title"] { out.append("  title: \(t)") }
        out.append("  dimensions: " + dimensions.map { "\($0.name)=\($0.size)\($0.unlimited ? " (unlimited)" : "")" }.joined(separator: ", "))
        if variables.isEmpty { out.append("  no data variables in this group") }
        for v in variables {
            out.append("")
            var head = "  \(v.path) (\(v.type)\(v.packed ? ", packed" : "")"
            if let d = v.deflateLevel { head += ", zlib \(d)" }
            if let c = v.chunks { head += ", chunks \(c.map(String.init).joined(separator: "x"))" }
            head += ")"
            out.append(head)
            if let l = v.longName { out.append("    long name: \(l)") }
            if let u = v.units { out.append("    units: \(u)") }
            if let s = v.standardName { out.append("    standard name: \(s)") }
            if let g = v.gribKeys, !g.isEmpty { out.append("    GRIB: " + g.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
            out.append("    dims: " + v.dimensions.map { "\($0.name)[\($0.size)] \($0.role)" }.joined(separator: ", "))
            if let g = v.grid {
                var line = "    grid: \(g.nlat) x \(g.nlon) \(g.kind)"
                if let m = g.mapping {
                    line += " (grid_mapping \(m)" + (g.northPole.map { ", north pole lat \(fmt($0[0])) lon \(fmt($0[1]))" } ?? "") + ")"
                }
                if let a = g.latitudeStep, let b = g.longitudeStep { line += ", \(fmt(a))° x \(fmt(b))°" }
                else if let b = g.longitudeStep { line += ", lon step \(fmt(b))°" }
                let (la, lo) = g.mapping == nil ? ("lat", "lon") : ("grid lat", "grid lon")
                line += ", \(la) \(fmt(g.latitudeRange[0]))..\(fmt(g.latitudeRange[1])) (\(g.latitudeOrder))"
                line += ", \(lo) \(fmt(g.longitudeRange[0]))..\(fmt(g.longitudeRange[1]))" + (g.mapping == nil ? " (\(g.longitudeConvention))" : "")
                line += g.globalWrap ? ", global (wraps)" : ", limited area"
                out.append(line)
            }
            if let m = v.members { out.append("    members: \(m.count)" + (m.first.map { " (\(fmt($0))..\(fmt(m.last ?? $0)))" } ?? "")) }
            if let t = v.initTimes { out.append("    init times: " + timeText(t)) }
            if let t = v.times { out.append("    times: " + timeText(t)) }
            if let l = v.leadTimes {
                if let h = l.hours { out.append("    lead times: \(l.count): " + h.prefix(8).map { fmt($0) + " h" }.joined(separator: ", ") + (h.count > 8 ? ", ..." : "")) }
                else { out.append("    lead times: \(l.count)" + (l.first.map { " (\(fmt($0))..\(fmt(l.last ?? $0)) \(l.units ?? ""))" } ?? "")) }
            }
            if let l = v.levels { out.append("    levels: \(l.count)" + (l.first.map { " (\(fmt($0))..\(fmt(l.last ?? $0)) \(l.units ?? ""))" } ?? "")) }
            if let s = v.values {
                out.append("    values: min \(s.min.map(fmt) ?? "-"), max \(s.max.map(fmt) ?? "-"), mean \(s.mean.map(fmt) ?? "-"), missing \(fmt(100 * s.missingFraction))% of \(s.count)")
            } else if let e = v.valuesError {
                out.append("    values: not read (\(e))")
            }
        }
        return out.joined(separator: "\n")
    }

    private func timeText(_ t: TimeAxisSummary) -> String {
        var s = "\(t.count)"
        if let f = t.first, let l = t.last { s += ", \(f) .. \(l)" }
        if let st = t.stepSeconds { s += ", every \(duration(st))" }
        if let c = t.calendar { s += ", calendar \(c)" }
        if t.missing > 0 { s += ", \(t.missing) missing" }
        if let n = t.note { s += " (not decoded: \(n))" }
        return s
    }

    private func duration(_ seconds: Double) -> String {
        if seconds != 0 && seconds.truncatingRemainder(dividingBy: 86400) == 0 { return "\(fmt(seconds / 86400)) d" }
        if seconds != 0 && seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(fmt(seconds / 3600)) h" }
        if seconds != 0 && seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(fmt(seconds / 60)) min" }
        return "\(fmt(seconds)) s"
    }

    private func fmt(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return String(format: "%.6g", x)
    }

    /// The inspection as JSON (sorted keys; numbers in Swift's shortest round-trip form; the non-finite values, which
    /// JSON numbers cannot hold, as the strings "NaN", "Infinity" and "-Infinity").
    public func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }
}
