import WXCore

/// The attributes of a `lead_time` coordinate in hours that xarray decodes as a timedelta by default.
///
/// xarray decodes a duration only when it also carries `dtype = "timedelta64[ns]"` (as xarray writes it; since
/// xarray 2025 the units alone no longer suffice), older xarray by the units alone; no `calendar`, no `_FillValue`.
public enum CFLeadTimeAxis {
    /// units "hours", standard_name forecast_period, long_name and the `dtype` xarray decodes by.
    public static let attributes: Attributes = [
        "units": .string("hours"), "standard_name": .string("forecast_period"), "long_name": .string("forecast lead time"),
        "dtype": .string("timedelta64[ns]"),
    ]
}
