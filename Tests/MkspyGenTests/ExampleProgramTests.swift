import Foundation
import MkspyCore
import Testing

@testable import MkspyGen

/// Every example spec, seeded in every strategy variant, runs under real DSPy 3.4.1.
@Suite(.serialized) struct ExampleProgramTests {
    @Test func examplesRunUnderDSPy() throws {
        var programs = [(Candidate, JSON)]()
        for name in Support.exampleNames {
            let spec = try Support.exampleSpec(name)
            let dataset = try ["train", "val", "test"].flatMap { try Support.jsonLines("\(Support.examples)/\(name)/\($0).jsonl") }
            let seeds = Seeds.candidates(spec, variants: [.predict, .cot, .react])
            #expect(!seeds.isEmpty)
            for (i, seed) in seeds.enumerated() {
                // Odd variants also carry demos and the async and stream additions.
                var candidate = seed
                if i % 2 == 1 { candidate.genome = Self.withDemos(candidate, from: dataset) }
                let options = RenderOptions(async: i % 2 == 1, stream: i % 2 == 1)
                let strategies = spec.operations.map { candidate.genome.modules[$0.name]!.strategy.rawValue }
                programs.append((candidate, try Support.program(candidate, label: "\(name) \(strategies)",
                                                                examples: dataset, options: options)))
            }
        }
        #expect(programs.count >= 10)
        try Support.runUnderDSPy(programs)
    }

    /// Demos from the first two dataset examples, with the fields each operation has.
    static func withDemos(_ candidate: Candidate, from dataset: [JSON]) -> Genome {
        var genome = candidate.genome
        for op in candidate.spec.operations {
            let names = (op.inputs + op.outputs).map(\.name)
            genome.modules[op.name]!.demos = dataset.prefix(2).compactMap { example in
                var demo = JSONObject()
                for name in names { demo[name] = example[name] }
                return demo.isEmpty ? nil : demo
            }
        }
        return genome
    }
}
