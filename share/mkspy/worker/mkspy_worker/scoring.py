"""The scoring session's parent: reads requests, keeps at most `jobs` candidate processes, and
enforces each example's time limit."""

import json
import os
import selectors
import signal
import sys
import time
import traceback

from .child import child_main
from .common import encode, error, usage_of

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
        self.calls = {}  # (cid, eid) -> {"done": [call, ...], "open": {call_id: call}}: what the child reported
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

    def remove(self, child, kill=False, status=None):
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
        if status is None:
            _, status = os.waitpid(child.pid, 0)
        self.children.remove(child)
        return status

    def stop(self, child, late):
        """Stops a process for the timeout of its `late` examples. What it wrote before it died
        is read first (a call that started or ended, an example that finished), so that every
        call counts. A late example waiting on the LM is the LM's failure, not the program's.
        Its other examples start again in a fresh process (every stop fails at least one
        example for its own timeout, so this ends)."""
        try:
            os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(child.pid, 0)
        os.set_blocking(child.from_child, False)  # a process it left may hold the pipe open
        try:
            while data := os.read(child.from_child, 1 << 16):
                self.take(child, data)
        except BlockingIOError:
            pass
        for eid in [eid for eid in late if eid in child.running]:
            if self.calls.get((child.cid, eid), {}).get("open"):
                self.close_calls(child.cid, eid, "lm_timeout")
                self.fail(child, eid, "lm_timeout", f"the example ran past --timeout {self.timeout:g} s while it waited on the LM")
            else:
                self.fail(child, eid, "timeout", f"the program took longer than --timeout {self.timeout:g} s")
        self.remove(child, status=status)
        for eid in child.running:
            self.close_calls(child.cid, eid, "stopped")  # they were made, and count, though they are made again
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

    def on_message(self, child, message):
        """A message of a child: an LM call started, ended or called a tool; or a result."""
        op = message.get("op")
        if op == "result":
            if message["eid"] in child.running:
                child.running.pop(message["eid"])
                if message.pop("retire", False):
                    child.retiring = True
                    child.to_child.close()  # it ends once its running examples have ended
                self.finish(message)
            return
        state = self.calls.setdefault((message.get("cid"), message.get("eid")), {"done": [], "open": {}})
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
        self.take(child, data)

    def take(self, child, data):
        child.buffer += data
        while b"\n" in child.buffer:
            line, child.buffer = child.buffer.split(b"\n", 1)
            self.on_message(child, json.loads(line))

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
                    self.on_child_output(key.data)
            self.check_deadlines()
            self.schedule()
        for child in list(self.children):
            self.remove(child, kill=True)
