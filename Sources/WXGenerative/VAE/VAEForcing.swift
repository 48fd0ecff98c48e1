import Foundation
import WXCore

/// A forcing input of the VAE: channels computed from the valid time of the state a step produces and the grid
/// alone (no data), appended to the inputs of the prior, posterior and decoder after sin/cos latitude, so the model
/// knows the time of day and season of the state it forecasts.
public enum VAEForcing: String, Codable, Sendable, CaseIterable {
    /// Top-of-atmosphere insolation over the solar constant (`SolarGeometry.insolation`): one channel, 0 at night.
    case toaInsolation = "toa_insolation"
    /// sin and cos of the local solar hour angle (`SolarGeometry.hourAngle`): two channels, the time of day.
    case solarTime = "solar_time"

    /// Channels this forcing adds.
    public var channels: Int {
        switch self {
        case .toaInsolation: return 1
        case .solarTime: return 2
        }
    }

    /// The channels [B, F, H, W] of `forcings` (in order) at `times` (row b at `times[b]`) on the grid.
    public static func fields(_ forcings: [VAEForcing], times: [CFDateTime], latitudes: [Double], longitudes: [Double]) -> Tensor {
        let h = latitudes.count, w = longitudes.count, plane = h * w, f = forcings.reduce(0) { $0 + $1.channels }
        var out = [Float](repeating: 0, count: times.count * f * plane)
        let sinLat = latitudes.map { sin($0 * .pi / 180) }, cosLat = latitudes.map { cos($0 * .pi / 180) }
        for (b, time) in times.enumerated() {
            let sun = SolarGeometry(time)
            let angles = longitudes.map { sun.hourAngle(longitude: $0) }
            let sd = sin(sun.declination), cd = cos(sun.declination)
            var c = b * f
            for forcing in forcings {
                switch forcing {
                case .toaInsolation:
                    for i in 0..<h {
                        let a = sinLat[i] * sd, k = cosLat[i] * cd, o = c * plane + i * w
                        for j in 0..<w { out[o + j] = Float(sun.distanceFactor * max(0, a + k * cos(angles[j]))) }
                    }
                case .solarTime:
                    for i in 0..<h {
                        for j in 0..<w {
                            out[c * plane + i * w + j] = Float(sin(angles[j]))
                            out[(c + 1) * plane + i * w + j] = Float(cos(angles[j]))
                        }
                    }
                }
                c += forcing.channels
            }
        }
        return Tensor(shape: [times.count, f, h, w], values: out)
    }
}
