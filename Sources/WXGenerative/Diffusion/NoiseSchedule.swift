import Foundation

/// The sampling noise levels of EDM (Karras et al. 2022, eq. 5): for i = 0..N-1,
/// sigma_i = (sigma_max^(1/rho) + i/(N-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho, then sigma_N = 0.
public struct NoiseSchedule: Codable, Equatable, Sendable {
    /// Largest and smallest non-zero noise level.
    public var sigmaMax: Double, sigmaMin: Double
    /// Curvature of the schedule (7 in EDM).
    public var rho: Double

    /// A schedule (EDM's defaults: 80, 0.002, 7).
    public init(sigmaMax: Double = 80, sigmaMin: Double = 0.002, rho: Double = 7) {
        self.sigmaMax = sigmaMax
        self.sigmaMin = sigmaMin
        self.rho = rho
    }

    /// The N + 1 levels sigma_0 > ... > sigma_{N-1} > sigma_N = 0.
    public func levels(steps n: Int) -> [Double] {
        precondition(n >= 1, "NoiseSchedule: at least one step")
        let a = pow(sigmaMax, 1 / rho), b = pow(sigmaMin, 1 / rho)
        let s = (0..<n).map { i in pow(n == 1 ? a : a + Double(i) / Double(n - 1) * (b - a), rho) }
        return s + [0]
    }

    enum CodingKeys: String, CodingKey { case sigmaMax = "sigma_max", sigmaMin = "sigma_min", rho }
}
