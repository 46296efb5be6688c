import Testing
@testable import MkspyCore

@Suite("Candidates and genomes")
struct CandidateTests {
    func designSpec() -> Spec { validate(designExample).spec }

    @Test func seedGenomeCopiesTheSpec() throws {
        let genome = Genome(seed: designSpec())
        #expect(genome.modules.keys.sorted() == ["extract_items", "sum_items"])
        let extract = try #require(genome.modules["extract_items"])
        #expect(extract.strategy == .predict)
        #expect(extract.instruction == "List every line item on the invoice.")
        #expect(extract.descriptions == ["invoice": "raw invoice text", "lines": "", "currency": ""])
        #expect(extract.demos.isEmpty)
        #expect(genome.modules["sum_items"]?.strategy == .cot)
        #expect(Genome(json: genome.json) == genome)
    }

    @Test func candidateRecordRoundTripsAndKeepsUnknownMembers() throws {
        var candidate = Candidate(spec: designSpec(), genome: Genome(seed: designSpec()), parents: ["p1"], origin: "reflect", generation: 2)
        candidate.source = "import dspy\n"
        candidate.scores = ["ex1": ScoreEntry(score: 1, feedback: "right")]
        candidate.extra["note"] = "a member this version does not know"
        let json = candidate.json
        #expect(json["kind"] == "candidate")
        #expect(json["id"]?.stringValue == candidate.id)
        #expect(json["spec"]?["id"]?.stringValue == designSpec().id)
        let read = try Candidate(json: try #require(try JSON.parse(json.text).objectValue))
        #expect(read.json.text == json.text)
        #expect(read.id == candidate.id)
        #expect(read.scores?["ex1"]?.score == 1)
        #expect(read.extra["note"] == "a member this version does not know")
        #expect(read.parents == ["p1"])
        #expect(read.origin == "reflect")
        #expect(read.generation == 2)
        #expect(read.source == "import dspy\n")
        #expect(read.state == nil && json["state"] == nil)
    }

    /// A program candidate's saved state is a member of its own, read and written as it is.
    @Test func stateIsATypedMember() throws {
        var candidate = Candidate(spec: designSpec(), genome: Genome(seed: designSpec()))
        candidate.state = ["answer": ["demos": [], "lm": nil], "metadata": ["dependency_versions": ["dspy": "3.4.1"]]]
        let read = try Candidate(json: try #require(try JSON.parse(candidate.json.text).objectValue))
        #expect(read.state == candidate.state)
        #expect(read.extra["state"] == nil)
        #expect(read.json.text == candidate.json.text)
    }

    @Test func candidateIdDependsOnTheGenome() {
        let spec = designSpec()
        let a = Candidate(spec: spec, genome: Genome(seed: spec))
        var genome = Genome(seed: spec)
        genome.modules["sum_items"]?.instruction = "Add carefully."
        let b = Candidate(spec: spec, genome: genome)
        #expect(a.id != b.id)
        #expect(a.id == Candidate(spec: spec, genome: Genome(seed: spec), parents: ["x"], origin: "merge", generation: 5).id)
    }

    @Test func malformedCandidatesAreRefusedWithAReason() throws {
        let spec = designSpec()
        let good = Candidate(spec: spec, genome: Genome(seed: spec)).json.objectValue!
        func message(_ o: JSONObject) -> String? {
            do { _ = try Candidate(json: o); return nil } catch { return error.message }
        }
        var noSpec = good; noSpec["spec"] = nil
        #expect(message(noSpec)?.contains("no \"spec\"") == true)
        var noGenome = good; noGenome["genome"] = nil
        #expect(message(noGenome)?.contains("genome") == true)
        var missingModule = good
        var genome = Genome(seed: spec); genome.modules["sum_items"] = nil
        missingModule["genome"] = genome.json
        #expect(message(missingModule)?.contains("'sum_items'") == true)
        var badSpec = good
        var specObject = good["spec"]!.objectValue!
        specObject["metric"] = ["kind": "fuzzy"]
        badSpec["spec"] = .object(specObject)
        #expect(message(badSpec)?.contains("SPEC022") == true)
    }
}

@Suite("Datasets")
struct DatasetTests {
    @Test func examplesWithGivenAndDerivedIds() {
        let train = TempFile("{\"id\":\"a\",\"question\":\"q1\",\"answer\":\"x\"}\n{\"id\":7,\"question\":\"q2\"}\n{\"question\":\"q3\",\"answer\":\"z\"}\n")
        let other = TempFile("{ \"answer\" : \"z\", \"question\" : \"q3\" }\n", name: "other.jsonl")
        defer { train.remove(); other.remove() }
        let (dataset, problems) = Dataset.load([train.path])
        #expect(problems.isEmpty)
        #expect(dataset.ids.count == 3)
        #expect(dataset.ids[0] == "a")
        #expect(dataset.ids[1] == "7")
        #expect(dataset["a"]?.fields["question"] == "q1")
        #expect(dataset["a"]?.fields["id"] == nil)
        // A derived id depends on the content only, not on key order or spacing.
        let (again, _) = Dataset.load([other.path])
        #expect(again.ids == [dataset.ids[2]])
        #expect(dataset.ids[2].count == 16)
    }

    @Test func problemsAreCollectedWithTheirLocations() {
        let first = TempFile("{\"id\":\"a\",\"question\":\"q1\"}\nnot json\n")
        let second = TempFile("{\"id\":\"a\",\"question\":\"again\"}\n{\"id\":\"b\"}\n", name: "second.jsonl")
        defer { first.remove(); second.remove() }
        let (dataset, problems) = Dataset.load([first.path, "/nonexistent/val.jsonl", second.path])
        #expect(dataset.ids == ["a", "b"])
        #expect(problems.count == 3)
        #expect(problems.contains { $0.hasPrefix("\(first.path):2: ") })
        #expect(problems.contains { $0 == "/nonexistent/val.jsonl: cannot read the file" })
        #expect(problems.contains { $0.hasPrefix("\(second.path):1: example id 'a' repeats \(first.path):1") })
    }
}
