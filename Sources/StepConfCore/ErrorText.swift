import FoundationEssentials
import Glibc

/// One sentence for an error the system raised (a file or a socket), where Foundation's `localizedDescription` was used
/// before: FoundationEssentials has none. The operating system's own words for its error number, else the kind of
/// file error, else the error as Swift prints it.
public enum ErrorText {
    public static func describe(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError {
            if let underlying = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
                return String(cString: strerror(underlying.code.rawValue))
            }
            return fileErrors[cocoa.code.rawValue] ?? "file error \(cocoa.code.rawValue)"
        }
        return "\(error)"
    }

    /// Foundation's file error codes (`CocoaError.Code`) that carry no system error, in words.
    private static let fileErrors: [Int: String] = [
        4: "No such file or directory", 255: "Could not lock the file", 256: "Could not read the file",
        257: "Permission denied", 258: "Invalid file name", 259: "Unreadable file format", 260: "No such file or directory",
        261: "Unknown text encoding", 512: "Could not write the file", 513: "Permission denied", 514: "Invalid file name",
        516: "File exists", 517: "Inapplicable text encoding", 640: "No space left on device", 642: "Read-only file system",
    ]
}
