// All of pyast's libc use lives here: file reading, standard output and error, clocks.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The bytes of the file at `path`, or nil when it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}

/// Writes bytes to standard output (the same buffer `print` uses).
func write(_ b: [UInt8]) {
    b.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
}

func flushOutput() { fflush(stdout) }

func printError(_ line: String) { fputs(line + "\n", stderr) }

/// Exits with `status`, or with 1 when a write to standard output failed.
func finish(_ status: Int32 = 0) -> Never {
    fflush(stdout)
    exit(ferror(stdout) != 0 && status == 0 ? 1 : status)
}

/// Wall-clock seconds on a monotonic clock.
func wallSeconds() -> Double { seconds(CLOCK_MONOTONIC) }

/// CPU seconds this process has used.
func cpuSeconds() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

private func seconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Whether the environment variable `name` is set.
func isSet(_ name: String) -> Bool { getenv(name) != nil }
