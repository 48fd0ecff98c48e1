import WXCore

/// A forecast field and its observation rearranged into the member-major layout the batched scores take:
/// forecast (member, components…, points…) and observations (components…, points…), by dimension name.
///
/// Components are the dimensions a multivariate score (energy, variogram) runs over, e.g. ["level"] or
/// ["lat", "lon"]; every other non-member dimension is a point, kept in the forecast's order.
public struct EnsembleBlock: Sendable {
    /// Forecast values, `[(m * components + c) * points + p]`.
    public var forecast: [Double]
    /// Observation values, `[c * points + p]`.
    public var observations: [Double]
    /// Ensemble size.
    public var members: Int
    /// Number of components (1 when no component dimension is named).
    public var components: Int
    /// Number of points.
    public var points: Int
    /// The point dimensions, in the forecast's order.
    public var pointDimensions: [Dimension]

    /// Rearranges `forecast` (with a `.member` dimension) and `observation` (the same other dimensions, in any order).
    public init<T>(forecast: Field<T>, observation: Field<T>, componentDimensions: [String] = []) throws {
        guard let memberAxis = forecast.axis(.member) else {
            throw VerificationError.invalidParameter(name: "forecast \(forecast.name)", value: "\(forecast.dimensions.map(\.name))",
                                                     reason: "has no dimension with the member role")
        }
        let others = forecast.dimensions.enumerated().filter { $0.offset != memberAxis }.map(\.element)
        guard observation.dimensions.count == others.count else {
            throw VerificationError.invalidParameter(name: "observation \(observation.name)", value: "\(observation.dimensions.map(\.name))",
                                                     reason: "must have the forecast's dimensions \(others.map(\.name)) without the member dimension")
        }
        for d in others {
            guard let od = observation.dimensions.first(where: { $0.name == d.name }) else {
                throw VerificationError.invalidParameter(name: "observation \(observation.name)", value: "\(observation.dimensions.map(\.name))",
                                                         reason: "lacks dimension \(d.name)")
            }
            guard od.size == d.size else {
                throw VerificationError.sizeMismatch(what: "observation \(observation.name) dimension \(d.name)", expected: d.size, got: od.size)
            }
        }
        for c in componentDimensions where !others.contains(where: { $0.name == c }) {
            throw VerificationError.invalidParameter(name: "componentDimensions", value: c, reason: "is not a non-member dimension of \(forecast.name)")
        }
        let comps = componentDimensions.map { c in others.first { $0.name == c }! }
        let pts = others.filter { !componentDimensions.contains($0.name) }
        let fOrder = [forecast.dimensions[memberAxis].name] + comps.map(\.name) + pts.map(\.name)
        let oOrder = comps.map(\.name) + pts.map(\.name)
        self.forecast = EnsembleBlock.permute(forecast.values, forecast.dimensions, to: fOrder)
        self.observations = EnsembleBlock.permute(observation.values, observation.dimensions, to: oOrder)
        members = forecast.dimensions[memberAxis].size
        components = comps.reduce(1) { $0 * $1.size }
        points = pts.reduce(1) { $0 * $1.size }
        pointDimensions = pts
    }

    /// A field over the point dimensions (coordinates copied from `source`) holding one value per point.
    public func pointField<T>(_ values: [Double], name: String, like source: Field<T>) -> Field<Double> {
        var coords: [String: Coordinate] = [:]
        for d in pointDimensions { if let c = source.coordinates[d.name] { coords[d.name] = c } }
        return Field(name: name, dimensions: pointDimensions, values: values, coordinates: coords)
    }

    /// Values of a row-major array over `dims` reordered to the dimension names in `order`, widened to Double.
    static func permute<T: BinaryFloatingPoint>(_ values: [T], _ dims: [Dimension], to order: [String]) -> [Double] {
        let n = dims.count
        var strides = [Int](repeating: 1, count: n)
        for i in stride(from: n - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1].size }
        let src = order.map { name in dims.firstIndex { $0.name == name }! }
        let shape = src.map { dims[$0].size }, st = src.map { strides[$0] }
        var out = [Double](repeating: 0, count: values.count)
        if values.isEmpty { return out }
        var idx = [Int](repeating: 0, count: n)
        var offset = 0
        for k in 0..<values.count {
            out[k] = Double(values[offset])
            var a = n - 1
            while a >= 0 {
                idx[a] += 1
                offset += st[a]
                if idx[a] < shape[a] { break }
                offset -= st[a] * shape[a]
                idx[a] = 0
                a -= 1
            }
        }
        return out
    }
}

extension EnergyScore {
    /// ES over the named component dimensions of a forecast field (with a member dimension) against an observation
    /// field; the result is a field over the remaining dimensions.
    public static func ensemble<T>(forecast: Field<T>, observation: Field<T>, componentDimensions: [String],
                                   estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Field<Double> {
        let b = try EnsembleBlock(forecast: forecast, observation: observation, componentDimensions: componentDimensions)
        let v = try ensemble(forecast: b.forecast, observations: b.observations, members: b.members, components: b.components,
                             estimator: estimator, nanPolicy: nanPolicy)
        return b.pointField(v, name: "energy_score", like: forecast)
    }
}

extension VariogramScore {
    /// VS over the named component dimensions of a forecast field against an observation field.
    public static func ensemble<T>(forecast: Field<T>, observation: Field<T>, componentDimensions: [String],
                                   order p: Double = 0.5, weights: [Double]? = nil,
                                   estimator: CRPSEstimator = .standard, nanPolicy: NaNPolicy = .propagate) throws -> Field<Double> {
        let b = try EnsembleBlock(forecast: forecast, observation: observation, componentDimensions: componentDimensions)
        let v = try ensemble(forecast: b.forecast, observations: b.observations, members: b.members, components: b.components,
                             order: p, weights: weights, estimator: estimator, nanPolicy: nanPolicy)
        return b.pointField(v, name: "variogram_score", like: forecast)
    }
}

extension CRPS {
    /// CRPS at every point of a forecast field with a member dimension against an observation field with the
    /// same other dimensions (any order); the result is a field over the forecast's non-member dimensions.
    public static func ensemble<T>(forecast: Field<T>, observation: Field<T>, estimator: CRPSEstimator = .standard,
                                   nanPolicy: NaNPolicy = .propagate) throws -> Field<Double> {
        let b = try EnsembleBlock(forecast: forecast, observation: observation)
        let v = try ensemble(forecast: b.forecast, observations: b.observations, members: b.members,
                             estimator: estimator, nanPolicy: nanPolicy)
        return b.pointField(v, name: "crps", like: forecast)
    }
}
