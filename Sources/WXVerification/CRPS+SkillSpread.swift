/// WeatherBench2's split of the fair CRPS into skill and spread, recovered from the standard and fair estimators.
///
/// With M members, skill = (1/M) Σ|x_i − y| and spread = Σ_ij |x_i − x_j| / (M(M−1)) (WB2 `CRPSSkill`, `CRPSSpread`;
/// CRPS = skill − spread/2, Zamo & Naveau 2018). Since standard = skill − G/(2M²) and fair = skill − G/(2M(M−1)) with
/// G = Σ_ij |x_i − x_j|: spread = 2M(standard − fair) and skill = M·standard − (M−1)·fair. Both are linear, so they hold
/// for weighted means over points and inits as long as every point had the same M members.
public enum CRPSSkillSpread {
    /// (skill, spread) from the standard and fair CRPS of ensembles of `members` members; NaN when M < 2.
    public static func from(standard: Double, fair: Double, members: Int) -> (skill: Double, spread: Double) {
        guard members >= 2 else { return (.nan, .nan) }
        let m = Double(members)
        return (m * standard - (m - 1) * fair, 2 * m * (standard - fair))
    }

}
