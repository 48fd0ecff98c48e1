import Foundation
import WXCore

/// `figures/index.html`: one page listing every figure of a run, grouped by variable and score, each embedded as an
/// <img> with a caption (XHTML-compatible, so XML parsers read it too).
public struct FigureIndex: Sendable {
    /// One figure on the page.
    public struct Entry: Sendable, Equatable {
        /// Section heading, e.g. the variable name.
        public var section: String
        /// Group within the section, e.g. "Reliability: t850 > 275.3 K".
        public var group: String
        /// File name relative to the page.
        public var file: String
        /// Caption under the image.
        public var caption: String

        /// An entry.
        public init(section: String, group: String, file: String, caption: String) {
            self.section = section
            self.group = group
            self.file = file
            self.caption = caption
        }
    }

    /// Page file name.
    public static let fileName = "index.html"
    /// Page title.
    public var title: String
    /// Lines under the title (period, files).
    public var notes: [String]
    /// Figures in page order.
    public var entries: [Entry]

    /// A page.
    public init(title: String, notes: [String], entries: [Entry]) {
        self.title = title
        self.notes = notes
        self.entries = entries
    }

    /// The page as HTML text; sections and groups keep the order of their first entry.
    public var html: String {
        let e = SVGDocument.escape
        var s = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>\(e(title))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
        nav a { margin-right: 1em; }
        .row { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; }
        figure img { width: 420px; height: auto; border: 1px solid #ddd; }
        figcaption { font-size: 0.85em; color: #444; }
        </style>
        </head>
        <body>
        <h1>\(e(title))</h1>

        """
        for n in notes { s += "<p>\(e(n))</p>\n" }
        var sections: [String] = []
        for x in entries where !sections.contains(x.section) { sections.append(x.section) }
        s += "<nav>" + sections.enumerated().map { "<a href=\"#s\($0.offset)\">\(e($0.element))</a>" }.joined() + "</nav>\n"
        for (i, section) in sections.enumerated() {
            s += "<section id=\"s\(i)\">\n<h2>\(e(section))</h2>\n"
            let inSection = entries.filter { $0.section == section }
            var groups: [String] = []
            for x in inSection where !groups.contains(x.group) { groups.append(x.group) }
            for g in groups {
                s += "<h3>\(e(g))</h3>\n<div class=\"row\">\n"
                for x in inSection where x.group == g {
                    s += "<figure><a href=\"\(e(x.file))\"><img src=\"\(e(x.file))\" alt=\"\(e(x.caption))\" loading=\"lazy\"/></a>"
                    s += "<figcaption>\(e(x.caption))</figcaption></figure>\n"
                }
                s += "</div>\n"
            }
            s += "</section>\n"
        }
        s += "</body>\n</html>\n"
        return s
    }

    /// Writes the page atomically into `directory`.
    public func write(toDirectory directory: URL) throws {
        try AtomicFile.write(Data(html.utf8), to: directory.appendingPathComponent(Self.fileName))
    }
}
