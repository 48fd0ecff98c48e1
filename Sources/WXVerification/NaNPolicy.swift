/// What a score does with NaN in its inputs (missing members or observations).
///
/// - `propagate`: any NaN member or observation makes the point's score NaN (scoringrules' default).
/// - `omit`: NaN members are dropped and the score uses the remaining ones (scoringrules `nan_policy="omit"`,
///   properscoring and scores behave this way too); a NaN observation, or no member left, still gives NaN.
/// - `raise`: any non-finite input (NaN or ±Inf) throws `VerificationError.nonFinite`.
///
/// Infinities are not missing values and are never omitted: with `propagate` and `omit` an infinite member gives NaN,
/// and an infinite observation with finite members gives +Inf (scoringrules' nrg/fair behaviour).
public enum NaNPolicy: String, Sendable, Codable, CaseIterable {
    /// NaN in, NaN out.
    case propagate
    /// Drop NaN members; a NaN observation still gives NaN.
    case omit
    /// Throw on any non-finite input.
    case raise
}
