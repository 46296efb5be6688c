import MkspyCore

/// Seed candidates of a spec: generation 0, origin "seed", no parents, no demos.
public enum Seeds {
    /// One candidate per strategy variant, in the order given, without duplicates. With no
    /// variants, one candidate with the spec's own strategies.
    ///
    /// A variant gives its strategy to every operation that is not `react` in the spec;
    /// `react` operations keep `react`. The variant `react` applies only to operations
    /// whose spec declares tools; the others keep their spec strategy.
    public static func candidates(_ spec: Spec, variants: [Strategy]) -> [Candidate] {
        var seen = Set<String>()
        var result = [Candidate]()
        for variant in variants.isEmpty ? [nil] : variants.map(Optional.some) {
            var genome = Genome(seed: spec)
            if let variant {
                for op in spec.operations where op.strategy != .react && (variant != .react || !op.tools.isEmpty) {
                    genome.modules[op.name]?.strategy = variant
                }
            }
            let candidate = Candidate(spec: spec, genome: genome)
            if seen.insert(candidate.id).inserted { result.append(candidate) }
        }
        return result
    }

    /// Parses `--strategies predict,cot`; the error names the first unknown strategy.
    public static func parseVariants(_ text: String) -> Result<[Strategy], RenderError> {
        var variants = [Strategy]()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: " ")
            guard let strategy = Strategy(rawValue: name) else {
                let known = Strategy.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(RenderError("unknown strategy '\(name)' in --strategies; use a comma-separated list of \(known)"))
            }
            if !variants.contains(strategy) { variants.append(strategy) }
        }
        return .success(variants)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
