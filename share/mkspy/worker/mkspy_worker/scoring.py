"""The scoring session's parent: reads requests, keeps at most `jobs` candidate processes, and
enforces each example's time limit."""

import json
import os
import select
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback

from .cache import lm_cache_dir
from .child import SharedMetric, child_main, program_directory
from .common import encode, error, log, usage_of
from .isolation import Sandbox, become_subreaper, end_children, exit_code, keeper

STARTUP_S = 120  # the most a fresh Python under bubblewrap may take to import DSPy


class Child:
    """A candidate's process, running up to `jobs` of its examples at once. `pid` is its keeper's
    (see isolation.py); what arrives on `from_child` is this candidate's, whatever it says."""

    def __init__(self, pid, cid, to_child, from_child, scratch):
        self.pid, self.cid = pid, cid
        self.to_child = to_child  # file
        self.from_child = from_child  # fd
        self.exited = os.pidfd_open(pid)  # readable once the keeper has exited
        self.scratch = scratch  # its writable directory under bubblewrap, else None
        # An unconfined fork is ready at once; a confined process says when it is in its sandbox
        # (a fresh Python, when it has also imported DSPy). Until then no program has run in it.
        self.ready = scratch is None
        self.forged = False
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
        self.calls = {}  # (cid, eid) -> {"done": [call, ...], "open": {call_id: call}}: what the child reported
        self.stdin_open = True
        self.sandbox = Sandbox(lm_cache_dir(config))
        self.metrics = {}  # a python metric's (metric, spec_dir, directory) as JSON -> its SharedMetric
        become_subreaper()  # what a killed keeper leaves comes to us, to be ended

    def emit(self, obj):
        try:
            sys.stdout.write(encode(obj))
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):  # mkspy-score is gone: finish quietly
            self.stdin_open = False

    def fork(self, cid):
        """Starts a process for the candidate: a keeper, forked from here, whose child runs the
        program (forked again, or under bubblewrap a fresh Python). Its pipes are its own: no
        other candidate's process holds them, and none of the session's descriptors stays open."""
        request = self.candidates[cid]
        self.sandbox.warn(log)
        fresh = self.sandbox.fresh
        metric = None if fresh else self.shared_metric(request)
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        scratch = tempfile.mkdtemp(prefix="mkspy-scratch-") if self.sandbox.bwrap else None
        confine = (lambda: self.sandbox.hold(scratch)) if scratch and not fresh else None
        session = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(down_w)
                os.close(up_r)
                for child in self.children:
                    os.close(child.from_child)
                    os.close(child.exited)
                    child.to_child.close()
                if self.log_file:
                    os.close(self.log_file.fileno())
                os.close(self.selector.fileno())
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                keeper(session, lambda: self.run_child(request, down_r, up_w, scratch if fresh else None, metric), (down_r, up_w), confine)
            except BaseException:
                traceback.print_exc()
            os._exit(70)
        os.close(down_r)
        os.close(up_w)
        child = Child(pid, cid, os.fdopen(down_w, "w", buffering=1, encoding="utf-8"), up_r, scratch)
        if fresh:  # a fresh Python learns its candidate from its first line
            child.to_child.write(json.dumps({"config": self.config, "request": request}) + "\n")
        self.children.append(child)
        self.selector.register(up_r, selectors.EVENT_READ, child)
        self.selector.register(child.exited, selectors.EVENT_READ, child)
        return child

    def run_child(self, request, rfd, wfd, fresh_scratch, metric):
        if fresh_scratch:
            os.set_inheritable(rfd, True)
            os.set_inheritable(wfd, True)
            os.execv(self.sandbox.bwrap, self.sandbox.command(rfd, wfd, fresh_scratch))
        child_main(self.config, request, rfd, wfd, metric)

    def shared_metric(self, request):
        """The candidate's python metric as this session loaded it (once), for a forked process
        to inherit; None for other kinds, which cost nothing to build."""
        metric = request.get("metric") or {}
        if metric.get("kind") != "python":
            return None
        directory = program_directory(request)  # first on sys.path in a candidate's process too
        key = json.dumps([metric, request.get("spec_dir"), directory], sort_keys=True)
        if key not in self.metrics:
            import dspy
            self.metrics[key] = SharedMetric(dspy, metric, request.get("spec_dir"), self.timeout, directory)
        return self.metrics[key]

    def remove(self, child, kill=False):
        """Ends a candidate's process and everything it started; reads what it wrote before it
        ended. Returns its keeper's wait status."""
        if kill:
            try:
                os.kill(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        elif not select.select([child.exited], [], [], 5)[0]:  # a keeper stopped by the program
            os.kill(child.pid, signal.SIGKILL)
        _, status = os.waitpid(child.pid, 0)
        try:
            os.killpg(child.pid, signal.SIGKILL)  # the keeper's session, whoever its members' parents are now
        except (ProcessLookupError, PermissionError):
            pass
        self.children.remove(child)
        end_children(keep={c.pid for c in self.children})  # the orphans of a keeper that was killed
        self.selector.unregister(child.from_child)
        self.selector.unregister(child.exited)
        os.close(child.exited)
        os.set_blocking(child.from_child, False)
        while True:  # every writer is gone: what is left in the pipe, then its end
            try:
                data = os.read(child.from_child, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            self.take(child, data)
        os.close(child.from_child)
        try:
            child.to_child.close()
        except OSError:
            pass
        if child.scratch:
            shutil.rmtree(child.scratch, ignore_errors=True)
        return status

    def stop(self, child, late):
        """Stops a process for the timeout of its `late` examples. What it wrote before it died
        is read first (a call that started or ended, an example that finished), so that every
        call counts. A late example waiting on the LM is the LM's failure, not the program's.
        Its other examples start again in a fresh process (every stop fails at least one
        example for its own timeout, so this ends)."""
        self.remove(child, kill=True)
        for eid in [eid for eid in late if eid in child.running]:
            if self.calls.get((child.cid, eid), {}).get("open"):
                self.close_calls(child.cid, eid, "lm_timeout")
                self.fail(child, eid, "lm_timeout", f"the example ran past --timeout {self.timeout:g} s while it waited on the LM")
            else:
                self.fail(child, eid, "timeout", f"the program took longer than --timeout {self.timeout:g} s")
        for eid in child.running:
            self.close_calls(child.cid, eid, "stopped")  # they were made, and count, though they are made again
        self.pending[:0] = [job for job, _, _ in child.running.values()]
        child.running.clear()

    def give(self, child, job):
        # Until a fresh Python is ready its start is not the example's time; it gets STARTUP_S more.
        limit = self.timeout + (0 if child.ready else STARTUP_S)
        child.running[job["eid"]] = (job, time.time() + limit, time.time())
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
        child.running.pop(eid)
        self.finish({"op": "result", "cid": child.cid, "eid": eid, "prediction": None, "trace": [],
                     "error": error(code, message)})

    def close_calls(self, cid, eid, code):
        """Ends the calls of an example still waiting on the LM when its process is stopped:
        each failed with `code`, as long as it ran."""
        state = self.calls.setdefault((cid, eid), {"done": [], "open": {}})
        now = time.time()
        for call in state["open"].values():
            call["error_code"] = code
            call["latency_ms"] = round((now - call.pop("started")) * 1000, 1)
            state["done"].append(call)
        state["open"] = {}

    def finish(self, result):
        """Sends an example's result with the usage of every call the child reported for it
        (those of its earlier, stopped attempts too), and writes them to the --log."""
        key = (result["cid"], result["eid"])
        self.close_calls(*key, (result.get("error") or {}).get("code") or "stopped")
        calls = self.calls.pop(key)["done"]
        if self.log_file and calls:
            name = self.candidates.get(result["cid"], {}).get("name") or result["cid"]
            for call in calls:
                call["correlation_id"] = f"{name}:{result['eid']}"
                self.log_file.write(encode(call))
            self.log_file.flush()
        result["usage"] = usage_of(calls)
        self.emit(result)

    def on_message(self, child, line):
        """A line from `child`: an LM call started, ended or called a tool, or a result. The
        candidate is the one whose pipe it came on, and the example one that candidate's process
        is running; anything else on the pipe is the program's doing, and is dropped."""
        try:
            message = json.loads(line)
            if message == {"op": "ready"} and not child.ready:  # once: the program cannot extend its limits
                child.ready = True
                now = time.time()
                child.running = {eid: (job, now + self.timeout, now) for eid, (job, _, _) in child.running.items()}
                return
            op = message.get("op")
            if op not in ("result", "lm_start", "lm_end", "lm_tool") or message.get("eid") not in child.running:
                raise ValueError("not an example this process runs")
            message["cid"] = child.cid
        except Exception:
            if not child.forged:
                child.forged = True
                name = self.candidates.get(child.cid, {}).get("name") or child.cid
                log(f"candidate {name}: its process wrote something on its result channel that is not the result of one of its examples; ignored")
            return
        if op == "result":
            child.running.pop(message["eid"])
            if message.pop("retire", False):
                child.retiring = True
                child.to_child.close()  # it ends once its running examples have ended
            self.finish(message)
            return
        state = self.calls.setdefault((child.cid, message["eid"]), {"done": [], "open": {}})
        if op == "lm_start":
            state["open"][message["call_id"]] = dict(message["call"], started=time.time())
        elif op == "lm_end":
            call = state["open"].pop(message["call_id"], None)
            if call is not None:
                call.pop("started")
                call.update(message["call"])
                state["done"].append(call)
        elif op == "lm_tool" and state["done"]:
            state["done"][-1]["tool_calls"] += 1

    def on_child_output(self, child):
        data = os.read(child.from_child, 1 << 16)
        if data:
            self.take(child, data)
        else:
            self.ended(child)

    def ended(self, child):
        """The candidate's process ended (its pipe closed, or its keeper exited): its running
        examples fail with why."""
        status = self.remove(child)  # reads first what it wrote: a "ready" before it died counts
        code = exit_code(status)
        if not child.ready:  # bubblewrap failed before the program loaded: not the candidate's doing
            for eid in list(child.running):
                self.fail(child, eid, "sandbox", f"the candidate's process ended (status {code}) before it was in its sandbox "
                          "(bubblewrap): see the messages above; the example stays wanted")
            return
        if os.WIFSIGNALED(status):
            why = f"the program's parent process was killed by signal {os.WTERMSIG(status)}, and the program with it"
        elif code > 128:
            why = f"the program's process was killed by signal {code - 128}"
            if code - 128 == signal.SIGKILL:
                why += " (out of memory?)"
        else:
            why = f"the program's process exited with status {code} (os._exit or a crash)"
        for eid in list(child.running):
            self.fail(child, eid, "crash", why)

    def take(self, child, data):
        child.buffer += data
        while b"\n" in child.buffer:
            line, child.buffer = child.buffer.split(b"\n", 1)
            self.on_message(child, line)

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
            if late:
                self.stop(child, late)

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
                    if key.fd == key.data.exited:
                        self.ended(key.data)
                    else:
                        self.on_child_output(key.data)
            self.check_deadlines()
            self.schedule()
        for child in list(self.children):
            self.remove(child, kill=True)
        if os.environ.get("MKSPY_WORKER_DEBUG"):
            t = os.times()
            log(f"session {os.getpid()}: cpu {t.user + t.system:.3f} s, its candidates' processes {t.children_user + t.children_system:.3f} s")
