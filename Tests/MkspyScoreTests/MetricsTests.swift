import MkspyCore
import Testing

@testable import MkspyScore

@Suite struct MetricsTests {
    func run(_ metric: BuiltinMetric, gold: JSONObject, pred: JSONObject, outputs: [String] = ["answer"]) -> MetricResult {
        metric.evaluate(gold: gold, prediction: pred, outputs: outputs)
    }

    @Test func exactNormalizesTextAndNamesTheMiss() {
        #expect(run(.exact(field: "answer"), gold: ["answer": "The Billing"], pred: ["answer": "billing."]).score == 1)
        let miss = run(.exact(field: "answer"), gold: ["answer": "billing"], pred: ["answer": "shipping"])
        #expect(miss.score == 0)
        #expect(miss.feedback == "expected answer 'billing', got 'shipping'.")
        let missing = run(.exact(field: nil), gold: ["answer": "x"], pred: [:])
        #expect(missing.feedback.contains("answer is missing from the prediction"))
    }

    @Test func exactWithoutFieldAveragesEveryOutput() {
        let r = run(.exact(field: nil), gold: ["a": "x", "b": 2], pred: ["a": "x", "b": 3], outputs: ["a", "b"])
        #expect(r.score == 0.5)
        #expect(r.feedback.contains("expected b 2, got 3"))
    }

    @Test func f1CountsTokensLikeSQuAD() {
        let r = run(.f1(field: nil), gold: ["answer": "the Eiffel Tower in Paris"], pred: ["answer": "Eiffel Tower"])
        #expect(abs(r.score - 2 * 1 * 0.5 / 1.5) < 1e-9)
        #expect(r.feedback.contains("missing words: in, paris"))
        #expect(run(.f1(field: nil), gold: ["answer": "Paris"], pred: ["answer": "paris!"]).score == 1)
        #expect(run(.f1(field: nil), gold: ["answer": "Paris"], pred: ["answer": "Rome"]).score == 0)
    }

    @Test func containsLooksForTheGoldText() {
        #expect(run(.contains(field: nil), gold: ["answer": "Ada Lovelace"], pred: ["answer": "It was ada lovelace, in 1843."]).score == 1)
        let r = run(.contains(field: nil), gold: ["answer": "1843"], pred: ["answer": "in 1842"])
        #expect(r.score == 0)
        #expect(r.feedback == "expected answer to contain '1843', got 'in 1842'.")
    }

    @Test func numericExplainsHowFarOff() {
        let m = BuiltinMetric.numeric(field: "total", tolerance: 0.01)
        #expect(run(m, gold: ["total": .number("120.0")], pred: ["total": .number("120.004")]).score == 1)
        #expect(run(m, gold: ["total": .number("120.0")], pred: ["total": "$120.00"]).score == 1)
        let r = run(m, gold: ["total": .number("120.0")], pred: ["total": .number("12.0")])
        #expect(r.score == 0)
        #expect(r.feedback == "expected total 120.0, got 12.0: off by a factor of 10.0.")
        #expect(run(m, gold: ["total": .number("50")], pred: ["total": .number("-50")]).feedback.contains("sign is flipped"))
        #expect(run(m, gold: ["total": .number("100")], pred: ["total": .number("103.5")]).feedback.contains("too high by 3.5 (3.5%)"))
        #expect(run(m, gold: ["total": .number("100")], pred: ["total": "a lot"]).feedback.contains("not a number"))
    }

    @Test func jsonComparesFieldWise() {
        let m = BuiltinMetric.json(field: "contact")
        let gold: JSONObject = ["contact": ["name": "Ada", "email": "ada@example.com", "currency": "GBP"]]
        let r = run(m, gold: gold, pred: ["contact": ["name": "Ada", "email": "ada@example.org"]], outputs: ["contact"])
        #expect(abs(r.score - 1.0 / 3) < 1e-9)
        #expect(r.feedback.contains("field contact.currency missing"))
        #expect(r.feedback.contains("contact.email: expected 'ada@example.com', got 'ada@example.org'"))
        #expect(run(m, gold: gold, pred: gold, outputs: ["contact"]).score == 1)
    }

    @Test func jsonNamesMissingAndUnexpectedItems() {
        let m = BuiltinMetric.json(field: "tags")
        let r = run(m, gold: ["tags": ["a", "b", "c"]], pred: ["tags": ["a", "x", "c"]], outputs: ["tags"])
        #expect(abs(r.score - 2.0 / 3) < 1e-9)
        #expect(r.feedback == "tags items missing: 'b'; unexpected: 'x'.")
    }

    @Test func metricObjectsSelectTheirCase() {
        #expect(BuiltinMetric(["kind": "numeric", "field": "total", "tolerance": .number("0.5")]) == .numeric(field: "total", tolerance: 0.5))
        #expect(BuiltinMetric(["kind": "f1"]) == .f1(field: nil))
        #expect(BuiltinMetric(["kind": "python", "path": "m.py", "function": "f"]) == nil)
    }
}
