import Foundation
import MkspyCheck
import MkspyCore
import Testing

/// The security corpus (share/mkspy/check-corpus/security): every dangerous snippet is caught,
/// as an error, by the rule its first line names (`# expect: SEC003 (what)`), and no benign
/// look-alike gets a security error (a write that stays in the working directory is a
/// warning). The recall and false-positive figures are printed.
@Suite struct SecurityCorpusTests {
    static let root = "\(packageRoot)/share/mkspy/check-corpus/security"

    static func snippets(_ kind: String) -> [(name: String, text: String)] {
        let dir = "\(root)/\(kind)"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".py") }.sorted()
        return names.map { ($0, (try? String(contentsOfFile: "\(dir)/\($0)", encoding: .utf8)) ?? "") }
    }

    /// The security rules a snippet gets as errors, in a strict check of a .py file or as a candidate.
    static func securityErrors(_ text: String, _ mode: CheckMode = .file(strict: true)) -> Set<String> {
        Set(check(text, mode).filter { $0.rule.hasPrefix("SEC") && $0.severity == .error }.map(\.rule))
    }

    @Test func dangerousSnippetsAreCaughtByTheirRule() {
        let dangerous = Self.snippets("dangerous")
        #expect(dangerous.count >= 70)
        var caught = 0
        var families = Set<String>()
        for snippet in dangerous {
            let expected = snippet.text.split(separator: " ").dropFirst(2).first.map(String.init) ?? "?"
            #expect(CheckRule(rawValue: expected) != nil, "\(snippet.name): no rule \(expected)")
            families.insert(expected)
            let found = Self.securityErrors(snippet.text)
            if found.contains(expected) { caught += 1 }
            #expect(found.contains(expected), "\(snippet.name): expected \(expected), got \(found.sorted())")
        }
        // Every security rule has dangerous snippets.
        for rule in CheckRule.allCases where rule.rawValue.hasPrefix("SEC") {
            #expect(families.contains(rule.rawValue), "no dangerous snippet for \(rule.rawValue)")
        }
        print("security corpus: recall \(caught)/\(dangerous.count) dangerous snippets caught by their expected rule")
    }

    @Test func benignLookalikesGetNoSecurityFinding() {
        let benign = Self.snippets("benign")
        #expect(benign.count >= 35)
        var flagged = 0
        for snippet in benign {
            let found = Self.securityErrors(snippet.text)
            if !found.isEmpty { flagged += 1 }
            #expect(found.isEmpty, "\(snippet.name): \(found.sorted())")
            #expect(Self.securityErrors(snippet.text, .candidate).isEmpty, "\(snippet.name) as a candidate")
        }
        print("security corpus: false positives \(flagged)/\(benign.count) benign look-alikes got a security error")
    }
}
