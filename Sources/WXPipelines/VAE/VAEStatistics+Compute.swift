import Foundation
import WXGenerative

extension VAEStatistics {
    /// Area-weighted mean and standard deviation of each variable over `frames` of `series`, and the standard
    /// deviation of its one-step increment over the pairs of frames `lag` apart (the model's step) in that range.
    public static func compute(_ series: TruthSeries, frames: ClosedRange<Int>, variables v: Int, lag: Int = 1) -> VAEStatistics {
        let h = series.latitudes.count, w = series.longitudes.count, plane = h * w
        let rows = series.latitudes.map { cos($0 * .pi / 180) }, total = rows.reduce(0, +) * Double(w)
        var mean = [Float](), std = [Float](), inc = [Float]()
        for k in 0..<v {
            var s = 0.0, s2 = 0.0, d2 = 0.0
            for t in frames {
                let o = t * series.stateSize + k * plane
                for p in 0..<plane {
                    let x = Double(series.values[o + p]), wt = rows[p / w]
                    s += wt * x
                    s2 += wt * x * x
                    if t >= frames.lowerBound + lag {
                        let d = x - Double(series.values[o - lag * series.stateSize + p])
                        d2 += wt * d * d
                    }
                }
            }
            let n = total * Double(frames.count), m = s / n
            mean.append(Float(m))
            std.append(Float(max(sqrt(max(s2 / n - m * m, 0)), 1e-6)))
            inc.append(Float(max(sqrt(d2 / (total * Double(frames.count - lag))), 1e-6)))
        }
        return VAEStatistics(mean: mean, std: std, incrementStd: inc)
    }
}
