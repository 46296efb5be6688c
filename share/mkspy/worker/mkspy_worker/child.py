"""A candidate's process: loads its program once, then runs the examples it is sent in threads,
each with an LM and telemetry of its own."""

import inspect
import json
import os
import sys
import time
import traceback
import types

from .common import CODES, build_lm, describe, encode, error, error_code, is_provider, jsonable, log
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
    """The hooks of a DSPy callback that report every LM call of the current example to the
    parent as it starts and as it ends, attributed to the predictor running it, and its tool
    calls. Reported as they happen, the calls of an example the parent stops still count."""

    def __init__(self, names, send):
        self.names = names  # id(predictor) -> its name in the program
        self.send = send  # writes one message to the parent
        self.job = {}
        self.stack = []
        self.open = {}

    def reset(self, job):
        self.job = {"cid": job["cid"], "eid": job["eid"]}
        self.stack, self.open = [], {}

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
        started = time.time()
        self.open[call_id] = (started, len(getattr(instance, "history", [])), instance)
        self.send({"op": "lm_start", **self.job, "call_id": call_id, "call": call_record(started, module, signature)})

    def on_lm_end(self, call_id, outputs, exception=None):
        started, seen, instance = self.open.pop(call_id, (time.time(), 0, None))
        history = getattr(instance, "history", [])
        entry = history[seen] if len(history) > seen and exception is None else {}
        usage = entry.get("usage") or {}
        cached = bool(getattr(entry.get("response"), "cache_hit", False)) or bool(entry and not usage)
        self.send({"op": "lm_end", **self.job, "call_id": call_id, "call": {
            "tokens_in": int(usage.get("prompt_tokens") or 0), "tokens_out": int(usage.get("completion_tokens") or 0),
            "latency_ms": round((time.time() - started) * 1000, 1), "cached": cached, "cost": entry.get("cost"),
            "error_code": error_code(exception) if exception is not None
            else None if any(has_text(o) for o in outputs or []) else "lm_malformed",  # see retrying
        }})

    def on_tool_start(self, call_id, instance, inputs):
        self.send({"op": "lm_tool", **self.job})


def call_record(started, module, signature):
    """A --log line of a call that has started: what its end fills in is not known yet."""
    return {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)) + f".{int(started * 1000) % 1000:03d}Z",
            "module": module, "signature": signature, "tokens_in": 0, "tokens_out": 0, "latency_ms": 0.0,
            "cached": False, "cost": None, "tool_calls": 0, "error_code": None}


RETRY_BASE_S, RETRY_CAP_S = 0.5, 30.0


class MetricLoadError(Exception):
    """The task's metric did not load."""


class EmptyReply(Exception):
    """A reply that holds no completion."""


def has_text(output):
    """Whether one of an LM call's outputs holds an answer: text, or tool calls."""
    if isinstance(output, dict):
        return bool(output.get("text") or output.get("tool_calls"))
    return bool(output)


def retrying(lm, retries):
    """The LM, made to try each call again up to `retries` times when the provider fails in a
    way that may pass (mkspy's retried codes), after an exponential backoff with jitter, or the
    provider's Retry-After when longer. Each attempt is an LM call of its own in the telemetry,
    and DSPy's own retries are off (num_retries=0), so that every request sent is counted. A
    reply with no text at all (a 200 whose body holds no completion) is lm_malformed, and its
    retry bypasses the cache, which keeps it. The provider's failure that outlasts the retries
    is kept in `provider_failure`: the example is then not the candidate's to answer for, even
    if its program caught the exception."""
    import random
    base = type(lm)

    class RetryingLM(base):
        def __call__(self, *args, **kwargs):
            for attempt in range(retries + 1):
                try:
                    outputs = base.__call__(self, *args, **kwargs)
                    if not any(has_text(o) for o in outputs or []):
                        raise EmptyReply("the LM's reply holds no completion (no choices, or no text)")
                    return outputs
                except Exception as exc:
                    code = "lm_malformed" if isinstance(exc, EmptyReply) else error_code(exc)
                    if not is_provider(code):
                        raise
                    if code not in CODES.get("retried_codes", ()) or attempt == retries:
                        self.provider_failure = error(code, f"{type(exc).__name__}: {exc}"
                                                      + (f" (after {attempt + 1} attempts)" if attempt else ""))
                        raise
                    if isinstance(exc, EmptyReply):
                        kwargs["cache"] = False
                    hint = getattr(exc, "retry_after", None)
                    delay = min(RETRY_CAP_S, RETRY_BASE_S * 2 ** attempt) * random.uniform(0.5, 1.0)
                    if isinstance(hint, (int, float)) and hint == hint:
                        delay = max(delay, min(float(hint), 60.0))
                    time.sleep(delay)

    lm.__class__ = RetryingLM
    lm.provider_failure = None
    return lm


def program_directory(request):
    """The directory a candidate's process puts first on sys.path: its user's program's, else its spec's."""
    path = request.get("program_path")
    return os.path.dirname(path) if path else request.get("spec_dir") or os.getcwd()


def load_program(dspy, request):
    """The program instance defined by the candidate's source."""
    if request.get("program_path"):
        return load_user_program(dspy, request)
    spec_dir = program_directory(request)
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


def load_user_program(dspy, request):
    """A user's program, built as its own code builds it: the file imported under its own name
    with its directory first on sys.path, the class called with --program-arg's keywords, the
    candidate's state applied with load_state, and its named_predictors() checked against the
    spec's. Any failure here is the file's or the arguments', never a candidate's."""
    path = request["program_path"]
    directory = program_directory(request)
    if directory in sys.path:
        sys.path.remove(directory)
    sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules:  # a file named like a module already imported (types.py) must not replace it
        name = f"mkspy_program_{name}"
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    try:
        code = compile(request["source"], path, "exec")
    except SyntaxError as exc:
        raise SyntaxError(f"{path}:{exc.lineno}: {exc.msg}") from None
    exec(code, module.__dict__)
    cls = module.__dict__.get(request["program"])
    if not (isinstance(cls, type) and issubclass(cls, dspy.Module)):
        raise LookupError(f"{path} defines no dspy.Module subclass {request['program']}")
    arguments = request.get("program_args") or {}
    try:
        program = cls(**arguments)
    except TypeError as exc:
        given = ", ".join(f"{k}={v!r}" for k, v in arguments.items()) or "no arguments"
        raise TypeError(f"{request['program']}({given}) failed: {exc}; give the constructor's arguments "
                        "with mkspy-score --program-arg NAME=VALUE") from None
    names = [n for n, _ in program.named_predictors()]
    expected = request.get("predictors") or []
    if names != expected:
        raise LookupError(f"{request['program']}'s named_predictors() are {names}, but the spec read {expected}; "
                          "the program builds other predictors at run time than static reading found")
    state = dict(request.get("state") or {})
    state.pop("metadata", None)
    program.load_state(state)
    return program


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


class SharedMetric:
    """A python metric loaded once by the scoring session, before it forks its candidates'
    processes: importing the metric's module (and what it imports) in each would cost every
    candidate that time again. The metric is the task's code, not a candidate's; a module that
    fails to load, or takes longer than `limit_s`, fails in each process as it would there."""

    def __init__(self, dspy, metric, spec_dir, limit_s, directory):
        import signal

        def late(signum, frame):
            raise TimeoutError(f"importing the metric took longer than {limit_s:g} s")
        previous = signal.signal(signal.SIGALRM, late)
        signal.setitimer(signal.ITIMER_REAL, limit_s)
        sys.path.insert(0, directory)  # first on the path, as in a candidate's process (see load_program)
        try:
            self.fn, self.exc = load_metric(dspy, metric, spec_dir), None
        except (Exception, SystemExit) as exc:  # a module that calls sys.exit fails its examples, not the session
            self.fn, self.exc = None, exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            sys.path.remove(directory)

    def load(self):
        if self.exc is not None:
            raise self.exc
        return self.fn


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


def run_example(dspy, program, names, telemetry, lm, metric_fn, request, job):
    """Runs one example with this thread's LM and telemetry (both private to the thread)."""
    example = job["example"]
    inputs = {k: example[k] for k in request["inputs"] if k in example}
    gold = dspy.Example(**example).with_inputs(*inputs.keys())
    result = {"prediction": None, "trace": [], "error": None}
    trace = []
    telemetry.reset(job)
    lm.history.clear()
    lm.provider_failure = None
    try:
        with dspy.context(lm=lm, callbacks=[telemetry], trace=trace):
            pred = program(**inputs)
        result["prediction"] = jsonable(pred if hasattr(pred, "toDict") or isinstance(pred, dict) else {"output": pred})
    except BaseException as exc:  # SystemExit too: only this example fails
        if isinstance(exc, KeyboardInterrupt):
            raise
        result["error"] = error(error_code(exc), describe(exc))
        pred = None
    result["trace"] = [{"module": names.get(id(p), type(p).__name__),
                        "signature": signature_name(p),
                        "inputs": jsonable(i), "outputs": jsonable(o)} for p, i, o in trace]
    if metric_fn is not None and pred is not None and lm.provider_failure is None:
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
    if lm.provider_failure is not None:  # whatever the program made of it, the provider failed
        result["error"] = lm.provider_failure
        result.pop("score", None)
        result.pop("feedback", None)
    return result


def child_main(config, request, rfd, wfd, metric=None):
    """Loads the candidate once, then runs the examples it is sent in threads (as dspy.Evaluate
    does), each with an LM and telemetry of its thread's own, until its pipe closes. `metric`,
    a SharedMetric, is the metric its session loaded already."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the program's prints must not reach the protocol
    sys.stdout = sys.stderr
    out = os.fdopen(wfd, "w", buffering=1, encoding="utf-8")
    inp = os.fdopen(rfd, "r", encoding="utf-8")
    become_subreaper()  # what the program starts stays ours to end, even if it daemonizes
    limit_memory(config.get("memory_mb"))
    threads_inherit_context()
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import dspy

    writing = threading.Lock()

    def send(message):
        with writing:
            out.write(encode(message))

    load_error = None
    started = time.time()
    try:
        # The LM's timeout is how long to wait, not what to ask: left out of the cache key, as
        # DSPy leaves out the key and base URL, so that --lm-timeout never makes a pair paid twice.
        from dspy.clients import execution
        if "timeout" not in execution.IGNORED_CACHE_KEYS:
            execution.IGNORED_CACHE_KEYS.append("timeout")
        lm = retrying(build_lm(dspy, config["lm"], num_retries=0), int(config["lm"].get("num_retries", 3)))
        program = load_program(dspy, request)
        names = {id(p): n for n, p in program.named_predictors()}
        try:
            metric_fn = metric.load() if metric else load_metric(dspy, request.get("metric"), request.get("spec_dir"))
        except (Exception, SystemExit) as exc:  # the task's metric, not the candidate's doing: its examples stay wanted
            raise MetricLoadError(f"the metric did not load: {type(exc).__name__}: {exc}") from exc
        if hasattr(metric_fn, "predictor"):
            names[id(metric_fn.predictor)] = "metric.judge"
        from dspy.utils.callback import BaseCallback
        telemetry_class = type("Telemetry", (TelemetryHooks, BaseCallback), {})
        dspy.configure(lm=lm)
        if os.environ.get("MKSPY_WORKER_DEBUG"):
            log(f"child {os.getpid()} ready in {time.time() - started:.3f} s, cpu {time.process_time():.3f} s")
    except MetricLoadError as exc:
        load_error = error("metric", str(exc))
    except BaseException as exc:
        load_error = error("load", f"{type(exc).__name__}: {exc}\n{''.join(traceback.format_exc(limit=-3))}")
    own = threading.local()  # each thread's LM (its history gives each call's usage) and telemetry
    running = [0]  # examples given and not yet answered: at 0, what they started is ended

    def answer(job):
        if load_error:
            result = {"prediction": None, "trace": [], "error": load_error}
        else:
            if not hasattr(own, "lm"):
                own.lm, own.telemetry = lm.copy(), telemetry_class(names, send)
            try:
                result = run_example(dspy, program, names, own.telemetry, own.lm, metric_fn, request, job)
            except MemoryError:
                result = {"prediction": None, "trace": [], "error": error("memory", "the program ran out of memory")}
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


def threads_inherit_context():
    """Threads and thread pools a program starts run in the context of the example that
    started them, as dspy.Parallel's do: its LM, telemetry and trace (dspy.context is a
    ContextVar, which a new thread does not inherit). Else their LM calls would be nobody's:
    not counted, not in the budget, and a provider's failure in them charged to the program."""
    import contextvars
    import threading
    from concurrent import futures
    start, bootstrap, submit = threading.Thread.start, threading.Thread._bootstrap_inner, futures.ThreadPoolExecutor.submit

    def started(self):
        self._mkspy_context = contextvars.copy_context()
        return start(self)

    def bootstrapped(self):
        context = getattr(self, "_mkspy_context", None)
        return context.run(bootstrap, self) if context is not None else bootstrap(self)

    def submitted(self, fn, /, *args, **kwargs):
        return submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    threading.Thread.start, threading.Thread._bootstrap_inner = started, bootstrapped
    futures.ThreadPoolExecutor.submit = submitted


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
