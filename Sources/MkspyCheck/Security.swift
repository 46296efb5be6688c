import PythonSyntax

/// A family of dangerous functions: the rule that catches them, the exact names and module
/// prefixes it covers, and what the message says they do and how to fix it.
struct Family {
    let rule: CheckRule
    let names: Set<String>
    var prefixes: [String] = []
    var except: Set<String> = []
    let does: String
}

/// The tables of the security rules (SEC001–SEC012). A new dangerous function is one entry here.
enum Security {
    static let families: [Family] = [
        Family(rule: .dynamicCode, names: ["eval", "exec", "compile", "execfile"], prefixes: ["code.", "runpy."],
               does: "runs code built or loaded at run time; compute in Python, or let dspy.ProgramOfThought run code in its sandbox"),
        Family(rule: .dynamicImport, names: [
            "importlib.reload", "importlib.util.spec_from_file_location", "importlib.util.module_from_spec",
            "importlib.util.spec_from_loader", "importlib.machinery.SourceFileLoader", "importlib.machinery.SourcelessFileLoader",
            "importlib.machinery.ExtensionFileLoader", "imp.load_source", "imp.load_module", "imp.load_compiled",
            "imp.load_dynamic", "zipimport.zipimporter",
        ], does: "loads a module from a file or a computed name; import modules by name at the top of the file"),
        Family(rule: .process, names: [
            "os.system", "os.popen", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.posix_spawn", "os.posix_spawnp",
            "os.startfile", "os.abort", "platform.popen", "signal.pthread_kill", "asyncio.create_subprocess_exec",
            "asyncio.create_subprocess_shell", "concurrent.futures.ProcessPoolExecutor",
        ], prefixes: ["os.exec", "os.spawn", "subprocess.", "pty.", "multiprocessing.", "pexpect.", "concurrent.futures.process."],
               does: "starts or signals a process; remove it: a program calls its LM through DSPy and does the rest in Python"),
        Family(rule: .fileWrite, names: [
            "os.remove", "os.unlink", "os.rename", "os.renames", "os.replace", "os.mkdir", "os.makedirs", "os.rmdir",
            "os.removedirs", "os.write", "os.truncate", "os.ftruncate", "os.symlink", "os.link", "os.chmod", "os.chown",
            "os.mkfifo", "os.mknod", "os.open", "tempfile.mkstemp", "tempfile.mkdtemp", "tempfile.NamedTemporaryFile",
            "tempfile.TemporaryFile", "tempfile.TemporaryDirectory", "tempfile.SpooledTemporaryFile", "dbm.open",
        ], prefixes: ["shutil."], except: [
            "shutil.which", "shutil.disk_usage", "shutil.get_terminal_size", "shutil.get_archive_formats", "shutil.get_unpack_formats",
        ], does: "changes files; a program must not write to the file system: return the value in the prediction"),
        Family(rule: .unsafeLoad, names: [
            "pickle.load", "pickle.loads", "pickle.Unpickler", "_pickle.load", "_pickle.loads", "cPickle.load", "cPickle.loads",
            "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads", "marshal.load", "marshal.loads",
            "joblib.load", "shelve.open", "pandas.read_pickle", "jsonpickle.decode", "yaml.unsafe_load", "yaml.unsafe_load_all",
            "yaml.full_load", "yaml.full_load_all", "torch.load",
        ], does: "can run arbitrary code while loading; load data with json or yaml.safe_load, and a program's state with program.load(path)"),
        Family(rule: .dunderTraversal, names: [
            "sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile", "threading.settrace", "inspect.currentframe",
            "inspect.stack", "inspect.trace", "inspect.getouterframes", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
        ], does: "reaches interpreter internals (frames, every live object); remove it: a program needs only its inputs"),
        Family(rule: .nativeCode, names: ["ctypes", "_ctypes", "cffi"], prefixes: ["ctypes.", "_ctypes.", "cffi."],
               does: "calls native code, beyond the reach of every other check; remove it"),
        Family(rule: .network, names: [
            "urllib.urlopen", "urllib.urlretrieve", "asyncio.open_connection", "asyncio.open_unix_connection",
            "asyncio.start_server", "asyncio.start_unix_server",
        ], prefixes: [
            "socket.", "ssl.", "urllib.request.", "urllib2.", "urllib3.", "requests.", "httpx.", "aiohttp.", "http.client.",
            "http.server.", "socketserver.", "smtplib.", "ftplib.", "telnetlib.", "poplib.", "imaplib.", "nntplib.",
            "xmlrpc.client.", "xmlrpc.server.", "webbrowser.", "websocket.", "websockets.", "paramiko.", "pycurl.", "httplib2.",
        ], does: "opens a network connection; a candidate reaches its LM only through DSPy (dspy.LM and its predictors)"),
        Family(rule: .debugger, names: ["breakpoint", "sys.breakpointhook"],
               prefixes: ["pdb.", "ipdb.", "pudb.", "bdb.", "debugpy.", "pydevd."],
               does: "stops the run for an interactive debugger; remove it"),
    ]

    /// The family `origin` belongs to. A reference (not a call) to a module's member counts
    /// only for functions (`subprocess.run`), not for classes and constants (`subprocess.PIPE`).
    static func family(_ origin: String, reference: Bool) -> Family? {
        guard let candidates = byModule[String(origin.prefix { $0 != "." })], !origin.contains("(") else { return nil }
        for f in candidates {
            if f.names.contains(origin) { return f }
            guard !f.except.contains(origin), f.prefixes.contains(where: origin.hasPrefix) else { continue }
            if reference, let first = origin.split(separator: ".").last?.first, !first.isLowercase { continue }
            return f
        }
        return nil
    }

    /// The families by the first component of their names and prefixes (`os`, `eval`): an
    /// origin is compared with its module's families only.
    static let byModule: [String: [Family]] = {
        var index = [String: [Family]]()
        for f in families {
            let heads = Set((Array(f.names) + f.prefixes).map { String($0.prefix { $0 != "." }) })
            for h in heads { index[h, default: []].append(f) }
        }
        return index
    }()

    static let nativeModules: Set<String> = ["ctypes", "_ctypes", "cffi"]

    /// The last component of every dangerous function: `system`, `popen`, `eval`, `loads`, …
    static let dangerousMembers: Set<String> = Set(families.flatMap(\.names).compactMap { $0.split(separator: ".").last.map(String.init) })

    /// Modules whose members a program must not look up by a computed name.
    static let sensitiveModules: Set<String> = [
        "os", "posix", "nt", "sys", "subprocess", "builtins", "importlib", "shutil", "socket", "ctypes", "pickle", "marshal",
        "pty", "code", "runpy", "io", "tempfile", "pathlib", "urllib", "urllib.request", "requests", "httpx", "http.client",
        "smtplib", "webbrowser", "multiprocessing", "signal", "yaml", "sqlite3", "zipfile", "tarfile", "gc", "inspect", "pdb",
        "asyncio", "dill", "shelve", "platform",
    ]

    /// Attributes that walk from any object to interpreter internals:
    /// `().__class__.__base__.__subclasses__()`, `f.__globals__`, `frame.f_back`.
    static let escapeAttributes: Set<String> = [
        "__subclasses__", "__globals__", "__code__", "__closure__", "__mro__", "__bases__", "__base__",
        "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "gi_frame", "gi_code", "cr_frame", "cr_code",
        "ag_frame", "tb_frame",
    ]

    /// Functions that open files, and the position of their mode argument.
    static let openers: Set<String> = [
        "open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "tarfile.open", "zipfile.ZipFile",
        "os.fdopen", "io.FileIO", "gzip.GzipFile",
    ]
    /// Methods that write whatever object they are called on (a path, an archive).
    static let writingMethods: Set<String> = [
        "write_text", "write_bytes", "touch", "unlink", "rmdir", "mkdir", "symlink_to", "hardlink_to", "extractall",
    ]
    /// `pathlib.Path` methods that write, besides `writingMethods`.
    static let pathWrites: Set<String> = ["rename", "replace", "chmod", "lchmod"]
    /// Reads of one environment variable: its name is the first argument.
    static let environmentReads: Set<String> = [
        "os.getenv", "os.getenvb", "os.environ.get", "os.environ.pop", "os.environ.setdefault", "os.environ.__getitem__",
        "os.environb.get", "os.environb.pop", "os.environb.setdefault",
    ]
    /// Methods of `os.environ` that read or change one variable, not the whole environment.
    static let environmentMethods: Set<String> = [
        "get", "pop", "setdefault", "__getitem__", "__contains__", "update", "clear", "__setitem__", "__delitem__",
    ]

    /// Whether a call configures an LM (`dspy.LM(...)`, `dspy.configure(...)`): a secret given
    /// to it is where a key belongs. A `dspy.Prediction(...)` is not: it carries the key out.
    static func configuresLM(_ callee: String) -> Bool {
        guard callee.hasPrefix("dspy.") else { return false }
        return ["LM", "BaseLM", "configure", "context", "Embedder"].contains(callee.split(separator: ".").last ?? "")
    }

    /// Whether `mode` may write: a literal with w, a, x or +, or a mode not written out.
    static func writesMode(_ mode: Node?) -> Bool {
        guard let mode else { return false }
        guard let text = mode.stringConstant else { return true }
        return text.contains { "wax+".contains($0) }
    }

    /// Whether an environment variable's name says it holds a secret: `OPENAI_API_KEY`,
    /// `HF_TOKEN`, `DB_PASSWORD` — not `MAX_TOKENS` or `PWD`.
    static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper == "PWD" || upper == "OLDPWD" { return false }
        let exact: Set<Substring> = ["KEYS", "SECRETS", "PASS", "PWD", "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH",
                                     "COOKIE", "COOKIES", "PRIVATE", "DSN", "PAT", "PASSPHRASE"]
        for part in upper.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if exact.contains(part) { return true }
            if ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD"].contains(where: part.hasSuffix) { return true }
        }
        return false
    }

    /// Whether a string names a file that holds credentials: `~/.ssh/id_rsa`, `.aws/credentials`,
    /// `/etc/shadow`, `/proc/self/environ`. Text with spaces is prose, not a path.
    static func isSecretPath(_ text: String) -> Bool {
        // Most strings are neither a path nor a dotfile: decided on the bytes, before any split.
        let bytes = text.utf8
        guard bytes.count < 4096, bytes.first == UInt8(ascii: ".") || bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: "\\"))
                || text.hasPrefix("id_") || text == "authorized_keys" || text == "known_hosts",
              !bytes.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return false }
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map { $0.lowercased() }
        let hidden: Set<String> = [".ssh", ".env", ".aws", ".gnupg", ".netrc", "_netrc", ".pgpass", ".git-credentials", ".docker",
                                   ".kube", ".azure", ".boto", ".pypirc", ".npmrc", ".bash_history", ".zsh_history",
                                   "authorized_keys", "known_hosts"]
        for (i, part) in parts.enumerated() {
            if hidden.contains(part) { return true }
            if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"].contains(where: part.hasPrefix) { return true }
            let next = i + 1 < parts.count ? parts[i + 1] : ""
            if part == "etc", ["shadow", "gshadow", "passwd", "sudoers", "master.passwd"].contains(next) { return true }
            if part == ".config", next == "gcloud" || next == "gh" { return true }
            if part == "proc", parts.last == "environ" { return true }
        }
        return false
    }
}

/// Runs the security rules over one module: every call, reference, import, attribute and
/// string, with names resolved by `Origins`.
struct SecurityAudit {
    let program: Program
    let origins: Origins
    private(set) var findings: [Finding] = []
    private var reported: Set<String> = []
    /// `os.environ` nodes the expression around them has already judged (a subscript, `.get`).
    private var judged: Set<ObjectIdentifier> = []
    /// Where a secret may go: an argument of `dspy.LM` and the like (where a key belongs), or a
    /// condition that only tests it (`if not os.getenv("OPENAI_API_KEY"): ...`).
    private var safeUses: Set<ObjectIdentifier> = []
    /// A value assigned to exactly one name → that name.
    private var assignedTo: [ObjectIdentifier: String] = [:]
    /// Secret reads assigned to a name, judged once every use of the name is known.
    private var pending: [(name: String, node: Node, message: String)] = []

    init(_ program: Program) {
        self.program = program
        origins = Origins(program.module)
    }

    mutating func run() {
        var stack: [(Node, Scope, Node?)] = [(program.module, origins.module, nil)]
        while let (node, scope, parent) = stack.popLast() {
            visit(node, scope, parent)
            origins.eachChildReversed(node, scope) { stack.append(($0, $1, node)) }
        }
        guard !pending.isEmpty else { return }
        // Name → how often it is read, and how often in a safe use.
        var uses: [String: (all: Int, safe: Int)] = [:]
        let names = Set(pending.map(\.name))
        program.module.walk { n in
            guard n.type == "Name", let id = n.string("id"), names.contains(id), n.node("ctx")?.type == "Load" else { return }
            let u = uses[id] ?? (0, 0)
            uses[id] = (u.all + 1, u.safe + (safeUses.contains(ObjectIdentifier(n)) ? 1 : 0))
        }
        for p in pending {
            let u = uses[p.name] ?? (0, 0)
            if u.all == 0 || u.safe < u.all { report(.secret, p.node, p.message) }
        }
    }

    mutating func report(_ rule: CheckRule, _ node: Node, _ message: String, advisory: Bool = false) {
        let key = "\(rule.rawValue) \(node.lineno):\(node.colOffset):\(node.endLineno):\(node.endColOffset)"
        guard reported.insert(key).inserted else { return }
        findings.append(Finding(rule: rule, message: message, line: Int(node.lineno), col: Int(node.colOffset),
                                endLine: Int(node.endLineno), endCol: Int(node.endColOffset), advisory: advisory))
    }

    /// How a message names what `node` stands for: `os.system`, or `e, which is eval,`.
    func subject(_ node: Node, _ origin: String, call: Bool) -> String {
        let parens = call ? "()" : ""
        guard let written = Origins.dotted(node) else { return "this \(call ? "call of" : "expression, which is") \(origin)\(call ? "" : ",")" }
        return written == origin ? "\(origin)\(parens)" : "\(written)\(parens), which is \(origin),"
    }

    mutating func visit(_ node: Node, _ scope: Scope, _ parent: Node?) {
        var resolved: Set<String>?
        let tag = origins.tag(node)
        switch tag {
        case .call: call(node, scope)
        case .importStatement, .importFrom: importStatement(node)
        case .constant: constant(node)
        case .attribute: attribute(node, scope)
        case .name: resolved = name(node, scope)
        case .subscripted: subscripted(node, scope)
        case .compare:
            // `"KEY" in os.environ` and `"dspy" in sys.modules` read no value.
            for operand in node.nodes("left") + node.nodes("comparators") where isEnvironment(operand, scope) || isModuleTable(operand, scope) {
                judged.insert(ObjectIdentifier(operand))
            }
        case .condition:
            if let test = node.node("test") { markTested(test) }
        case .assign, .annAssign:
            let targets = node.nodes("targets") + node.nodes("target")
            if targets.count == 1, targets[0].type == "Name", let id = targets[0].string("id"), let value = node.node("value") {
                assignedTo[ObjectIdentifier(value)] = id
            }
        default: break
        }
        let maybeReference = switch tag { case .name, .attribute, .subscripted, .call: true; default: false }
        if maybeReference, isReference(node, parent) {
            reference(node, resolved ?? origins.resolve(node, scope))
        }
    }

    /// The parts of a condition whose value is only tested: `x`, `not x`, `x and y`, `x is None`.
    mutating func markTested(_ test: Node) {
        safeUses.insert(ObjectIdentifier(test))
        switch test.type {
        case "UnaryOp" where test.node("op")?.type == "Not": if let operand = test.node("operand") { markTested(operand) }
        case "BoolOp": for value in test.nodes("values") { markTested(value) }
        case "Compare":
            let emptyOrNone = test.nodes("comparators").allSatisfy { $0.type == "Constant" && ($0.stringConstant == "" || $0["value"]?.constant == ConstantValue.none) }
            if emptyOrNone, let left = test.node("left") { markTested(left) }
        default: break
        }
    }

    // MARK: references and calls

    /// A value read on its own (not the callee of a call, not the base of a longer chain):
    /// `run = os.system`, `@exec`, `map(eval, items)`, `getattr(os, "system")`.
    func isReference(_ node: Node, _ parent: Node?) -> Bool {
        switch node.type {
        case "Name", "Attribute", "Subscript": guard node.node("ctx")?.type == "Load" else { return false }
        case "Call":
            // Only these calls stand for a function rather than return a value of it.
            guard let f = node.node("func"), let name = f.string("attr") ?? f.string("id"), Self.lookups.contains(name) else { return false }
        default: return false
        }
        guard let parent else { return true }
        if parent.type == "Attribute" || parent.type == "Subscript", parent.node("value") === node { return false }
        if parent.type == "Call", parent.node("func") === node { return false }
        return true
    }

    static let lookups: Set<String> = ["getattr", "__import__", "import_module", "get", "__getitem__", "__getattribute__", "__getattr__", "vars", "globals"]

    mutating func reference(_ node: Node, _ found: Set<String>) {
        for origin in found.sorted() {
            guard let f = Security.family(origin, reference: true) else { continue }
            report(f.rule, node, "\(subject(node, origin, call: false)) referred to here, \(f.does)")
            return
        }
    }

    mutating func call(_ call: Node, _ scope: Scope) {
        guard let f = call.node("func") else { return }
        let callees = origins.resolve(f, scope)
        if callees.contains(where: Security.configuresLM) {
            for a in call.nodes("args") + call.nodes("keywords").compactMap({ $0.node("value") }) { safeUses.insert(ObjectIdentifier(a)) }
        }
        let local = staysInWorkingDirectory(call, scope)
        for origin in callees.sorted() {
            guard let (rule, text) = finding(origin, call, scope) else { continue }
            if rule == .fileWrite, local, Security.openers.contains(origin) || origin == "os.mkdir" || origin == "os.makedirs" {
                report(rule, call, "\(subject(f, origin, call: true)) \(Self.localWrite)", advisory: true)
            } else {
                report(rule, call, "\(subject(f, origin, call: true)) \(text)")
            }
            break
        }
        if f.type == "Attribute", let attr = f.string("attr") {
            let creates = ["write_text", "write_bytes", "touch", "mkdir", "open"].contains(attr)
            let writes = Security.writingMethods.contains(attr)
                || attr == "open" && callees.isDisjoint(with: Security.openers) && Security.writesMode(call.argument(0, "mode"))
                    && program.aliases[Origins.dotted(f)?.split(separator: ".").first.map(String.init) ?? ""] == nil
            if writes {
                let mild = local && creates
                report(.fileWrite, call, ".\(attr)() \(mild ? Self.localWrite : "writes files; a program must not write to the file system: return the value in the prediction")", advisory: mild)
            }
            if let base = f.node("value"), isEnvironment(base, scope), Security.environmentMethods.contains(attr) {
                judged.insert(ObjectIdentifier(base))
            }
        }
        namespaceCall(call, callees, scope)
        if !callees.isDisjoint(with: Security.environmentReads) {
            let key = call.argument(0, "key")
            if key?.stringConstant.map(Security.isSecretName) ?? true {
                let shown = key?.stringConstant.map { "(\"\($0)\")" } ?? "(…)"
                secretRead(call, "\(Origins.dotted(f) ?? "os.getenv")\(shown) reads \(key?.stringConstant == nil ? "an environment variable chosen at run time" : "a secret"); \(Self.secretFix)")
            }
        }
    }

    static let localWrite = "writes a file that stays in the working directory (a warning); still, a program should return the value in the prediction"

    /// Whether a write's path is a literal inside the working directory: `open("out.json", "w")`,
    /// `Path("cache").mkdir()` — not `/etc/x`, `~/x`, `../x`, or a path computed at run time.
    func staysInWorkingDirectory(_ call: Node, _ scope: Scope) -> Bool {
        guard let f = call.node("func") else { return false }
        var path = call.argument(0, "file") ?? call.keyword("path")
        if f.type == "Attribute", let receiver = f.node("value") {
            guard receiver.type == "Call", let make = receiver.node("func"),
                  origins.resolve(make, scope).contains(where: { $0.hasPrefix("pathlib.") && $0.hasSuffix("Path") }) else { return false }
            path = receiver.argument(0, "path")
        }
        guard let text = path?.stringConstant, !text.isEmpty, !text.hasPrefix("/"), !text.hasPrefix("~"), !text.hasPrefix("\\"),
              !text.contains(":") else { return false }
        return !text.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..") && !Security.isSecretPath(text)
    }

    static let secretFix = "a program gets its LM configured and needs no key: remove it, or pass it straight to dspy.LM(api_key=...)"

    /// The finding for a call of `origin`, where the arguments can decide it.
    func finding(_ origin: String, _ call: Node, _ scope: Scope) -> (CheckRule, String)? {
        switch origin {
        case "__import__", "importlib.__import__", "importlib.import_module":
            guard let name = call.argument(0, "name")?.stringConstant else {
                return (.dynamicImport, "with a computed module name imports whatever the name says; import modules by name at the top of the file")
            }
            if Security.nativeModules.contains(String(name.prefix { $0 != "." })) {
                return (.nativeCode, "imports \(name), which calls native code beyond the reach of every other check; remove it")
            }
            return nil
        case "sqlite3.connect":
            if let path = call.argument(0, "database")?.stringConstant, path == ":memory:" || path.isEmpty { return nil }
            return (.fileWrite, "creates or changes a database file; keep data in memory (sqlite3.connect(\":memory:\")) or in the prediction")
        case "yaml.load", "yaml.load_all":
            let loader = call.argument(1, "Loader")
            if let loader, origins.resolve(loader, scope).contains(where: { $0.hasSuffix("SafeLoader") || $0.hasSuffix("BaseLoader") }) { return nil }
            return (.unsafeLoad, "with \(loader.flatMap(Origins.dotted) ?? "no") Loader can build any Python object; use yaml.safe_load")
        case "numpy.load":
            guard let pickles = call.keyword("allow_pickle") else { return nil }
            if pickles.type == "Constant", !Flow.isTruthyConstant(pickles) { return nil }
            return (.unsafeLoad, "with allow_pickle can run arbitrary code while loading; load arrays without allow_pickle")
        default: break
        }
        if Security.openers.contains(origin) {
            let mode = call.argument(1, "mode")
            return Security.writesMode(mode) ? (.fileWrite, "opened for writing; a program must not write to the file system: return the value in the prediction") : nil
        }
        let last = origin.split(separator: ".").last.map(String.init) ?? origin
        if origin.hasPrefix("zipfile.") || origin.hasPrefix("tarfile."), last == "extract" || last == "extractall" {
            return (.fileWrite, "unpacks an archive onto the file system, wherever its member names point; a program must not write files")
        }
        if origin.hasPrefix("pathlib."), Security.pathWrites.contains(last) {
            return (.fileWrite, "changes files; a program must not write to the file system: return the value in the prediction")
        }
        return Security.family(origin, reference: false).map { ($0.rule, $0.does) }
    }

    // MARK: namespaces: builtins, globals(), sys.modules, a module's __dict__

    /// `getattr(__builtins__, …)`, `vars(builtins)`, `getattr(os, name)`, `globals().get(name)`.
    mutating func namespaceCall(_ call: Node, _ callees: Set<String>, _ scope: Scope) {
        if !callees.isDisjoint(with: ["getattr", "setattr", "delattr", "hasattr", "vars", "dir"]), let object = call.argument(0, "object") {
            let objects = origins.resolve(object, scope)
            if objects.contains("builtins") || objects.contains("builtins.__dict__") {
                report(.builtinsNamespace, call, "\(Origins.dotted(call.node("func")!) ?? "this call")(…) reaches the builtins namespace, and eval and exec through it; call builtins by their plain names")
            } else if let module = objects.sorted().first(where: Security.sensitiveModules.contains),
                      callees.contains("vars") || (!callees.isDisjoint(with: ["getattr", "setattr"]) && call.argument(1, "name")?.stringConstant == nil) {
                report(.moduleLookup, call, "looks up a member of \(module) by a name computed at run time; import what you call by name")
            }
        }
        // `operator.methodcaller("system", "id")(os)`: a member called by its name as data.
        if !callees.isDisjoint(with: ["operator.methodcaller", "operator.attrgetter"]) {
            let name = call.argument(0, "name")?.stringConstant
            if name.map(Security.dangerousMembers.contains) ?? true {
                report(.moduleLookup, call, "\(Origins.dotted(call.node("func")!) ?? "operator")(\(name.map { "\"\($0)\"" } ?? "…")) looks up a member by a name given as data; call what you need by name")
            }
        }
        for callee in callees where callee.hasSuffix(".get") || callee.hasSuffix(".__getitem__") || callee.hasSuffix(".pop") {
            guard call.argument(0, "key")?.stringConstant == nil else { continue }
            namespaceLookup([String(callee[..<callee.lastIndex(of: ".")!])], call)
        }
    }

    /// A lookup by a computed key in a namespace that holds modules or functions.
    mutating func namespaceLookup(_ namespaces: Set<String>, _ node: Node) {
        if !namespaces.isDisjoint(with: ["globals()", "builtins", "builtins.__dict__"]) {
            report(.builtinsNamespace, node, "looks up a global or builtin by a name computed at run time, which can reach eval and exec; name what you call")
        } else if let ns = namespaces.sorted().first(where: { $0.hasSuffix(".__dict__") && Security.sensitiveModules.contains(String($0.dropLast(9))) }) {
            report(.moduleLookup, node, "looks up a member of \(ns.dropLast(9)) by a name computed at run time; import what you call by name")
        }
    }

    mutating func subscripted(_ node: Node, _ scope: Scope) {
        guard let value = node.node("value") else { return }
        let key = node.node("slice")?.stringConstant
        if isEnvironment(value, scope) {
            judged.insert(ObjectIdentifier(value))
            guard node.node("ctx")?.type == "Load", key.map(Security.isSecretName) ?? true else { return }
            let shown = key.map { "[\"\($0)\"]" } ?? "[…]"
            secretRead(node, "\(Origins.dotted(value) ?? "os.environ")\(shown) reads \(key == nil ? "an environment variable chosen at run time" : "a secret"); \(Self.secretFix)")
        } else if key == nil {
            namespaceLookup(origins.resolve(value, scope), node)
        }
    }

    // MARK: names, attributes, imports, strings

    func isEnvironment(_ node: Node, _ scope: Scope) -> Bool {
        guard node.type == "Name" || node.type == "Attribute" else { return false }
        let found = origins.resolve(node, scope)
        return found.contains("os.environ") || found.contains("os.environb")
    }

    func isModuleTable(_ node: Node, _ scope: Scope) -> Bool {
        (node.type == "Name" || node.type == "Attribute") && origins.resolve(node, scope).contains("sys.modules")
    }

    /// Checks a name; returns what it stands for when it is read.
    mutating func name(_ node: Node, _ scope: Scope) -> Set<String>? {
        guard let id = node.string("id") else { return nil }
        if id == "__builtins__" {
            report(.builtinsNamespace, node, "__builtins__ reaches the builtins namespace, and eval and exec through it; call builtins by their plain names")
        }
        guard node.node("ctx")?.type == "Load" else { return nil }
        let found = origins.lookup(id, scope)
        if found.contains("sys.modules"), !judged.contains(ObjectIdentifier(node)) {
            report(.moduleLookup, node, "\(id), which is sys.modules, reaches any loaded module by name; import what you call by name")
        }
        wholeEnvironment(node, found)
        return found
    }

    mutating func attribute(_ node: Node, _ scope: Scope) {
        guard let attr = node.string("attr") else { return }
        if attr == "__builtins__" {
            report(.builtinsNamespace, node, ".__builtins__ reaches the builtins namespace, and eval and exec through it; call builtins by their plain names")
        } else if Security.escapeAttributes.contains(attr) {
            report(.dunderTraversal, node, ".\(attr) walks from an object to interpreter internals (every class, a function's globals, a frame); remove it")
        } else if attr == "__dict__", let base = node.node("value") {
            let bases = origins.resolve(base, scope)
            if bases.contains("builtins") {
                report(.builtinsNamespace, node, "the builtins' __dict__ reaches eval and exec by name; call builtins by their plain names")
            } else if let module = bases.sorted().first(where: Security.sensitiveModules.contains) {
                report(.moduleLookup, node, "\(module).__dict__ reaches the module's members by name; import what you call by name")
            }
        } else if attr == "modules" || attr == "environ" || attr == "environb" {
            let found = origins.resolve(node, scope)
            if found.contains("sys.modules"), !judged.contains(ObjectIdentifier(node)) {
                report(.moduleLookup, node, "sys.modules reaches any loaded module by name; import what you call by name")
            }
            if node.node("ctx")?.type == "Load" { wholeEnvironment(node, found) }
        }
    }

    /// `os.environ` read as a whole: `dict(os.environ)`, `os.environ.copy()`, `for k in os.environ`.
    mutating func wholeEnvironment(_ node: Node, _ found: Set<String>) {
        guard found.contains("os.environ") || found.contains("os.environb"), !judged.contains(ObjectIdentifier(node)) else { return }
        report(.secret, node, "\(Origins.dotted(node) ?? "os.environ") read as a whole holds every secret of the environment (API keys, tokens); read only the variables you need, by name")
    }

    /// A secret read: reported unless it goes straight to a `dspy.*` call, or into a name that
    /// is only ever passed to one (`key = os.getenv("OPENAI_API_KEY")` … `dspy.LM(..., api_key=key)`).
    mutating func secretRead(_ node: Node, _ message: String) {
        if safeUses.contains(ObjectIdentifier(node)) { return }
        if let name = assignedTo[ObjectIdentifier(node)] { pending.append((name, node, message)); return }
        report(.secret, node, message)
    }

    mutating func importStatement(_ node: Node) {
        if node.type == "Import" {
            for alias in node.nodes("names") {
                guard let name = alias.string("name"), Security.nativeModules.contains(String(name.prefix { $0 != "." })) else { continue }
                report(.nativeCode, alias, "import \(name): calls native code, beyond the reach of every other check; remove it")
            }
            return
        }
        guard (node["level"]?.int ?? 0) == 0, let from = node.string("module") else { return }
        if Security.nativeModules.contains(String(from.prefix { $0 != "." })) {
            report(.nativeCode, node, "from \(from) import …: calls native code, beyond the reach of every other check; remove it")
            return
        }
        for alias in node.nodes("names") {
            guard let name = alias.string("name"), name != "*", let origin = Origins.member(from, name),
                  let f = Security.family(origin, reference: true) else { continue }
            report(f.rule, alias, "from \(from) import \(name): \(origin) \(f.does)")
        }
    }

    mutating func constant(_ node: Node) {
        guard let text = node.stringConstant else { return }
        if text == "__builtins__" {
            report(.builtinsNamespace, node, "\"__builtins__\" names the builtins namespace, and eval and exec through it; call builtins by their plain names")
        } else if Security.escapeAttributes.contains(text) {
            report(.dunderTraversal, node, "\"\(text)\" names an attribute that walks to interpreter internals; remove it")
        } else if Security.isSecretPath(text) {
            report(.secret, node, "\"\(text)\" names a file that holds credentials (SSH keys, cloud tokens, passwords); a program must not read it")
        }
    }
}

extension Checker {
    /// The security rules (SEC), over names resolved through imports and assignments.
    mutating func checkSecurity() {
        var audit = SecurityAudit(program)
        audit.run()
        findings += audit.findings
    }
}
