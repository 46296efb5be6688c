// pyast: a developer tool over PythonSyntax, used by share/mkspy/python-ast/*.py.
//   pyast FILE            print the AST of FILE as JSON (the `mkspy-check --ast` format)
//   pyast --batch         read file paths from stdin, print one JSON line per path
//   pyast --bench FILE... parse every file (no output), print
//                         "<bytes> <wall seconds> <files parsed> <CPU seconds>"
@preconcurrency import Glibc
import PythonSyntax

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

func write(_ b: [UInt8]) {
    b.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
}

func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let args = Array(CommandLine.arguments.dropFirst())
if args.first == "--batch" {
    while let line = readLine() {
        guard let b = readFile(line) else {
            write(Array("{\"error\":{\"col_offset\":0,\"lineno\":0,\"message\":\"cannot read file\"}}\n".utf8))
            continue
        }
        write(astJSON(b))
        fflush(stdout)
    }
} else if args.first == "--bench" {
    let paths = Array(args.dropFirst())
    let files = paths.compactMap(readFile)
    var total = 0
    for f in files { total += f.count }
    let slow = getenv("PYAST_SLOW") != nil
    let t0 = now(), c0 = now(CLOCK_PROCESS_CPUTIME_ID)
    var ok = 0
    for (i, f) in files.enumerated() {
        let t1 = slow ? now() : 0
        if case .success = parseModule(f) { ok += 1 }
        if slow && now() - t1 > 0.005 { fputs("\(now() - t1) \(paths[i])\n", stderr) }
    }
    let t = now() - t0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0
    print("\(total) \(t) \(ok) \(c)")
} else if args.count == 1, let b = readFile(args[0]) {
    write(astJSON(b))
} else {
    fputs("usage: pyast FILE | pyast --batch | pyast --bench FILE...\n", stderr)
    exit(2)
}
if ferror(stdout) != 0 { exit(1) }
