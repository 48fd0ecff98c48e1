import Foundation

/// EDM's preconditioning of a denoiser (Karras, Aittala, Aila & Laine, NeurIPS 2022, Table 1):
/// D(x; sigma) = c_skip x + c_out F(c_in x; c_noise), with
/// c_skip = sd^2 / (sigma^2 + sd^2), c_out = sigma sd / sqrt(sigma^2 + sd^2), c_in = 1 / sqrt(sigma^2 + sd^2),
/// c_noise = ln(sigma) / 4, loss weight lambda = (sigma^2 + sd^2) / (sigma sd)^2 = 1 / c_out^2.
public struct EDMPreconditioning: Codable, Equatable, Sendable {
    /// The data's standard deviation sd (1 for standardised residuals, as in GenCast).
    public var sigmaData: Double

    /// Preconditioning for data of standard deviation `sigmaData`.
    public init(sigmaData: Double = 1) { self.sigmaData = sigmaData }

    /// c_skip(sigma).
    public func cSkip(_ sigma: Double) -> Double { sigmaData * sigmaData / (sigma * sigma + sigmaData * sigmaData) }
    /// c_out(sigma).
    public func cOut(_ sigma: Double) -> Double { sigma * sigmaData / (sigma * sigma + sigmaData * sigmaData).squareRoot() }
    /// c_in(sigma).
    public func cIn(_ sigma: Double) -> Double { 1 / (sigma * sigma + sigmaData * sigmaData).squareRoot() }
    /// c_noise(sigma), the network's noise-level input.
    public func cNoise(_ sigma: Double) -> Double { log(sigma) / 4 }
    /// lambda(sigma), the loss weight that makes the effective target of F unit-variance.
    public func lossWeight(_ sigma: Double) -> Double {
        (sigma * sigma + sigmaData * sigmaData) / (sigma * sigmaData * sigma * sigmaData)
    }
}

/// EDM's training distribution of noise levels: ln sigma ~ N(P_mean, P_std^2) (Karras et al. 2022: -1.2, 1.2).
public struct TrainingNoiseLevels: Codable, Equatable, Sendable {
    /// Mean of ln sigma.
    public var logMean: Double
    /// Standard deviation of ln sigma.
    public var logStd: Double

    /// EDM's defaults.
    public init(logMean: Double = -1.2, logStd: Double = 1.2) {
        self.logMean = logMean
        self.logStd = logStd
    }

    /// The noise level for a standard normal draw `z`.
    public func sigma(_ z: Double) -> Double { exp(logMean + logStd * z) }

    enum CodingKeys: String, CodingKey { case logMean = "log_mean", logStd = "log_std" }
}
