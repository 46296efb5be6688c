"""A candidate's process: loads its program once, then runs the examples it is sent in threads,
each with an LM and telemetry of its own."""

import inspect
import json
import os
import sys
import time
import traceback
import types

from .common import build_lm, encode, error, error_code, jsonable, log
from .isolation import become_subreaper, end_children

def signature_name(predictor):
    """A predictor's signature as a person knows it: its class name, or for a string signature
    (which DSPy names StringSignature) the string itself, "question -> answer"."""
    signature = getattr(predictor, "signature", None)
    name = getattr(signature, "__name__", "")
    if name == "StringSignature":
        return getattr(signature, "signature", name)
    return name


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
        """(the named predictor running, or "" for one built on the fly; the signature of the
        innermost predictor running)."""
        module = next((self.names[id(i)] for i in reversed(self.stack) if id(i) in self.names), "")
        signature = next((signature_name(i) for i in reversed(self.stack) if hasattr(i, "signature")), "")
        return module, signature

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
            "error_code": error_code(exception) if exception is not None else None,
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
        result["error"] = error(error_code(exc), f"{type(exc).__name__}: {exc}")
        pred = None
    result["trace"] = [{"module": names.get(id(p), type(p).__name__),
                        "signature": signature_name(p),
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
    become_subreaper()  # what the program starts stays ours to end, even if it daemonizes
    limit_memory(config.get("memory_mb"))
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import dspy

    load_error = None
    started = time.time()
    try:
        lm = build_lm(dspy, config["lm"])
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
    running = [0]  # examples given and not yet answered: at 0, what they started is ended

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
            running[0] -= 1
            if running[0] == 0:  # before its last result, and under the lock: no example starts meanwhile
                end_children()
            out.write(encode(result))

    with ThreadPoolExecutor(max_workers=max(1, int(config.get("jobs") or 1))) as pool:
        for line in inp:
            with writing:
                running[0] += 1
            pool.submit(answer, json.loads(line))
    os._exit(0)


def exec_main(rfd, wfd):
    """The child as a fresh Python (under bubblewrap, see isolation.py): it sets up what a forked
    child inherits from its session, from its first line {"config", "request"}, then runs as one."""
    first = b""
    while not first.endswith(b"\n"):
        byte = os.read(rfd, 1)  # one at a time: the rest of the pipe is child_main's
        if not byte:
            os._exit(70)
        first += byte
    os.set_inheritable(rfd, False)
    os.set_inheritable(wfd, False)
    setup = json.loads(first)
    from .cache import lm_cache_dir, use_lm_cache
    from .common import remember_secrets
    from .session import import_runtime
    remember_secrets(setup["config"])
    import_runtime()
    import dspy
    use_lm_cache(dspy, lm_cache_dir(setup["config"]))
    os.write(wfd, b'{"op":"ready"}\n')  # the examples' time limits start now, not at the exec
    child_main(setup["config"], setup["request"], rfd, wfd)


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
