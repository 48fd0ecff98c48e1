import Foundation

/// Approximate text widths in the figures' font (DejaVu Sans, the first of the SVG font-family list) and fitting of
/// text to a width by wrapping at spaces and shrinking.
///
/// Widths are DejaVu Sans advance widths for ASCII (font units per 2048-unit em); other characters count as one em,
/// so a measured width is an upper bound for DejaVu and for the narrower fallbacks (Helvetica, Arial).
public enum TextMeasure {
    // Advance widths of U+0020...U+007E in DejaVuSans.ttf and DejaVuSans-Bold.ttf (2048 units per em).
    private static let regular: [UInt16] = [
        651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303,
        1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178,
        1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251,
        1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995,
        1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
    ]
    private static let bold: [UInt16] = [
        713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425,
        1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399,
        1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483,
        1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134,
        1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
    ]

    /// Width in pixels of `s` at font size `size`.
    public static func width(_ s: String, size: Double, bold isBold: Bool = false) -> Double {
        let table = isBold ? bold : regular
        var units = 0
        for u in s.unicodeScalars {
            let v = Int(u.value)
            units += (32...126).contains(v) ? Int(table[v - 32]) : 2048
        }
        return Double(units) / 2048 * size
    }

    /// `s` laid out within `maxWidth`: at `size` on one line if it fits, else wrapped at spaces onto up to `maxLines`
    /// lines, shrinking by half a point down to `minSize`; at `minSize` it wraps onto as many lines as needed, breaking
    /// words longer than the width.
    public static func fit(_ s: String, maxWidth: Double, size: Double, minSize: Double, maxLines: Int = 2,
                           bold isBold: Bool = false) -> (lines: [String], size: Double) {
        var sz = size
        while true {
            if let lines = wrap(s, maxWidth: maxWidth, size: sz, bold: isBold), lines.count <= maxLines { return (lines, sz) }
            if sz <= minSize { break }
            sz = max(minSize, sz - 0.5)
        }
        return (wrapBreakingWords(s, maxWidth: maxWidth, size: minSize, bold: isBold), minSize)
    }

    /// Greedy wrap at spaces; nil when a single word is wider than `maxWidth`.
    static func wrap(_ s: String, maxWidth: Double, size: Double, bold isBold: Bool) -> [String]? {
        var lines: [String] = []
        var current = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            if width(word, size: size, bold: isBold) > maxWidth { return nil }
            let candidate = current.isEmpty ? word : current + " " + word
            if width(candidate, size: size, bold: isBold) <= maxWidth {
                current = candidate
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    static func wrapBreakingWords(_ s: String, maxWidth: Double, size: Double, bold isBold: Bool) -> [String] {
        var lines: [String] = []
        var current = ""
        for ch in s {
            let candidate = current + String(ch)
            if width(candidate, size: size, bold: isBold) > maxWidth, !current.isEmpty {
                lines.append(current.trimmingCharacters(in: .whitespaces))
                current = ch == " " ? "" : String(ch)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current.trimmingCharacters(in: .whitespaces)) }
        return lines
    }
}
