import Foundation

/// The short reason of a failed file operation, for error messages.
public enum FileErrorReason {
    /// The POSIX reason of a Foundation file error ("Permission denied"), else its description.
    public static func of(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
