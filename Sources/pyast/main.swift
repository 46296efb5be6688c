// pyast: a developer tool over PythonSyntax, used by share/mkspy/python-ast/*.py.
//   pyast FILE            print the AST of FILE as JSON (the `mkspy-check --ast` format)
//   pyast --batch         read file paths from stdin, print one JSON line per path
//   pyast --bench FILE... parse every file (no output), print
//                         "<bytes> <wall seconds> <files parsed> <CPU seconds>"
import PythonSyntax

let args = Array(CommandLine.arguments.dropFirst())
if args.first == "--batch" {
    while let line = readLine() {
        guard let b = readFile(line) else {
            write(Array("{\"error\":{\"col_offset\":0,\"lineno\":0,\"message\":\"cannot read file\"}}\n".utf8))
            continue
        }
        write(astJSON(b))
        flushOutput()
    }
} else if args.first == "--bench" {
    let paths = Array(args.dropFirst())
    let files = paths.compactMap(readFile)
    var total = 0
    for f in files { total += f.count }
    let slow = isSet("PYAST_SLOW")
    let t0 = wallSeconds(), c0 = cpuSeconds()
    var ok = 0
    for (i, f) in files.enumerated() {
        let t1 = slow ? wallSeconds() : 0
        if case .success = parseModule(f) { ok += 1 }
        if slow && wallSeconds() - t1 > 0.005 { printError("\(wallSeconds() - t1) \(paths[i])") }
    }
    let t = wallSeconds() - t0, c = cpuSeconds() - c0
    print("\(total) \(t) \(ok) \(c)")
} else if args.count == 1, let b = readFile(args[0]) {
    write(astJSON(b))
} else {
    printError("usage: pyast FILE | pyast --batch | pyast --bench FILE...")
    finish(2)
}
finish()
