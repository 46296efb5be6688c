// libFuzzer harness for PythonSyntax: any bytes must parse or fail with a SyntaxError,
// never crash or hang. Build and run (from the package root):
//   sh Tests/Fuzz/run.sh [RUNS]
// which does
//   swiftc -sanitize=fuzzer -parse-as-library -O Sources/PythonSyntax/*.swift \
//       Tests/Fuzz/fuzz_parser.swift -o .build-parser/fuzz_parser
//   .build-parser/fuzz_parser -runs=RUNS -max_len=4096 -timeout=10 CORPUS Tests/PythonSyntaxTests/Fixtures/features

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch parseModule(bytes) {
    case let .success(m):
        _ = astJSON(m)
    case let .failure(e):
        precondition(e.lineno >= 0 && e.colOffset >= 0 && !e.message.isEmpty)
    }
    return 0
}
