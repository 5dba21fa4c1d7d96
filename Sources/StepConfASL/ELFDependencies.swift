import Foundation
import StepConfCore

/// What a 64-bit little-endian ELF executable needs from the system that loads it: its shared libraries
/// (`DT_NEEDED`) and the symbol versions it requires of them (`.gnu.version_r`, e.g. `GLIBC_2.34`).
public struct ELFDependencies: Sendable, Equatable {
    /// `e_machine`: 62 x86-64, 183 AArch64.
    public var machine: Int
    public var libraries: [String]
    /// Required versions by library, e.g. `libc.so.6` → [`GLIBC_2.2.5`, `GLIBC_2.34`].
    public var versions: [String: [String]]

    /// A bundle binary that cannot be read or is not the ELF file Lambda runs.
    public struct Error: CodedError {
        public enum Code: Sendable, Hashable {
            /// The file is missing or unreadable.
            case unreadable
            /// The file is not a 64-bit little-endian ELF file.
            case notELF
            /// The ELF tables point outside the file.
            case malformed
        }

        public let code: Code
        public let message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The architecture as Lambda names it, if it is one Lambda runs.
    public var architecture: String? {
        switch machine {
        case 62: "x86_64"
        case 183: "arm64"
        default: nil
        }
    }

    /// The highest `GLIBC_x.y[.z]` any library is asked for, as numbers.
    public var highestGlibc: [Int]? {
        versions.values.joined().compactMap { v -> [Int]? in
            guard v.hasPrefix("GLIBC_"), let first = v.dropFirst(6).first, first.isNumber else { return nil }
            return v.dropFirst(6).split(separator: ".").compactMap { Int($0) }
        }.max { $0.lexicographicallyPrecedes($1) }
    }

    /// Reads the file at `path`.
    /// - Throws: ``Error`` when it is not a 64-bit little-endian ELF file or its tables are out of bounds.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Error(.unreadable, "\(path): cannot read the file") }
        try self.init(data: data, name: path)
    }

    public init(data: Data, name: String = "the file") throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw Error(.notELF, "\(name) is not an ELF file")
        }
        guard bytes[4] == 2, bytes[5] == 1 else { throw Error(.notELF, "\(name) is not a 64-bit little-endian ELF file") }
        func u16(_ o: Int) throws -> Int {
            guard o >= 0, o + 2 <= bytes.count else { throw Error(.malformed, "\(name): truncated ELF tables") }
            return Int(bytes[o]) | Int(bytes[o + 1]) << 8
        }
        func u32(_ o: Int) throws -> Int { try u16(o) | (u16(o + 2) << 16) }
        func u64(_ o: Int) throws -> Int { try u32(o) | (u32(o + 4) << 32) }
        func string(_ o: Int) throws -> String {
            guard o >= 0, o < bytes.count else { throw Error(.malformed, "\(name): a string lies outside the file") }
            let end = bytes[o...].firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[o..<end], as: UTF8.self)
        }
        machine = try u16(18)
        let sectionOffset = try u64(40)
        let sectionSize = try u16(58)
        let sectionCount = try u16(60)
        struct Section { var type: Int; var offset: Int; var size: Int; var link: Int; var info: Int }
        var sections: [Section] = []
        for i in 0..<sectionCount {
            let o = sectionOffset + i * sectionSize
            sections.append(Section(type: try u32(o + 4), offset: try u64(o + 24), size: try u64(o + 32), link: try u32(o + 40), info: try u32(o + 44)))
        }
        var libraries: [String] = []
        var versions: [String: [String]] = [:]
        for section in sections where section.type == 6 {  // SHT_DYNAMIC
            guard section.link < sections.count else { throw Error(.malformed, "\(name): bad string table link") }
            let strings = sections[section.link].offset
            for entry in stride(from: section.offset, to: section.offset + section.size, by: 16) {
                let tag = try u64(entry)
                if tag == 0 { break }
                if tag == 1 { libraries.append(try string(strings + u64(entry + 8))) }  // DT_NEEDED
            }
        }
        for section in sections where section.type == 0x6fff_fffe {  // SHT_GNU_verneed
            guard section.link < sections.count else { throw Error(.malformed, "\(name): bad string table link") }
            let strings = sections[section.link].offset
            var need = section.offset
            for _ in 0..<section.info {
                let file = try string(strings + u32(need + 4))
                var aux = try need + u32(need + 8)
                for _ in 0..<(try u16(need + 2)) {
                    versions[file, default: []].append(try string(strings + u32(aux + 8)))
                    let next = try u32(aux + 12)
                    if next == 0 { break }
                    aux += next
                }
                let next = try u32(need + 12)
                if next == 0 { break }
                need += next
            }
        }
        self.libraries = libraries
        self.versions = versions
    }
}
