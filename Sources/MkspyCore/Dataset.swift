/// One example of a dataset: the program's fields by name, and an id.
public struct Example: Sendable {
    /// The example's "id", or one derived from its content when it has none.
    public let id: String
    /// Every member but "id".
    public let fields: JSONObject
    public let location: Location
}

/// A dataset read from JSON Lines files (train, val and test are separate files).
public struct Dataset: Sendable {
    public private(set) var examples: [Example] = []
    private var index: [String: Int] = [:]

    /// The example with this id.
    public subscript(id: String) -> Example? { index[id].map { examples[$0] } }
    public var ids: [String] { examples.map(\.id) }

    /// Reads every file; unreadable files, bad lines and repeated ids are errors, each with
    /// its file and line, returned together rather than stopping at the first.
    public static func load(_ paths: [String]) -> (Dataset, [String]) {
        var dataset = Dataset()
        var problems = [String]()
        for path in paths {
            guard case .success(let source) = ByteSource.open(path) else {
                problems.append("\(path): cannot read the file")
                continue
            }
            var records = RecordStream(sources: [source])
            while let next = records.next() {
                switch next {
                case .failure(let e): problems.append("\(e.location): \(e.message)")
                case .success(let record):
                    let example = Example(record)
                    if let first = dataset.index[example.id] {
                        problems.append("\(record.location): example id '\(example.id)' repeats \(dataset.examples[first].location); ids are unique across files")
                        continue
                    }
                    dataset.index[example.id] = dataset.examples.count
                    dataset.examples.append(example)
                }
            }
        }
        return (dataset, problems)
    }
}

extension Example {
    /// An example from a dataset record; an absent "id" is derived from the content, so it is
    /// stable across runs and files.
    public init(_ record: Record) {
        var fields = record.object
        let given = fields["id"]
        fields["id"] = nil
        switch given {
        case .string(let s)?: id = s
        case .number(let n)?: id = n
        default: id = contentHash(.object(fields))
        }
        self.fields = fields
        self.location = record.location
    }
}
