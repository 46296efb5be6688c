#!/usr/bin/env python3
"""The DSPy runtime of mkspy-score and mkspy-evolve: runs candidate programs on examples, and
reflection, under real DSPy.

A session speaks JSON Lines: one request per line in, one response per line out; logs go to
stderr. `worker.py` alone runs one session on its stdin and stdout. `worker.py --serve SOCKET
IDLE` starts the runtime server: DSPy is imported once, and each connection to the Unix socket
is a session forked from it, after a first line {"env", "cwd"} (the client's environment and
working directory; its stderr comes with the newline before it); the session answers
{"op": "session", "pid"} and goes on as under pipes. The server exits after IDLE seconds
without a session.

Scoring: every candidate's program runs in a process forked from the session, so a crash, hang,
exit or memory blow-up in its code fails only that candidate's examples; a process runs up to
jobs / cores examples at once, in threads.

Requests:
  {"op": "config", "lm": {"model", "api_base", "api_key", "num_retries", "kwargs"},
   "cache_dir", "jobs", "timeout_s", "memory_mb", "log"}            first; answered by
                                                                      {"op": "ready", "dspy": version}
  {"op": "candidate", "cid", "name", "source", "spec_dir", "program", "inputs", "outputs", "metric"}
  {"op": "example", "cid", "eid", "example": {field: value}}         answered by one result
  {"op": "drop", "cid"}                                              frees the candidate's processes
Responses:
  {"op": "result", "cid", "eid", "prediction", "trace", "usage", "error", "score", "feedback"}
  (score and feedback only for `python` and `judge` metrics; error is null or {code, message})

Reflection: a first line {"op": "reflect", …} makes the session reflect.py's (see there).
"""

import inspect
import json
import os
import selectors
import signal
import sys
import time
import traceback
import types

SECRET = []  # the API key, scrubbed from everything written


def scrub(text):
    for secret in SECRET:
        text = text.replace(secret, "[key]")
    return text


def log(message):
    sys.stderr.write(scrub(f"mkspy-score worker: {message}") + "\n")
    sys.stderr.flush()


def encode(obj):
    return scrub(json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)) + "\n"


def jsonable(value):
    """Plain JSON data for a prediction or trace value: Pydantic models are model_dump'ed."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if hasattr(value, "model_dump"):
        try:
            return jsonable(value.model_dump(mode="json"))
        except Exception:
            return str(value)
    if hasattr(value, "toDict"):
        return jsonable(value.toDict())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return str(value)


def error(code, message):
    return {"code": code, "message": scrub(str(message))[:2000]}


# ---------------------------------------------------------------------------------------
# The child: one candidate's program, one example at a time.

def lm_error_code(exc):
    """A short code for an exception raised while running a program."""
    names = [c.__name__ for c in type(exc).__mro__]
    for name, code in (("LMRateLimitError", "lm_rate_limit"), ("LMTimeoutError", "lm_timeout"),
                       ("LMServerError", "lm_server"), ("LMTransportError", "lm_unreachable"),
                       ("LMAuthError", "lm_auth"), ("LMBillingError", "lm_billing"),
                       ("ContextWindowExceededError", "lm_context_window"), ("LMError", "lm_error"),
                       ("AdapterParseError", "parse"), ("MemoryError", "memory"), ("SystemExit", "exit")):
        if name in names:
            return code
    return "program"


class TelemetryHooks:
    """The hooks of a DSPy callback that records every LM call of the current example, attributed to the
    predictor running it, and counts tool calls."""

    def __init__(self, names):
        self.names = names  # id(predictor) -> its name in the program
        self.stack = []
        self.open = {}
        self.calls = []

    def reset(self):
        self.stack, self.open, self.calls = [], {}, []

    def on_module_start(self, call_id, instance, inputs):
        self.stack.append(instance)

    def on_module_end(self, call_id, outputs, exception=None):
        if self.stack:
            self.stack.pop()

    def current(self):
        for instance in reversed(self.stack):
            if id(instance) in self.names:
                return self.names[id(instance)], getattr(getattr(instance, "signature", None), "__name__", "")
        return "", ""

    def on_lm_start(self, call_id, instance, inputs):
        module, signature = self.current()
        self.open[call_id] = (time.time(), len(getattr(instance, "history", [])), instance, module, signature)

    def on_lm_end(self, call_id, outputs, exception=None):
        started, seen, instance, module, signature = self.open.pop(call_id, (time.time(), 0, None, "", ""))
        history = getattr(instance, "history", [])
        entry = history[seen] if len(history) > seen else {}
        usage = entry.get("usage") or {}
        cached = bool(getattr(entry.get("response"), "cache_hit", False)) or (entry and not usage)
        self.calls.append({
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)) + f".{int(started * 1000) % 1000:03d}Z",
            "module": module, "signature": signature,
            "tokens_in": int(usage.get("prompt_tokens") or 0), "tokens_out": int(usage.get("completion_tokens") or 0),
            "latency_ms": round((time.time() - started) * 1000, 1), "cached": bool(cached),
            "cost": entry.get("cost"), "tool_calls": 0,
            "error_code": lm_error_code(exception) if exception is not None else None,
        })

    def on_tool_start(self, call_id, instance, inputs):
        if self.calls:
            self.calls[-1]["tool_calls"] += 1


def usage_of(calls):
    billed = [c for c in calls if not c["cached"] and c["error_code"] is None]
    costs = [c["cost"] for c in billed if isinstance(c["cost"], (int, float))]
    return {
        "lm_calls": len(calls), "cached_calls": sum(c["cached"] for c in calls),
        "failed_calls": sum(c["error_code"] is not None for c in calls),
        "tokens_in": sum(c["tokens_in"] for c in billed), "tokens_out": sum(c["tokens_out"] for c in billed),
        "latency_ms": round(sum(c["latency_ms"] for c in calls), 1),
        "cost": round(sum(costs), 8) if costs else None,
    }


def load_program(dspy, request):
    """The program instance defined by the candidate's source."""
    spec_dir = request.get("spec_dir") or os.getcwd()
    if spec_dir not in sys.path:
        sys.path.insert(0, spec_dir)
    name = "mkspy_candidate"
    module = types.ModuleType(name)
    module.__file__ = os.path.join(spec_dir, f"candidate_{request['cid']}.py")
    sys.modules[name] = module
    exec(compile(request["source"], module.__file__, "exec"), module.__dict__)
    classes = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, dspy.Module) and v.__module__ == name]
    wanted = request.get("program")
    chosen = next((c for c in classes if c.__name__ == wanted), None) or (classes[-1] if classes else None)
    if chosen is None:
        raise LookupError("the source defines no dspy.Module subclass")
    return chosen()


def load_metric(dspy, metric, spec_dir):
    """A function (gold, pred, trace, pred_name, pred_trace) for `python` and `judge` metrics; None otherwise."""
    kind = (metric or {}).get("kind")
    if kind == "python":
        import importlib.util
        path = os.path.join(spec_dir or os.getcwd(), metric["path"])
        spec = importlib.util.spec_from_file_location("mkspy_metric", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, metric["function"])
    if kind == "judge":
        class JudgeAnswer(dspy.Signature):
            """Judge a program's prediction against the rubric and the expected output. Give a score
            from 0.0 (useless) to 1.0 (fully meets the rubric) and feedback that names what is wrong."""
            rubric: str = dspy.InputField(desc="what a good answer does")
            inputs: str = dspy.InputField(desc="the program's inputs, as JSON")
            expected: str = dspy.InputField(desc="the reference outputs, as JSON")
            prediction: str = dspy.InputField(desc="the program's outputs, as JSON")
            score: float = dspy.OutputField(desc="from 0.0 to 1.0")
            feedback: str = dspy.OutputField(desc="one or two sentences that say what is right and what is wrong")

        judge = dspy.Predict(JudgeAnswer)

        def judge_metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
            dump = lambda d: json.dumps(jsonable(d), ensure_ascii=False, sort_keys=True)
            inputs = {k: gold[k] for k in gold.inputs().keys()}
            expected = {k: gold[k] for k in gold.labels().keys()}
            verdict = judge(rubric=metric["rubric"], inputs=dump(inputs), expected=dump(expected), prediction=dump(pred))
            return dspy.Prediction(score=verdict.score, feedback=verdict.feedback)

        judge_metric.predictor = judge
        return judge_metric
    return None


def call_metric(fn, arity, gold, pred, trace=None, pred_name=None, pred_trace=None):
    """(score in [0, 1], feedback) from a metric returning a number or Prediction(score, feedback)."""
    result = fn(*(gold, pred, trace, pred_name, pred_trace)[:arity])
    feedback = ""
    if isinstance(result, dict):
        score, feedback = result.get("score"), result.get("feedback", "")
    elif hasattr(result, "score"):
        score, feedback = result.score, getattr(result, "feedback", "") or ""
    else:
        score = result
    if isinstance(score, bool):
        score = float(score)
    if not isinstance(score, (int, float)) or score != score:
        raise TypeError(f"the metric returned {score!r}, not a number")
    if score < 0 or score > 1:
        feedback = (f"{feedback} " if feedback else "") + f"(the metric's score {score} was clamped to [0, 1])"
        score = min(max(score, 0.0), 1.0)
    return float(score), str(feedback)


def metric_arity(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 5
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 5
    return min(5, sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params))


def run_example(dspy, program, names, telemetry, lm, metric_fn, request, example):
    """Runs one example with this thread's LM and telemetry (both private to the thread)."""
    inputs = {k: example[k] for k in request["inputs"] if k in example}
    gold = dspy.Example(**example).with_inputs(*inputs.keys())
    result = {"prediction": None, "trace": [], "error": None}
    trace = []
    telemetry.reset()
    lm.history.clear()
    try:
        with dspy.context(lm=lm, callbacks=[telemetry], trace=trace):
            pred = program(**inputs)
        result["prediction"] = jsonable(pred if hasattr(pred, "toDict") or isinstance(pred, dict) else {"output": pred})
    except BaseException as exc:  # SystemExit too: only this example fails
        if isinstance(exc, KeyboardInterrupt):
            raise
        result["error"] = error(lm_error_code(exc), f"{type(exc).__name__}: {exc}")
        pred = None
    result["trace"] = [{"module": names.get(id(p), type(p).__name__),
                        "signature": getattr(getattr(p, "signature", None), "__name__", ""),
                        "inputs": jsonable(i), "outputs": jsonable(o)} for p, i, o in trace]
    if metric_fn is not None and pred is not None:
        try:
            with dspy.context(lm=lm, callbacks=[telemetry]):  # a judge calls the LM too
                arity = metric_arity(metric_fn)
                result["score"], result["feedback"] = call_metric(metric_fn, arity, gold, pred)
                if arity >= 5 and not hasattr(metric_fn, "predictor"):  # per-module feedback, as GEPA asks for it
                    for entry, (p, i, o) in zip(result["trace"], trace):
                        name = entry["module"]
                        own = [(q, j, r) for q, j, r in trace if q is p]
                        entry["score"], entry["feedback"] = call_metric(metric_fn, arity, gold, pred, trace, name, own)
        except Exception as exc:
            result["error"] = error("metric", f"{type(exc).__name__}: {exc}")
            result.pop("score", None)
            result.pop("feedback", None)
    result["calls"] = telemetry.calls
    result["usage"] = usage_of(telemetry.calls)
    return result


def child_main(config, request, rfd, wfd):
    """Loads the candidate once, then runs the examples it is sent in threads (as dspy.Evaluate
    does), each with an LM and telemetry of its thread's own, until its pipe closes."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the program's prints must not reach the protocol
    sys.stdout = sys.stderr
    out = os.fdopen(wfd, "w", buffering=1, encoding="utf-8")
    inp = os.fdopen(rfd, "r", encoding="utf-8")
    limit_memory(config.get("memory_mb"))
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import dspy

    load_error = None
    started = time.time()
    try:
        lm_config = config["lm"]
        kwargs = dict(lm_config.get("kwargs") or {})
        for key in ("api_base", "api_key"):
            if lm_config.get(key):
                kwargs[key] = lm_config[key]
        lm = dspy.LM(lm_config["model"], num_retries=int(lm_config.get("num_retries", 3)), **kwargs)
        program = load_program(dspy, request)
        names = {id(p): n for n, p in program.named_predictors()}
        metric_fn = load_metric(dspy, request.get("metric"), request.get("spec_dir"))
        if hasattr(metric_fn, "predictor"):
            names[id(metric_fn.predictor)] = "metric.judge"
        from dspy.utils.callback import BaseCallback
        telemetry_class = type("Telemetry", (TelemetryHooks, BaseCallback), {})
        dspy.configure(lm=lm)
        if os.environ.get("MKSPY_WORKER_DEBUG"):
            log(f"child {os.getpid()} ready in {time.time() - started:.3f} s, cpu {time.process_time():.3f} s")
    except BaseException as exc:
        load_error = error("load", f"{type(exc).__name__}: {exc}\n{''.join(traceback.format_exc(limit=-3))}")
    own = threading.local()  # each thread's LM (its history gives each call's usage) and telemetry
    writing = threading.Lock()

    def answer(job):
        if load_error:
            result = {"prediction": None, "trace": [], "error": load_error, "usage": usage_of([]), "calls": []}
        else:
            if not hasattr(own, "lm"):
                own.lm, own.telemetry = lm.copy(), telemetry_class(names)
            try:
                result = run_example(dspy, program, names, own.telemetry, own.lm, metric_fn, request, job["example"])
            except MemoryError:
                result = {"prediction": None, "trace": [], "usage": usage_of([]), "calls": [],
                          "error": error("memory", "the program ran out of memory")}
        result.update({"op": "result", "cid": job["cid"], "eid": job["eid"]})
        retire = bool(result.get("error")) and result["error"]["code"] == "memory"
        if retire:
            result["retire"] = True  # a process that hit its memory limit is not trusted with the next example
        with writing:
            out.write(encode(result))

    with ThreadPoolExecutor(max_workers=max(1, int(config.get("jobs") or 1))) as pool:
        for line in inp:
            pool.submit(answer, json.loads(line))
    os._exit(0)


def limit_memory(memory_mb):
    """Caps the child's address space at what it has now plus memory_mb."""
    if not memory_mb:
        return
    import resource
    size = 0
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    size = int(line.split()[1]) * 1024
    except OSError:
        pass
    limit = size + int(memory_mb) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:
        log(f"cannot limit memory: {exc}")


# ---------------------------------------------------------------------------------------
# The parent: reads requests, keeps at most `jobs` children, enforces timeouts.

class Child:
    """A candidate's process, running up to `jobs` of its examples at once."""

    def __init__(self, pid, cid, to_child, from_child):
        self.pid, self.cid = pid, cid
        self.to_child = to_child  # file
        self.from_child = from_child  # fd
        self.buffer = b""
        self.running = {}  # eid -> (job, deadline, started)
        self.retiring = False  # hit its memory limit: it finishes what it runs, and gets nothing new


class Worker:
    def __init__(self, config):
        self.config = config
        self.jobs = max(1, int(config.get("jobs") or 1))
        self.threads = -(-self.jobs // len(os.sched_getaffinity(0)))
        self.timeout = float(config.get("timeout_s") or 300)
        self.candidates = {}
        self.pending = []  # example requests not yet given to a child
        self.children = []
        self.selector = selectors.DefaultSelector()
        self.log_file = open(config["log"], "a", encoding="utf-8") if config.get("log") else None
        self.stdin_open = True

    def emit(self, obj):
        try:
            sys.stdout.write(encode(obj))
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):  # mkspy-score is gone: finish quietly
            self.stdin_open = False

    def fork(self, cid):
        request = self.candidates[cid]
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(down_w)
                os.close(up_r)
                for child in self.children:
                    os.close(child.from_child)
                    child.to_child.close()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                child_main(self.config, request, down_r, up_w)
            except BaseException:
                traceback.print_exc()
            os._exit(70)
        os.close(down_r)
        os.close(up_w)
        child = Child(pid, cid, os.fdopen(down_w, "w", buffering=1, encoding="utf-8"), up_r)
        self.children.append(child)
        self.selector.register(up_r, selectors.EVENT_READ, child)
        return child

    def remove(self, child, kill=False):
        if kill:
            try:
                os.kill(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.selector.unregister(child.from_child)
        os.close(child.from_child)
        try:
            child.to_child.close()
        except OSError:
            pass
        _, status = os.waitpid(child.pid, 0)
        self.children.remove(child)
        return status

    def stop(self, child):
        """Stops a process for an example's timeout: its other examples start again in a fresh
        one (every stop fails at least one example for its own timeout, so this ends)."""
        self.remove(child, kill=True)
        self.pending[:0] = [job for job, _, _ in child.running.values()]
        child.running.clear()

    def give(self, child, job):
        child.running[job["eid"]] = (job, time.time() + self.timeout, time.time())
        try:
            child.to_child.write(json.dumps(job) + "\n")
        except OSError:
            pass  # the child died; its end of file will report it

    def schedule(self):
        """Gives each pending example to the least busy of its candidate's processes that has a
        thread free; else starts one where there is room, or in place of a process with nothing
        to run. A process runs up to jobs / cores examples at once: threads share the work of
        the LM calls' waits, processes the work of the cores."""
        waiting = []
        for job in self.pending:
            own = [c for c in self.children if c.cid == job["cid"] and not c.retiring and len(c.running) < self.threads]
            child = min(own, key=lambda c: len(c.running), default=None)
            if child is None and len(self.children) >= self.jobs:
                spare = next((c for c in self.children if not c.running), None)
                if spare is not None:
                    self.remove(spare, kill=True)
            if child is None and len(self.children) < self.jobs:
                child = self.fork(job["cid"])
            if child is None:
                waiting.append(job)
            else:
                self.give(child, job)
        self.pending = waiting

    def fail(self, child, eid, code, message):
        _, _, started = child.running.pop(eid)
        self.emit({"op": "result", "cid": child.cid, "eid": eid, "prediction": None, "trace": [],
                   "error": error(code, message),
                   "usage": {"lm_calls": 0, "cached_calls": 0, "failed_calls": 0, "tokens_in": 0, "tokens_out": 0,
                             "latency_ms": round((time.time() - started) * 1000, 1), "cost": None}})

    def on_child_output(self, child):
        data = os.read(child.from_child, 1 << 16)
        if not data:
            status = self.remove(child)
            if os.WIFSIGNALED(status):
                why = f"the program's process was killed by signal {os.WTERMSIG(status)}"
                if os.WTERMSIG(status) == signal.SIGKILL:
                    why += " (out of memory?)"
            else:
                why = f"the program's process exited with status {os.WEXITSTATUS(status)} (os._exit or a crash)"
            for eid in list(child.running):
                self.fail(child, eid, "crash", why)
            return
        child.buffer += data
        while b"\n" in child.buffer:
            line, child.buffer = child.buffer.split(b"\n", 1)
            result = json.loads(line)
            calls = result.pop("calls", [])
            if self.log_file:
                for call in calls:
                    name = self.candidates.get(result["cid"], {}).get("name") or result["cid"]
                    call["correlation_id"] = f"{name}:{result['eid']}"
                    self.log_file.write(encode(call))
                self.log_file.flush()
            child.running.pop(result["eid"], None)
            if result.pop("retire", False):
                child.retiring = True
                child.to_child.close()  # it ends once its running examples have ended
            self.emit(result)

    def on_request(self, line):
        request = json.loads(line)
        op = request.get("op")
        if op == "candidate":
            self.candidates[request["cid"]] = request
        elif op == "example":
            if request["cid"] not in self.candidates:
                self.emit({"op": "result", "cid": request["cid"], "eid": request["eid"], "prediction": None,
                           "trace": [], "usage": None, "error": error("protocol", "unknown candidate")})
            else:
                self.pending.append(request)
        elif op == "drop":
            for child in [c for c in self.children if c.cid == request["cid"] and not c.running]:
                self.remove(child, kill=True)
            self.candidates.pop(request["cid"], None)
        elif op == "quit":
            self.stdin_open = False

    def check_deadlines(self):
        now = time.time()
        for child in list(self.children):
            # Examples started with the late one are late with it.
            late = [eid for eid, (_, deadline, _) in child.running.items() if deadline <= now + min(1.0, self.timeout / 10)]
            for eid in late:
                self.fail(child, eid, "timeout", f"the example took longer than {self.timeout:g} s")
            if late:
                self.stop(child)

    def feed(self, data):
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.strip():
                self.on_request(line)

    def busy(self):
        return self.pending or any(c.running for c in self.children)

    def run(self, buffer):
        self.buffer = b""
        self.feed(buffer)
        self.selector.register(0, selectors.EVENT_READ, None)
        self.schedule()
        while self.stdin_open or self.busy():
            deadlines = [deadline for c in self.children for _, deadline, _ in c.running.values()]
            timeout = max(0.0, min(deadlines) - time.time()) if deadlines else None
            for key, _ in self.selector.select(timeout):
                if key.data is None:
                    data = os.read(key.fd, 1 << 16)
                    if not data:
                        self.stdin_open = False
                        self.selector.unregister(key.fd)
                    self.feed(data)
                elif key.data in self.children:
                    self.on_child_output(key.data)
            self.check_deadlines()
            self.schedule()
        for child in list(self.children):
            self.remove(child, kill=True)


def read_line(buffer, read):
    """(the first line of buffer + what read() gives, the rest); (None, buffer) at the end of input."""
    while b"\n" not in buffer:
        data = read()
        if not data:
            return None, buffer
        buffer += data
    line, rest = buffer.split(b"\n", 1)
    return line, rest


def start_session(buffer):
    """Runs one session on fds 0 (requests) and 1 (responses): scoring, or reflection. Its first
    line is its config."""
    line, buffer = read_line(buffer, lambda: os.read(0, 1 << 16))  # fd 0 directly: select reads the rest
    if line is None:
        return
    config = json.loads(line)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])  # a parent may have left signals blocked
    keys = [(config.get("lm") or {}).get("api_key")]
    keys += [v for k, v in os.environ.items() if k.endswith(("_API_KEY", "_KEY", "_TOKEN"))]  # the provider's own variable
    SECRET.extend(sorted({k for k in keys if k and len(k) >= 6}, key=len, reverse=True))
    import dspy
    if config.get("cache_dir"):
        os.environ["DSPY_CACHEDIR"] = config["cache_dir"]
    use_lm_cache(dspy, lm_cache_dir(config))
    if config.get("op") == "reflect":
        import reflect
        return reflect.answer(config, buffer, SECRET)
    sys.stdout.write(encode({"op": "ready", "dspy": dspy.__version__}))
    sys.stdout.flush()
    Worker(config).run(buffer)


LM_CACHES = {}  # DSPy LM caches set up in this process, by directory and its inode (None: memory only)


def lm_cache_dir(config):
    """A session's LM cache directory: none (memory only) when its LM does not cache (cache=false)."""
    kwargs = (config.get("lm") or {}).get("kwargs") or {}
    return None if kwargs.get("cache") is False else config.get("cache_dir")


LM_CACHE_SHARDS = 2  # for a new directory; DSPy's own has 16 (see use_lm_cache)


def use_lm_cache(dspy, directory):
    """Makes DSPy's LM cache (its Cache: memory, then a diskcache FanoutCache) the one in
    `directory`. Setting a database shard up takes 5 to 10 ms, so it is done once per process and
    directory, and closed at once: every process forked from this one reconnects, in
    milliseconds, to the shards it uses. A new directory gets LM_CACHE_SHARDS shards rather than
    DSPy's 16 (~150 ms, paid by each run in a fresh directory; mkspy's writers are few); one that
    has shards keeps their number, so DSPy's own cache directories read as DSPy wrote them. A
    directory removed or replaced since is set up again (the shards' files would be gone)."""
    def identity():
        try:
            info = os.stat(directory)
            return directory, info.st_dev, info.st_ino
        except (OSError, TypeError):
            return directory
    cache = LM_CACHES.get(identity())
    if cache is None:
        from dspy.clients import DISK_CACHE_LIMIT, Cache
        cache = Cache(enable_disk_cache=False, enable_memory_cache=True, disk_cache_dir=directory)
        if directory:
            from diskcache import FanoutCache
            try:
                shards = sum(1 for name in os.listdir(directory) if name.isdigit() and len(name) == 3)
            except OSError:
                shards = 0
            cache.disk_cache = FanoutCache(directory=directory, shards=shards or LM_CACHE_SHARDS, timeout=10,
                                           size_limit=DISK_CACHE_LIMIT)
            cache.enable_disk_cache = True
            cache.disk_cache.close()
        if len(LM_CACHES) >= 16:
            LM_CACHES.pop(next(iter(LM_CACHES)))
        LM_CACHES[identity()] = cache
    dspy.cache = cache


def import_runtime():
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")  # no network fetch of model prices
    import logging
    logging.getLogger("dspy").setLevel(logging.ERROR)
    import dspy  # noqa: F401
    import reflect  # noqa: F401
    remember_model_info()
    warm_up(dspy)


def look_model_up(dspy, lm_config):
    """Looks a session's model up in the price map here, before the fork (see remember_model_info):
    else every process forked for it pays the first lookup (5 to 10 ms for a model the map does
    not know)."""
    try:
        from dspy.clients import capabilities, model_metadata
        route = capabilities.resolve(dspy.LM(lm_config["model"], api_base=lm_config.get("api_base"), cache=False))
        model_metadata.model_info(route.provider, route.model)
    except Exception:
        pass  # advisory, as DSPy's pricing is: the session reports what is wrong with the model


def remember_model_info():
    """DSPy looks the model up in its price map twice per LM call, and for a model the map does
    not know (a local or self-hosted model) each lookup scans the whole map: 2 to 3 ms of CPU a
    call. The map is loaded once per process and never changes, so each answer is kept."""
    import copy

    from dspy.clients import capabilities, costs, model_metadata
    lookup, known = model_metadata.model_info, {}

    def model_info(provider, model, *, namespaces=None):
        key = (provider, model, None if namespaces is None else tuple(namespaces))
        if key not in known:
            known[key] = lookup(provider, model, namespaces=namespaces)
        return copy.deepcopy(known[key])

    for module in (model_metadata, costs, capabilities):
        module.model_info = model_info


def warm_up(dspy):
    """Loads here, once, what DSPy loads on a process's first LM call (model prices, the call
    path's modules: 50 ms), so that no program's process pays for it: the price map, then one
    call that fails at once, to a loopback port that does not listen."""
    import socket
    try:
        from dspy.clients import model_metadata
        model_metadata.source_info()
    except Exception:
        pass
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))

    class WarmUp(dspy.Signature):
        question: str = dspy.InputField()
        answer: str = dspy.OutputField()

    lm = dspy.LM("openai/mkspy-warm-up", api_base=f"http://127.0.0.1:{closed.getsockname()[1]}/v1", api_key="-",
                 cache=False, num_retries=0)
    try:
        with dspy.context(lm=lm):
            dspy.Predict(WarmUp)(question="")
    except Exception:
        pass
    finally:
        closed.close()


# ---------------------------------------------------------------------------------------
# The runtime server: DSPy imported once per user and Python, a session forked per connection.

def serve(path, idle):
    """Listens on the Unix socket `path` and forks a session per connection; exits after `idle`
    seconds without a session, or when the socket file is no longer its own. Returns (status 0)
    once the socket listens, the server going on in the background; another server already
    listening there also counts."""
    import fcntl
    import socket
    lock = open(path + ".lock", "a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return 0
    except OSError:
        pass
    finally:
        probe.close()
    import_runtime()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    listener.bind(path)
    os.umask(mask)
    listener.listen(64)
    inode = os.stat(path).st_ino
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork():
        os._exit(0)
    os.setsid()
    lock.close()
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    # Nothing inherited stays open (the lock, and any pipe a parent of the client waits on).
    os.closerange(3, listener.fileno())
    os.closerange(listener.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
    installed = site_state()
    sessions, last = set(), time.time()
    while True:
        ready = selectors.DefaultSelector()
        ready.register(listener, selectors.EVENT_READ)
        events = ready.select(1.0)
        ready.close()
        while sessions:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                sessions.clear()
                break
            if pid == 0:
                break
            sessions.discard(pid)
            last = time.time()
        try:
            ours = os.stat(path).st_ino == inode
        except OSError:
            ours = False
        if not ours or site_state() != installed:  # replaced, removed, or packages changed: a new server serves
            break
        if events:
            conn, _ = listener.accept()
            try:
                hello, fds, rest = receive_hello(conn)
            except Exception:
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                try:
                    start_connection(conn, hello, fds, rest)
                except BaseException:
                    traceback.print_exc()
                os._exit(0)
            for fd in fds:
                os.close(fd)
            conn.close()
            sessions.add(pid)
            last = time.time()
        elif not sessions and time.time() - last > idle:
            break
    listener.close()
    if ours:
        os.unlink(path)
    os._exit(0)


def site_state():
    """The modification times of the import path: installing or removing a package changes them."""
    state = []
    for directory in sys.path:
        try:
            state.append(os.stat(directory or ".").st_mtime_ns)
        except OSError:
            state.append(None)
    return state


def receive_hello(conn):
    """Reads a client's first two lines: its environment, working directory and stderr (passed
    with the newline before them), and the session's config, whose LM cache is set up here, before
    the fork, so that sessions share the work. Returns (hello, fds, what follows the hello)."""
    import dspy
    import socket
    conn.settimeout(10)  # a client sends both at once
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
    hello, rest = read_line(data.lstrip(b"\n"), lambda: conn.recv(1 << 16))
    config, after = read_line(rest, lambda: conn.recv(1 << 16))
    if hello is None or config is None:
        raise EOFError("the client left before its first lines")
    conn.settimeout(None)
    settings = json.loads(config)
    use_lm_cache(dspy, lm_cache_dir(settings))
    look_model_up(dspy, settings.get("lm"))
    return json.loads(hello), fds, config + b"\n" + after


def start_connection(conn, hello, fds, rest):
    """A session on a connection: fds 0 and 1 become it, fd 2 the client's stderr, and the
    environment and working directory the client's; then the session runs as under pipes."""
    if fds:
        os.dup2(fds[0], 2)
        os.close(fds[0])
    os.dup2(conn.fileno(), 0)
    os.dup2(conn.fileno(), 1)
    conn.close()
    os.environ.clear()
    os.environ.update(hello.get("env") or {})
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")  # as under pipes: no network fetch of model prices
    os.chdir(hello.get("cwd") or "/")
    sys.stdout.write(encode({"op": "session", "pid": os.getpid()}))
    sys.stdout.flush()
    start_session(rest)


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(serve(sys.argv[2], float(sys.argv[3])))
    import_runtime()
    start_session(b"")


if __name__ == "__main__":
    main()
