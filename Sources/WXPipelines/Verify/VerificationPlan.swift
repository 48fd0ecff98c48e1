import Foundation
import WXCore
import WXVerification

/// How one forecast variable lines up with its truth: axes, lead times, valid-time lookup, grid and weights.
public struct VerificationPlan: Sendable {
    /// How the truth is indexed.
    public enum TruthIndexing: Sendable {
        /// Truth over valid time: index of the truth time for each (init, lead), [init][lead].
        case validTime(timeAxis: Int, index: [[Int]])
        /// Truth over the same (init, lead) axes as the forecast.
        case aligned(initAxis: Int, leadAxis: Int)
    }

    /// Forecast variable.
    public var forecast: SourceVariable
    /// Truth variable.
    public var truth: SourceVariable
    /// Axis of init time in the forecast (nil: a single init).
    public var initAxis: Int?
    /// Axis of lead time in the forecast.
    public var leadAxis: Int
    /// Axis of members in the forecast (nil: deterministic, M = 1).
    public var memberAxis: Int?
    /// Forecast axes that make up a point, in storage order.
    public var pointAxes: [Int]
    /// Truth axes that make up a point, in storage order.
    public var truthPointAxes: [Int]
    /// Number of inits.
    public var inits: Int
    /// Number of members.
    public var members: Int
    /// Points per block.
    public var points: Int
    /// Lead-time indices to verify and their hours.
    public var leads: [(index: Int, hours: Double)]
    /// Truth indexing.
    public var truthIndexing: TruthIndexing
    /// Area weight per point.
    public var weights: [Double]
    /// True when latitude weights were applied.
    public var areaWeighted: Bool
    /// Latitude and longitude coordinates of the points, when gridded.
    public var grid: LatLonGrid?

    /// Lines up `forecastName` in `forecast` with `truthName` in `truth`; throws a typed error on any mismatch.
    public static func make(forecast fs: VerifySource, forecastName: String, truth ts: VerifySource, truthName: String,
                            leadTimesHours: [Double]?, areaWeights: Bool) throws -> VerificationPlan {
        let f = try fs.variable(forecastName)
        let t = try ts.variable(truthName)
        guard let leadAxis = f.axis(.leadTime) else {
            throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "has no lead-time dimension (dims \(f.dimensions.map(\.name)))")
        }
        let initAxis = f.axis(.initTime)
        let memberAxis = f.axis(.member)
        let pointAxes = f.dimensions.indices.filter { $0 != leadAxis && $0 != initAxis && $0 != memberAxis }
        let leadDim = f.dimensions[leadAxis]
        guard let leadCoord = f.coordinates[leadDim.name] else {
            throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "lead-time dimension '\(leadDim.name)' has no coordinate")
        }
        let leadUnit = leadCoord.units ?? "hours"
        let leadUnits: CFDurationUnits
        do { leadUnits = try CFDurationUnits(units: leadUnit) } catch {
            throw VerifyError.badTime(path: fs.path, variable: leadDim.name, reason: "lead-time units '\(leadUnit)': \(error)")
        }
        let allLeadHours = leadCoord.values.map { leadUnits.seconds($0) / 3600 }
        var leads: [(Int, Double)] = []
        if let want = leadTimesHours {
            for h in want {
                guard let i = allLeadHours.firstIndex(where: { abs($0 - h) < 1e-6 }) else {
                    throw VerifyError.badOption(name: "--lead-times", value: VerificationPlan.hoursText(h),
                                                reason: "\(fs.path): '\(f.name)' has lead times \(allLeadHours.map(VerificationPlan.hoursText)) h")
                }
                leads.append((i, allLeadHours[i]))
            }
        } else {
            leads = allLeadHours.enumerated().map { ($0.offset, $0.element) }
        }
        let inits = initAxis.map { f.dimensions[$0].size } ?? 1
        var initSeconds: [Double]? = nil
        var initUnits: CFTimeUnits? = nil
        if let ia = initAxis, let c = f.coordinates[f.dimensions[ia].name], let u = c.units, CFTimeUnits.isTimeAxisUnits(u) {
            let dec = try timeUnits(u, calendar: c.attributes["calendar"]?.stringValue, variable: c.name, path: fs.path)
            initUnits = dec
            initSeconds = c.values.map(dec.secondsSinceEpoch)
        }

        // Truth indexing.
        let indexing: TruthIndexing
        let truthPointAxes: [Int]
        if let tTime = t.axis(.time), t.axis(.initTime) == nil {
            guard let fInit = initSeconds else {
                throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "needs an init-time coordinate with CF units ('<unit> since <date>') to find valid times in the truth")
            }
            let tDim = t.dimensions[tTime]
            guard let tc = t.coordinates[tDim.name], let tu = tc.units else {
                throw VerifyError.badLayout(path: ts.path, variable: t.name, reason: "time dimension '\(tDim.name)' has no coordinate with units")
            }
            let tdec = try timeUnits(tu, calendar: tc.attributes["calendar"]?.stringValue, variable: tc.name, path: ts.path)
            if let fdec = initUnits, fdec.calendar != tdec.calendar, !(fdec.calendar.isRealCalendar && tdec.calendar.isRealCalendar) {
                throw VerifyError.badTime(path: ts.path, variable: tc.name, reason: "calendar '\(tdec.calendar)' differs from the forecast's '\(fdec.calendar)'")
            }
            func text(_ s: Double) -> String {
                CFDateTime(microsecondsSinceEpoch: Int64((s * 1e6).rounded()), calendar: tdec.calendar).iso8601
            }
            var lookup: [Int64: Int] = [:]
            for (i, v) in tc.values.enumerated() where v.isFinite { lookup[Int64((tdec.secondsSinceEpoch(v)).rounded())] = i }
            var index: [[Int]] = []
            for i in 0..<inits {
                var row: [Int] = []
                for l in leads {
                    let valid = fInit[i] + l.1 * 3600
                    guard let k = lookup[Int64(valid.rounded())] else {
                        throw VerifyError.validTimeMissing(truth: ts.path, variable: t.name,
                                                           validTime: "\(text(valid)) (init \(text(fInit[i])) + \(VerificationPlan.hoursText(l.1)) h)")
                    }
                    row.append(k)
                }
                index.append(row)
            }
            indexing = .validTime(timeAxis: tTime, index: index)
            truthPointAxes = t.dimensions.indices.filter { $0 != tTime }
        } else if let tInit = t.axis(.initTime), let tLead = t.axis(.leadTime) {
            guard let fi = initAxis else {
                throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "has no init-time dimension but the truth '\(t.name)' has one")
            }
            guard t.dimensions[tInit].size == inits, t.dimensions[tLead].size == leadDim.size else {
                throw VerifyError.gridMismatch(forecast: fs.path, truth: ts.path, variable: f.name,
                                               reason: "truth (init, lead) sizes (\(t.dimensions[tInit].size), \(t.dimensions[tLead].size)) differ from the forecast's (\(inits), \(leadDim.size))")
            }
            let fic = f.coordinates[f.dimensions[fi].name]?.values, tic = t.coordinates[t.dimensions[tInit].name]?.values
            if let a = fic, let b = tic, a != b {
                throw VerifyError.gridMismatch(forecast: fs.path, truth: ts.path, variable: f.name, reason: "init-time coordinates differ")
            }
            let flc = leadCoord.values, tlc = t.coordinates[t.dimensions[tLead].name]?.values
            if let b = tlc, flc != b {
                throw VerifyError.gridMismatch(forecast: fs.path, truth: ts.path, variable: f.name, reason: "lead-time coordinates differ")
            }
            indexing = .aligned(initAxis: tInit, leadAxis: tLead)
            truthPointAxes = t.dimensions.indices.filter { $0 != tInit && $0 != tLead }
        } else {
            throw VerifyError.badLayout(path: ts.path, variable: t.name,
                                        reason: "truth needs a time dimension (valid time) or init-time and lead-time dimensions; dims are \(t.dimensions.map(\.name))")
        }
        if t.axis(.member) != nil {
            throw VerifyError.badLayout(path: ts.path, variable: t.name, reason: "truth has a member dimension; give a single truth")
        }

        // Points must match: same roles and sizes in order, equal coordinates.
        let fp = pointAxes.map { f.dimensions[$0] }, tp = truthPointAxes.map { t.dimensions[$0] }
        guard fp.map(\.role) == tp.map(\.role), fp.map(\.size) == tp.map(\.size) else {
            throw VerifyError.gridMismatch(forecast: fs.path, truth: ts.path, variable: f.name,
                                           reason: "forecast point axes \(fp.map { "\($0.name)=\($0.size)" }) vs truth \(tp.map { "\($0.name)=\($0.size)" })")
        }
        for (a, b) in zip(fp, tp) {
            guard let ca = f.coordinates[a.name]?.values, let cb = t.coordinates[b.name]?.values else { continue }
            if let i = ca.indices.first(where: { abs(ca[$0] - cb[$0]) > 1e-6 * max(1, abs(ca[$0])) }) {
                throw VerifyError.gridMismatch(forecast: fs.path, truth: ts.path, variable: f.name,
                                               reason: "\(a.name)[\(i)] = \(ca[i]) in the forecast but \(cb[i]) in the truth")
            }
        }
        let points = fp.reduce(1) { $0 * $1.size }
        let members = memberAxis.map { f.dimensions[$0].size } ?? 1
        for (axis, what) in [(memberAxis, "member"), (initAxis, "init-time"), (leadAxis, "lead-time")] {
            if let a = axis, f.dimensions[a].size == 0 {
                throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "\(what) dimension '\(f.dimensions[a].name)' has length 0")
            }
        }
        if let empty = fp.first(where: { $0.size == 0 }) {
            throw VerifyError.badLayout(path: fs.path, variable: f.name, reason: "dimension '\(empty.name)' has length 0")
        }
        var weights = [Double](repeating: 1, count: points)
        var weighted = false
        if areaWeights, let k = fp.firstIndex(where: { $0.role == .latitude }), let lat = f.coordinates[fp[k].name]?.values {
            if let why = notTrueLatitude(f, f.coordinates[fp[k].name]!) {
                throw VerifyError.badLayout(path: fs.path, variable: f.name,
                                            reason: "latitude '\(fp[k].name)' \(why), so cell-area weights cannot be computed from it; pass --no-area-weights")
            }
            let w: [Double]
            do { w = try AreaWeights.latitudeWeights(lat, kind: .cellArea) } catch {
                throw VerifyError.badLayout(path: fs.path, variable: fp[k].name, reason: "\(error)")
            }
            let inner = fp[(k + 1)...].reduce(1) { $0 * $1.size }
            for p in 0..<points { weights[p] = w[(p / inner) % fp[k].size] }
            weighted = true
        }
        var grid: LatLonGrid? = nil
        if let la = fp.first(where: { $0.role == .latitude }), let lo = fp.first(where: { $0.role == .longitude }),
           let lac = f.coordinates[la.name]?.values, let loc = f.coordinates[lo.name]?.values {
            grid = LatLonGrid(latitudes: lac, longitudes: loc)
        }
        return VerificationPlan(forecast: f, truth: t, initAxis: initAxis, leadAxis: leadAxis, memberAxis: memberAxis,
                                pointAxes: pointAxes, truthPointAxes: truthPointAxes, inits: inits,
                                members: members, points: points,
                                leads: leads, truthIndexing: indexing, weights: weights, areaWeighted: weighted, grid: grid)
    }

    /// Why a coordinate recognised as latitude is not a true latitude (a rotated-pole or projected grid), or nil.
    static func notTrueLatitude(_ v: SourceVariable, _ c: Coordinate) -> String? {
        let standardName = c.attributes["standard_name"]?.stringValue?.lowercased()
        if standardName == "grid_latitude" { return "is a rotated-pole grid latitude (standard_name grid_latitude)" }
        let units = c.attributes["units"]?.stringValue?.lowercased() ?? ""
        if let mapping = v.attributes["grid_mapping"]?.stringValue, standardName != "latitude", !units.contains("north") {
            return "is on the grid of grid_mapping '\(mapping)', not a true latitude"
        }
        return nil
    }

    static func timeUnits(_ units: String, calendar: String?, variable: String, path: String) throws -> CFTimeUnits {
        do { return try CFTimeUnits(units: units, calendar: calendar) } catch {
            throw VerifyError.badTime(path: path, variable: variable, reason: "\(error)")
        }
    }

    /// Lead hours as short text (24, 36.5).
    public static func hoursText(_ h: Double) -> String {
        h == h.rounded() ? String(Int64(h)) : String(format: "%g", h)
    }

    /// Bytes held per init in one block read: the stored values (up to 4 bytes), their Double decoding and, when the
    /// axes need reordering, a member-major copy.
    public var bytesPerInit: Int { members * points * 20 }

    /// Row-major index over all but the last two dimensions of `v` for the given axis values (the rest 0), or nil when
    /// the points are not exactly the last two dimensions (then a point is not a whole 2-D field).
    static func planeIndex(_ v: SourceVariable, pointAxes: [Int], _ values: [(axis: Int?, value: Int)]) -> Int? {
        let r = v.dimensions.count
        guard r >= 2, pointAxes == [r - 2, r - 1] else { return nil }
        var idx = [Int](repeating: 0, count: r - 2)
        for (a, x) in values { if let a { idx[a] = x } }
        var k = 0
        for d in 0..<(r - 2) { k = k * v.dimensions[d].size + idx[d] }
        return k
    }

    /// Reads inits `i0..<i0+n` at lead index `lead` as [init][member][point] into `out` (at least n x members x points
    /// long) through the source's plane path; false when it has none for this layout (nothing is read then).
    public func readForecastPlanes(_ src: VerifySource, inits i0: Int, count n: Int, lead: Int,
                                   into out: UnsafeMutableBufferPointer<Double>) throws -> Bool {
        var planes: [Int] = []
        planes.reserveCapacity(n * members)
        for i in i0..<(i0 + n) {
            for m in 0..<members {
                guard let k = Self.planeIndex(forecast, pointAxes: pointAxes, [(initAxis, i), (memberAxis, m), (leadAxis, lead)]) else { return false }
                planes.append(k)
            }
        }
        return try src.readPlanes(forecast.name, planes: planes, into: UnsafeMutableBufferPointer(rebasing: out[0..<(planes.count * points)]))
    }

    /// Reads the truths of inits `i0..<i0+n` at the plan's lead number into `out` ([init][point]) through the
    /// source's plane path; false when it has none for this layout (nothing is read then).
    public func readTruthPlanes(_ src: VerifySource, inits i0: Int, count n: Int, leadNumber: Int,
                                into out: UnsafeMutableBufferPointer<Double>) throws -> Bool {
        var planes: [Int] = []
        planes.reserveCapacity(n)
        for i in i0..<(i0 + n) {
            let k: Int?
            switch truthIndexing {
            case let .validTime(axis, index):
                k = Self.planeIndex(truth, pointAxes: truthPointAxes, [(axis, index[i][leadNumber])])
            case let .aligned(ia, la):
                k = Self.planeIndex(truth, pointAxes: truthPointAxes, [(ia, i), (la, leads[leadNumber].index)])
            }
            guard let k else { return false }
            planes.append(k)
        }
        return try src.readPlanes(truth.name, planes: planes, into: UnsafeMutableBufferPointer(rebasing: out[0..<(n * points)]))
    }

    /// Reads inits `i0..<i0+n` at lead index `lead` as [init][member][point] (member-major per init).
    public func readForecast(_ src: VerifySource, inits i0: Int, count n: Int, lead: Int) throws -> [Double] {
        var start = [Int](repeating: 0, count: forecast.dimensions.count)
        var count = forecast.dimensions.map(\.size)
        start[leadAxis] = lead; count[leadAxis] = 1
        if let ia = initAxis { start[ia] = i0; count[ia] = n }
        let raw = try src.read(forecast.name, start: start, count: count)
        var order: [Int] = []
        if let ia = initAxis { order.append(ia) }
        if let ma = memberAxis { order.append(ma) }
        order += pointAxes
        order.append(leadAxis)
        return Self.permute(raw, shape: count, order: order)
    }

    /// Reads the truth for init `i` at the plan's lead number `leadNumber` (point order).
    public func readTruth(_ src: VerifySource, initIndex i: Int, leadNumber: Int) throws -> [Double] {
        var start = [Int](repeating: 0, count: truth.dimensions.count)
        var count = truth.dimensions.map(\.size)
        switch truthIndexing {
        case let .validTime(axis, index):
            start[axis] = index[i][leadNumber]; count[axis] = 1
        case let .aligned(ia, la):
            start[ia] = i; count[ia] = 1
            start[la] = leads[leadNumber].index; count[la] = 1
        }
        return try src.read(truth.name, start: start, count: count)
    }

    /// Reorders row-major `values` of `shape` so that the axes come in `order` (a permutation of all axes).
    static func permute(_ values: [Double], shape: [Int], order: [Int]) -> [Double] {
        // Axes of extent 1 do not move any value: skip the copy when the others are already in order.
        let moving = order.filter { shape[$0] > 1 }
        if moving == moving.sorted() { return values }
        var strides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        let newShape = order.map { shape[$0] }, newStrides = order.map { strides[$0] }
        var out = [Double](repeating: 0, count: values.count)
        var idx = [Int](repeating: 0, count: shape.count)
        var src = 0
        for o in 0..<values.count {
            out[o] = values[src]
            var d = shape.count - 1
            while d >= 0 {
                idx[d] += 1; src += newStrides[d]
                if idx[d] < newShape[d] { break }
                src -= newStrides[d] * newShape[d]; idx[d] = 0; d -= 1
            }
        }
        return out
    }
}
