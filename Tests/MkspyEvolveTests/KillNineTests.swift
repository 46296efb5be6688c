import Foundation
import MkspyCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The loop of share/mkspy/mkspy.mk killed with SIGKILL at random points, the archive's last line
/// cut short after some kills (a write that never finished), then resumed until it ends: no
/// complete record is lost, no pair is recorded twice, the archive always reads. MKSPY_KILL_POINTS
/// sets the number of kills (20 here; share/mkspy/bench/kill9_bench.sh runs 100).
@Suite struct KillNineTests {
    static let points = ProcessInfo.processInfo.environment["MKSPY_KILL_POINTS"].flatMap { Int($0) } ?? 20

    /// The archive read as every tool reads it: its records' raw lines, and its read errors.
    static func read(_ path: String) -> (records: [String], errors: Int) {
        guard case .success(let source) = ByteSource.open(path) else { return ([], 0) }
        var reader = RecordReader(source: source)
        var records = [String](), errors = 0
        while let next = reader.next() {
            switch next {
            case .success(let r): records.append(String(decoding: r.raw, as: UTF8.self))
            case .failure: errors += 1
            }
        }
        return (records, errors)
    }

    @Test(.enabled(if: LoopEndToEndTests.ready, "needs the DSPy runtime and the built tools"), .timeLimit(.minutes(30)))
    func killedAnywhereTheLoopLosesNothingAndPaysNoPairTwice() throws {
        let (dir, standIn, env, task) = try LoopEndToEndTests.setUp(latencyMS: 20, maxSeconds: 3600)
        defer { standIn.terminate(); standIn.waitUntilExit(); try? FileManager.default.removeItem(atPath: dir) }
        let make = """
            make -s -f \(LoopEndToEndTests.repo)/share/mkspy/mkspy.mk mkspy-loop SPEC=\(task)/spec.json \
            TRAIN=\(task)/train.jsonl VAL=\(task)/val.jsonl RUN=run CHILDREN=2 SEED=4 MAX_CALLS=80 JOBS=4 \
            EVOLVE_FLAGS=-q CHECK_FLAGS=-q SCORE_FLAGS='-q --cache \(dir)/cache'
            """
        let archive = dir + "/run/archive.jsonl"
        var random = SeededRandom(seed: 2026)
        var kept = Set<String>()  // every complete record the archive has held
        var cuts = 0
        for _ in 0..<Self.points {
            // The loop in a session of its own, killed whole after 0.05 to 3 s.
            let loop = Process()
            loop.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            loop.arguments = ["/bin/sh", "-c", make]
            loop.currentDirectoryURL = URL(fileURLWithPath: dir)
            loop.environment = env
            loop.standardOutput = FileHandle.nullDevice
            loop.standardError = FileHandle.nullDevice
            try loop.run()
            usleep(useconds_t(50_000 + random.next() % 2_950_000))
            kill(-loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()
            // Half the time, the last record is cut short, as a write that never finished leaves it.
            if var bytes = readFile(archive), bytes.last == 0x0A, random.next() % 2 == 0 {
                let start = (bytes.dropLast().lastIndex(of: 0x0A) ?? -1) + 1
                kept.remove(String(decoding: bytes[start..<(bytes.count - 1)], as: UTF8.self))  // never finished, then
                let cut = start + 1 + Int(random.next() % UInt64(max(1, bytes.count - 2 - start)))
                bytes.removeSubrange(cut...)
                _ = FileManager.default.createFile(atPath: archive, contents: Data(bytes))
                cuts += 1
            }
            let (records, errors) = Self.read(archive)
            #expect(errors <= cuts, "the archive reads, but for the lines cut short")
            kept.formUnion(records)
        }
        let finish = Process()
        finish.executableURL = URL(fileURLWithPath: "/bin/sh")
        finish.arguments = ["-c", make]
        finish.currentDirectoryURL = URL(fileURLWithPath: dir)
        finish.environment = env
        finish.standardError = FileHandle.nullDevice
        try finish.run()
        finish.waitUntilExit()
        #expect(finish.terminationStatus == 0, "the resumed loop runs to its end")

        let (records, errors) = Self.read(archive)
        #expect(errors <= cuts)
        #expect(kept.subtracting(records).isEmpty, "\(kept.subtracting(records).count) complete records lost")
        // Each (candidate, example) pair is recorded with one score entry, however often it was written.
        var entries = [String: Set<String>]()
        for text in records {
            guard let r = try? JSON.parse(Array(text.utf8)), let id = r["id"]?.stringValue else { continue }
            for (eid, entry) in r["scores"]?.objectValue ?? [:] where entry["score"]?.doubleValue != nil {
                entries["\(id) \(eid)", default: []].insert(entry.text)
            }
        }
        let twice = entries.values.filter { $0.count > 1 }.count
        #expect(twice == 0, "\(twice) pairs were scored twice")
        #expect(entries.count <= 80 + 8, "the budget holds (a step may overrun it by one minibatch)")
        // At the stand-in: a request answered twice is one in flight at a kill (its answer had not
        // reached the LM cache); anything answered before is answered from the cache.
        let stats = try? JSON.parse(Array(Self.get(env["MKSPY_LM_BASE"]!.replacingOccurrences(of: "/v1", with: "/stats")).utf8))
        let repeated = stats?["repeated_answers"]?.intValue ?? -1
        #expect(repeated >= 0 && repeated <= Self.points * 6, "answered twice: \(repeated)")
        print("kill9: \(Self.points) kills, \(cuts) last lines cut, \(records.count) records, \(entries.count) pairs, "
              + "\(kept.count) complete records kept, 0 lost, \(twice) pairs scored twice, \(repeated) LM answers repeated, "
              + "\(stats?["calls"]?.intValue ?? 0) LM calls")
    }

    /// GET `url` with the runtime's Python (the tests have no HTTP client of their own).
    static func get(_ url: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ReflectionTests.python!)
        p.arguments = ["-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())", url]
        let out = Pipe()
        p.standardOutput = out
        try? p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
