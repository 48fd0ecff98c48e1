import Foundation
import WXCore

/// A CF time axis: values in hours since a reference date, with its calendar.
public struct CFTimeAxis: Sendable, Equatable {
    /// Hours since `reference`.
    public var hours: [Double]
    /// Reference date as CF writes it, e.g. "2000-03-21 00:00:00".
    public var reference: String
    /// CF calendar, e.g. "proleptic_gregorian", "standard", "noleap".
    public var calendar: String

    /// A time axis of `hours` since `reference` in `calendar`.
    public init(hours: [Double], reference: String, calendar: String = "proleptic_gregorian") {
        self.hours = hours
        self.reference = reference
        self.calendar = calendar
    }

    /// A proleptic Gregorian axis of UTC dates, counted in hours since the first date (or `reference`).
    public init(dates: [Date], reference: Date? = nil) {
        let ref = reference ?? dates.first ?? Date(timeIntervalSince1970: 0)
        self.hours = dates.map { $0.timeIntervalSince(ref) / 3600 }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        self.reference = f.string(from: ref)
        self.calendar = "proleptic_gregorian"
    }

    /// The CF `units` attribute, "hours since <reference>".
    public var units: String { "hours since \(reference)" }
}

/// A vertical axis (pressure levels by default).
public struct CFVerticalAxis: Sendable, Equatable {
    /// Dimension and coordinate name.
    public var name: String
    /// Level values.
    public var values: [Double]
    /// Units of the values.
    public var units: String
    /// CF standard_name.
    public var standardName: String
    /// CF `positive` attribute ("down" for pressure, "up" for height).
    public var positive: String

    /// A vertical axis; defaults describe pressure levels in hPa.
    public init(values: [Double], name: String = "level", units: String = "hPa",
                standardName: String = "air_pressure", positive: String = "down") {
        self.name = name
        self.values = values
        self.units = units
        self.standardName = standardName
        self.positive = positive
    }
}

/// A data variable of a CF output: name, metadata and storage (float32 with NaN fill, or int16-packed).
public struct CFDataVariable: Sendable, Equatable {
    /// Variable name.
    public var name: String
    /// CF units.
    public var units: String
    /// CF standard_name, if there is one.
    public var standardName: String?
    /// Human-readable description.
    public var longName: String?
    /// int16 packing; nil stores float32 with `_FillValue` NaN.
    public var packing: CFPacking?
    /// Further attributes (must not repeat the ones above or `_FillValue`).
    public var attributes: Attributes

    /// A data variable.
    public init(name: String, units: String, standardName: String? = nil, longName: String? = nil,
                packing: CFPacking? = nil, attributes: Attributes = [:]) {
        self.name = name
        self.units = units
        self.standardName = standardName
        self.longName = longName
        self.packing = packing
        self.attributes = attributes
    }
}

/// Global attributes of a CF output; `Conventions` and `history` are filled in by the writer.
public struct CFGlobalAttributes: Sendable, Equatable {
    /// `title`.
    public var title: String
    /// `institution`.
    public var institution: String
    /// `source` (default "wxens <version>").
    public var source: String
    /// `references`.
    public var references: String
    /// The command line recorded in `history` after a UTC timestamp.
    public var commandLine: String
    /// Further global attributes.
    public var extra: Attributes

    /// Global attributes; `commandLine` defaults to this process's arguments.
    public init(title: String, institution: String = "wxens", source: String = "wxens \(wxensVersion)",
                references: String = "", commandLine: String = CommandLine.arguments.joined(separator: " "),
                extra: Attributes = [:]) {
        self.title = title
        self.institution = institution
        self.source = source
        self.references = references
        self.commandLine = commandLine
        self.extra = extra
    }

    /// The attributes as written, with `history` = "<UTC ISO 8601 timestamp>: <command line>".
    public func attributes(now: Date = Date()) -> Attributes {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        var a = extra
        a["Conventions"] = .string("CF-1.8")
        a["title"] = .string(title)
        a["institution"] = .string(institution)
        a["source"] = .string(source)
        a["history"] = .string("\(f.string(from: now)): \(commandLine)")
        if !references.isEmpty { a["references"] = .string(references) }
        return a
    }
}
