// All libc access of mkspy-serve: where its executable is, and replacing this process with the
// Python server.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The directory of this process's executable, where the other mkspy tools were installed.
var executableDirectory: String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return String(path[..<slash])
}

/// The working directory, for making `--dir` absolute.
var workingDirectory: String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Sets an environment variable of this process (and so of what it execs).
func setEnvironment(_ name: String, _ value: String) { setenv(name, value, 1) }

/// Replaces this process with `argv`; returns only the error text when exec fails.
func execute(_ argv: [String]) -> String {
    var cArguments = argv.map { strdup($0) }
    cArguments.append(nil)
    execv(argv[0], &cArguments)
    return String(cString: strerror(errno))
}
