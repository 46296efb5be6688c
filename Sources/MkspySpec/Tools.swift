import MkspyCheck
import PythonSyntax

/// A ReAct tool as `dspy.Tool` describes it to the LM (dspy/adapters/types/tool.py): its
/// name, description (the function's `__doc__` as is) and arguments (each parameter's JSON
/// schema from pydantic, plus its default).
struct ToolModel {
    var name: String
    var desc: String
    var args: [(String, PyValue)]

    /// `str(tool)`, the line ReAct's instruction lists.
    var text: String {
        let description = desc.isEmpty ? "." : ", whose description is <desc>\(desc)</desc>.".replacingNewlines()
        return "\(name)\(description) It takes arguments \(PyValue.dict(args).repr)."
    }
}

extension ProgramReader {
    /// The tools of a ReAct: a list of functions of the file or `dspy.Tool`s of them; nil
    /// (diagnosed by the caller) when any is something else.
    func tools(_ value: Value?, _ call: Node) -> [ToolModel]? {
        guard case .list(let list)? = value else { return nil }
        var tools = [ToolModel]()
        for item in list.items {
            switch item {
            case .function(let def): guard let tool = tool(def) else { return nil }; tools.append(tool)
            case .tool(let tool): tools.append(tool)
            default: return nil
            }
        }
        return tools
    }

    /// `dspy.Tool(func, name=…, desc=…)` over a function of the file.
    func dspyTool(_ call: Node, _ scope: inout Scope) -> ToolModel? {
        guard let f = call.argument(0, "func"), case .function(let def) = eval(f, &scope), var tool = tool(def) else { return nil }
        for keyword in call.nodes("keywords") {
            switch keyword.string("arg") {
            case "func": continue
            case "name": guard let text = keyword.node("value")?.stringConstant else { return nil }; tool.name = text
            case "desc": guard let text = keyword.node("value")?.stringConstant else { return nil }; tool.desc = text
            default: return nil
            }
        }
        return call.nodes("args").count > 1 ? nil : tool
    }

    /// The tool a function makes: every parameter `inspect.signature` lists, in order.
    func tool(_ def: Node) -> ToolModel? {
        guard let a = def.node("args") else { return nil }
        let positional = a.nodes("posonlyargs") + a.nodes("args")
        let defaults = a.nodes("defaults")
        var parameters = [(Node, Node?)]()
        for (i, p) in positional.enumerated() {
            parameters.append((p, i >= positional.count - defaults.count ? defaults[i - (positional.count - defaults.count)] : nil))
        }
        if let v = a.node("vararg") { parameters.append((v, nil)) }
        let kwDefaults: [Node?] = { if case .list(let items)? = a["kw_defaults"] { return items.map(\.node) } else { return [] } }()
        for (p, d) in zip(a.nodes("kwonlyargs"), kwDefaults) { parameters.append((p, d)) }
        if let k = a.node("kwarg") { parameters.append((k, nil)) }
        var args = [(String, PyValue)]()
        for (p, defaultNode) in parameters {
            guard case .dict(var schema)? = jsonSchema(p.node("annotation")) else { return nil }
            if let defaultNode {
                guard let value = constant(defaultNode) else { return nil }
                schema.append(("default", value))
            }
            args.append((p.string("arg") ?? "", .dict(schema)))
        }
        return ToolModel(name: def.string("name") ?? "", desc: docstring(def) ?? "", args: args)
    }

    /// pydantic's JSON schema of an annotation (`TypeAdapter(t).json_schema()`) for the
    /// common types: primitives, `Any`, lists, string-keyed dicts, unions, `Optional` and
    /// `Literal`; nil for others.
    func jsonSchema(_ annotation: Node?) -> PyValue? {
        guard let annotation else { return .dict([]) }
        switch annotation.type {
        case "Constant":
            return annotation["value"]?.constant == ConstantValue.none ? .dict([("type", .string("null"))]) : nil
        case "Name", "Attribute":
            switch unparse(annotation) {
            case "str": return .dict([("type", .string("string"))])
            case "int": return .dict([("type", .string("integer"))])
            case "float": return .dict([("type", .string("number"))])
            case "bool": return .dict([("type", .string("boolean"))])
            case "Any", "typing.Any": return .dict([])
            case "None": return .dict([("type", .string("null"))])
            default: return nil
            }
        case "BinOp":
            guard annotation.node("op")?.type == "BitOr" else { return nil }
            var members = [PyValue]()
            func flatten(_ n: Node) -> Bool {
                if n.type == "BinOp", n.node("op")?.type == "BitOr" { return flatten(n.node("left")!) && flatten(n.node("right")!) }
                guard let s = jsonSchema(n) else { return false }
                members.append(s)
                return true
            }
            return flatten(annotation) ? .dict([("anyOf", .list(members))]) : nil
        case "Subscript":
            guard let base = annotation.node("value").flatMap(unparse), let slice = annotation.node("slice") else { return nil }
            let items = slice.type == "Tuple" ? slice.nodes("elts") : [slice]
            switch base.split(separator: ".").last.map(String.init) ?? base {
            case "list", "List":
                guard items.count == 1, let element = jsonSchema(items[0]) else { return nil }
                return .dict([("items", element), ("type", .string("array"))])
            case "dict", "Dict":
                guard items.count == 2, unparse(items[0]) == "str", let value = jsonSchema(items[1]) else { return nil }
                return .dict([("additionalProperties", value), ("type", .string("object"))])
            case "Optional":
                guard items.count == 1, let inner = jsonSchema(items[0]) else { return nil }
                return .dict([("anyOf", .list([inner, .dict([("type", .string("null"))])]))])
            case "Union":
                let members = items.compactMap(jsonSchema)
                return members.count == items.count ? .dict([("anyOf", .list(members))]) : nil
            case "Literal":
                let values = items.compactMap(constant)
                guard values.count == items.count else { return nil }
                if values.allSatisfy({ if case .string = $0 { true } else { false } }) {
                    return .dict([("enum", .list(values)), ("type", .string("string"))])
                }
                return nil
            default: return nil
            }
        default: return nil
        }
    }
}

extension String {
    /// `str.replace("\n", "  ")`.
    fileprivate func replacingNewlines() -> String {
        var out = ""
        for c in unicodeScalars { if c == "\n" { out += "  " } else { out.unicodeScalars.append(c) } }
        return out
    }
}
