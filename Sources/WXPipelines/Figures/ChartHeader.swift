import Foundation

/// A chart's title and subtitle, each fitted to the canvas width by `TextMeasure` (wrapped, then shrunk).
public struct ChartHeader: Sendable {
    /// Title lines (bold).
    public let titleLines: [String]
    /// Title font size.
    public let titleSize: Double
    /// Subtitle lines (e.g. the verification period).
    public let subtitleLines: [String]
    /// Subtitle font size.
    public let subtitleSize: Double
    /// Horizontal padding kept free on each side of the canvas.
    public static let padding = 10.0

    /// Lays out `title` and `subtitle` for a canvas `width` pixels wide.
    public init(title: String, subtitle: String?, width: Double) {
        let w = width - 2 * Self.padding
        (titleLines, titleSize) = TextMeasure.fit(title, maxWidth: w, size: 15, minSize: 11, maxLines: 2, bold: true)
        if let s = subtitle, !s.isEmpty {
            (subtitleLines, subtitleSize) = TextMeasure.fit(s, maxWidth: w, size: 11, minSize: 9, maxLines: 2)
        } else {
            (subtitleLines, subtitleSize) = ([], 11)
        }
    }

    /// Height in pixels taken from the top of the canvas.
    public var height: Double {
        8 + Double(titleLines.count) * titleSize * 1.25 + Double(subtitleLines.count) * subtitleSize * 1.3
    }

    /// Draws the lines centred on `centerX`.
    public func draw(into doc: inout SVGDocument, centerX: Double) {
        var y = 8.0
        for line in titleLines {
            y += titleSize * 1.25
            doc.text(line, centerX, y - titleSize * 0.25, size: titleSize, anchor: "middle", bold: true, cssClass: "title")
        }
        for line in subtitleLines {
            y += subtitleSize * 1.3
            doc.text(line, centerX, y - subtitleSize * 0.3, size: subtitleSize, anchor: "middle", fill: "#444444", cssClass: "subtitle")
        }
    }
}
