import Testing
@testable import MkspyCore

@Suite("Command-line arguments")
struct ArgumentsTests {
    static let spec = CommandSpec(tool: "mkspy-test", help: "usage: mkspy-test\n", options: [
        .init("--data", value: true), .init("-j", "--jobs", value: true), .init("--force"), .init("-q", "--quiet"),
    ])

    func parse(_ argv: [String]) -> Result<Arguments, Arguments.Stop> { Arguments.parseOrFail(argv, Self.spec) }

    func parsed(_ argv: [String]) throws -> Arguments {
        switch parse(argv) {
        case .success(let a): return a
        case .failure(let stop):
            Issue.record("\(argv) stopped: \(stop)")
            throw stop
        }
    }

    func stop(_ argv: [String]) -> Arguments.Stop? {
        if case .failure(let s) = parse(argv) { return s }
        return nil
    }

    @Test func noArgumentsMeansNoOperands() throws {
        let a = try parsed([])
        #expect(a.operands == [])
        #expect(!a.flag("--force"))
        #expect(a.value("--data") == nil)
    }

    @Test func optionWithSeparateValue() throws {
        let a = try parsed(["--data", "train.jsonl", "in.jsonl"])
        #expect(a.value("--data") == "train.jsonl")
        #expect(a.operands == ["in.jsonl"])
    }

    @Test func optionWithEqualsValue() throws {
        let a = try parsed(["--data=a=b.jsonl", "--jobs=8"])
        #expect(a.value("--data") == "a=b.jsonl")
        #expect(a.value("--jobs") == "8")
        #expect(try parsed(["--data="]).value("--data") == "")
    }

    @Test func repeatedOptionKeepsEveryValue() throws {
        let a = try parsed(["--data", "a", "x", "--data=b", "--data", "c"])
        #expect(a.all("--data") == ["a", "b", "c"])
        #expect(a.value("--data") == "c")
        #expect(a.operands == ["x"])
        #expect(a.all("--jobs") == [])
    }

    @Test func shortOptionWithAttachedOrSeparateValue() throws {
        #expect(try parsed(["-j4"]).value("--jobs") == "4")
        #expect(try parsed(["-j", "16"]).value("--jobs") == "16")
        #expect(try parsed(["--jobs", "2"]).value("--jobs") == "2")
    }

    @Test func flagsByShortAndLongName() throws {
        let a = try parsed(["-q", "file", "--force"])
        #expect(a.flag("--quiet"))
        #expect(a.flag("--force"))
        #expect(a.operands == ["file"])
        #expect(!(try parsed(["file"]).flag("--quiet")))
    }

    @Test func doubleDashEndsOptions() throws {
        let a = try parsed(["--force", "--", "--data", "-q", "-", "--help"])
        #expect(a.flag("--force"))
        #expect(a.operands == ["--data", "-q", "-", "--help"])
        #expect(a.value("--data") == nil)
        #expect(!a.flag("--quiet"))
    }

    @Test func singleDashIsAnOperand() throws {
        let a = try parsed(["a.jsonl", "-", "b.jsonl"])
        #expect(a.operands == ["a.jsonl", "-", "b.jsonl"])
        #expect(try parsed(["--data", "-"]).value("--data") == "-")
    }

    @Test func helpAndVersionStopParsing() throws {
        #expect(stop(["-h"]) == .help)
        #expect(stop(["--help"]) == .help)
        #expect(stop(["file", "--force", "--help"]) == .help)
        #expect(stop(["--version"]) == .version)
        #expect(stop(["--version", "--bogus"]) == .version)
    }

    @Test func unknownOptionIsAUsageError() throws {
        guard case .usage(let message)? = stop(["--bogus"]) else { Issue.record("no usage error"); return }
        #expect(message.contains("unknown option '--bogus'"))
        guard case .usage(let short)? = stop(["-x"]) else { Issue.record("no usage error"); return }
        #expect(short.contains("'-x'"))
        guard case .usage(let eq)? = stop(["--bogus=1"]) else { Issue.record("no usage error"); return }
        #expect(eq.contains("'--bogus'"))
    }

    @Test func missingValueIsAUsageError() throws {
        guard case .usage(let message)? = stop(["in.jsonl", "--data"]) else { Issue.record("no usage error"); return }
        #expect(message.contains("--data"))
        #expect(message.contains("needs a value"))
        guard case .usage(let short)? = stop(["-j"]) else { Issue.record("no usage error"); return }
        #expect(short.contains("needs a value"))
    }

    @Test func flagWithValueIsAUsageError() throws {
        guard case .usage(let message)? = stop(["--force=yes"]) else { Issue.record("no usage error"); return }
        #expect(message.contains("takes no value"))
    }
}
