import Foundation
import WXVerification

/// Running sums for one binary event at one variable and lead, mergeable across runs.
///
/// The probability table is WXVerification's `ProbabilityEventAccumulator`, binned by k = round(p * M) for forecast
/// probability p and nominal member count M. Weighted counts use the area weights normalised to 1 within each
/// (init, lead) block, so every init counts once.
public struct EventAccumulator: Codable, Sendable, Equatable {
    /// Event name (as in `brier_<name>`).
    public var name: String
    /// Human-readable definition, e.g. "t850 > 280".
    public var definition: String
    /// Sum over inits of the area-weighted mean Brier score.
    public var sumBrier: Double = 0
    /// Sum over inits of the area-weighted mean fair Brier score (points with at least 2 members).
    public var sumBrierFair: Double = 0
    /// Number of inits contributing to `sumBrierFair`.
    public var fairInits: Int = 0
    /// Points and observed events per probability bin, counted and normalised-weighted.
    public var table: ProbabilityEventAccumulator
    /// Normalised-weight-times-probability per bin (the mean forecast probability of a bin differs from k/M when
    /// NaN members are omitted).
    public var probabilityWeight: [Double]

    /// An empty accumulator with M+1 bins (M >= 1).
    public init(name: String, definition: String, members: Int) throws {
        self.name = name
        self.definition = definition
        table = try ProbabilityEventAccumulator(members: members)
        probabilityWeight = Array(repeating: 0, count: members + 1)
    }

    /// Forecast count per probability bin.
    public var count: [Int] { table.pointCounts }
    /// Count of observed events per probability bin.
    public var observedCount: [Int] { table.eventCounts }
    /// Normalised weight per bin.
    public var weight: [Double] { table.weightedPointCounts }
    /// Normalised weight of observed events per bin.
    public var observedWeight: [Double] { table.weightedEventCounts }

    mutating func merge(_ o: EventAccumulator) throws {
        sumBrier += o.sumBrier
        sumBrierFair += o.sumBrierFair
        fairInits += o.fairInits
        try table.merge(o.table)
        for i in probabilityWeight.indices { probabilityWeight[i] += o.probabilityWeight[i] }
    }
}

/// Running sums of every score for one variable at one lead time; `merge` of two runs equals one run over both.
///
/// Each (init, lead) block contributes its area-weighted spatial mean (WeatherBench2 order: spatial mean per init,
/// then mean over inits; RMSE and spread take the square root after the init mean).
public struct VerificationAccumulator: Codable, Sendable, Equatable {
    /// Variable name (forecast variable).
    public var variable: String
    /// Lead time in hours.
    public var leadTimeHours: Double
    /// Nominal ensemble size M.
    public var members: Int
    /// Blocks (inits) read.
    public var blocks: Int = 0
    /// Blocks with at least one valid point (the denominator of the init mean).
    public var inits: Int = 0
    /// Blocks with at least one point valid for fair CRPS and spread (2 or more members).
    public var fairInits: Int = 0
    /// Blocks that met a NaN under the propagate policy (scores become NaN when > 0).
    public var nanBlocks: Int = 0
    /// Points (init x grid point) scored.
    public var points: Int = 0
    /// Fewest valid members at a scored point (Int.max when none).
    public var minValidMembers: Int = Int.max
    /// Most valid members at a scored point.
    public var maxValidMembers: Int = 0
    /// Sums over inits of area-weighted means.
    public var sumCRPS = 0.0, sumCRPSFair = 0.0, sumSquaredError = 0.0, sumError = 0.0, sumVariance = 0.0, sumAbsError = 0.0
    /// Sums over inits of area-weighted means of WeatherBench2's CRPS skill (1/m)Σ|x_i − y| and spread
    /// Σ_ij|x_i − x_j|/(m(m − 1)), each point with its own member count m, over the points of the fair CRPS (m >= 2).
    public var sumCRPSSkill = 0.0, sumCRPSSpread = 0.0
    /// Sum of per-init ACC and how many inits had one (needs a climatology).
    public var sumACC = 0.0, accInits = 0
    /// Exact rank counts (b members below, k equal) of the points with all M members.
    public var ranks: RankHistogramAccumulator
    /// Per-event sums.
    public var events: [EventAccumulator]

    /// An empty accumulator (M >= 1).
    public init(variable: String, leadTimeHours: Double, members: Int, events: [EventDefinition]) throws {
        self.variable = variable
        self.leadTimeHours = leadTimeHours
        self.members = members
        ranks = try RankHistogramAccumulator(members: members)
        self.events = try events.map { try EventAccumulator(name: $0.name, definition: $0.definition, members: members) }
    }

    /// Exact rank counts: entry b*(M+1)+k counts truths with b members below and k members equal.
    public var rankCounts: [Int] { ranks.pairCounts }

    /// Adds another run's sums for the same variable, lead, ensemble size and events.
    public mutating func merge(_ o: VerificationAccumulator) throws {
        guard o.variable == variable, o.leadTimeHours == leadTimeHours else {
            throw VerifyError.partialsIncompatible(path: variable, reason: "merging \(o.variable) at \(o.leadTimeHours) h into \(variable) at \(leadTimeHours) h")
        }
        guard o.members == members else {
            throw VerifyError.partialsIncompatible(path: variable, reason: "ensemble sizes differ (\(o.members) vs \(members) members)")
        }
        guard o.events.map(\.name) == events.map(\.name) else {
            throw VerifyError.partialsIncompatible(path: variable, reason: "event lists differ (\(o.events.map(\.name)) vs \(events.map(\.name)))")
        }
        blocks += o.blocks; inits += o.inits; fairInits += o.fairInits; nanBlocks += o.nanBlocks; points += o.points
        minValidMembers = min(minValidMembers, o.minValidMembers)
        maxValidMembers = max(maxValidMembers, o.maxValidMembers)
        sumCRPS += o.sumCRPS; sumCRPSFair += o.sumCRPSFair; sumSquaredError += o.sumSquaredError
        sumError += o.sumError; sumVariance += o.sumVariance; sumAbsError += o.sumAbsError
        sumCRPSSkill += o.sumCRPSSkill; sumCRPSSpread += o.sumCRPSSpread
        sumACC += o.sumACC; accInits += o.accInits
        do {
            try ranks.merge(o.ranks)
            for i in events.indices { try events[i].merge(o.events[i]) }
        } catch {
            throw VerifyError.partialsIncompatible(path: variable, reason: "\(error)")
        }
    }

    /// Rank histogram with ties split equally: a truth with b members below and k equal adds 1/(k+1) to ranks b+1...b+k+1.
    public var rankHistogram: [Double] { ranks.counts }
}
