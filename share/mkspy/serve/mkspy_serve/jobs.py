"""The jobs: one run directory each under --dir, one make process group each running the loop
of share/mkspy/mkspy.mk. Everything a job is lives in its directory (job.json, the tools'
files, events.jsonl), so a restarted server finds it there and resumes it from its archive."""

import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid

from . import payload

FINAL = ("done", "failed", "cancelled")
# The artifacts a request may name, and the file of the run directory each one is.
ARTIFACTS = {
    "best.py": ("best.py", "text/x-python; charset=utf-8"),
    "best.json": ("best.jsonl", "application/json"),
    "report.html": ("report.html", "text/html; charset=utf-8"),
    "archive.jsonl": ("archive.jsonl", "application/x-ndjson"),
    "log.jsonl": ("log.jsonl", "application/x-ndjson"),
}
JOB_ID = re.compile(r"^[0-9a-f]{16}$")
# Environment variables whose values are secrets: redacted from every event and log line.
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.I)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def write_json(path, value):
    """Replaces a file atomically: a crash leaves the old or the new one, never half."""
    tmp = f"{path}.{threading.get_ident()}.tmp"  # threads may save one job at once
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, sort_keys=True)
    os.replace(tmp, path)


class Job:
    def __init__(self, directory, state):
        self.dir = directory
        self.state = state  # what job.json holds
        self.process = None
        self.cancelling = False

    @property
    def id(self):
        return self.state["id"]

    def save(self):
        write_json(os.path.join(self.dir, "job.json"), self.state)

    def view(self):
        """What GET /jobs/{id} answers."""
        s = self.state
        progress = s.get("progress") or {}
        return {"id": s["id"], "status": s["status"], "kind": s["kind"], "name": s.get("name"),
                "metric_calls": progress.get("metric_calls", 0), "max_calls": s.get("max_calls"),
                "cost": progress.get("cost", 0.0), "max_cost": s.get("max_cost"), "best_val": progress.get("best_val"),
                "created": s["created"], "started": s.get("started"), "finished": s.get("finished"),
                "error": s.get("error")}


class Jobs:
    """The jobs of one --dir: at most `slots` run at once, the rest wait in order."""

    def __init__(self, root, slots, share, bin_dir, python):
        os.makedirs(root, exist_ok=True)
        # Resolved, as /proc shows a process's working directory.
        self.root = os.path.realpath(root)
        self.slots, self.share, self.bin, self.python = slots, share, bin_dir, python
        self.lock = threading.Lock()
        self.jobs = {}
        self.queue = []
        self.secrets = sorted({v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= 4}, key=len, reverse=True)
        self.load()

    # -- reading what is on disk

    def load(self):
        """Every job of --dir. A job whose loop still runs (the server was killed, its tools
        were not), or ended meanwhile, is followed again; one whose loop was killed is resumed
        first, its make reading the archive; queued ones wait again in order."""
        waiting = []
        for name in sorted(os.listdir(self.root)):
            path = os.path.join(self.root, name, "job.json")
            if not JOB_ID.match(name) or not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                job = Job(os.path.join(self.root, name), json.load(f))
            self.jobs[job.id] = job
            status = job.state["status"]
            ended = os.path.exists(os.path.join(job.dir, "exit-status"))  # while no server watched
            if status == "running" and (group_alive(job) or ended):
                self.event(job, {"event": "job", "status": "running", "reattached": True})
                threading.Thread(target=self.follow, args=(job,), daemon=True).start()
            elif status in ("running", "queued"):
                if status == "running":
                    trim_partial_line(os.path.join(job.dir, "archive.jsonl"))
                    job.state["resumed"] = job.state.get("resumed", 0) + 1
                job.state["status"] = "queued"
                job.save()
                waiting.append((status != "running", job.state["created"], job))
        self.queue = [job for _, _, job in sorted(waiting, key=lambda w: (w[0], w[1]))]

    def get(self, job_id):
        return self.jobs.get(job_id) if JOB_ID.match(job_id or "") else None

    def list(self):
        with self.lock:
            return [job.view() for job in sorted(self.jobs.values(), key=lambda j: j.state["created"])]

    # -- submitting, running, cancelling

    def submit(self, request):
        """Checks the request in a fresh directory and queues it; raises payload.Invalid."""
        job_id = uuid.uuid4().hex[:16]
        staging = os.path.join(self.root, f".new-{job_id}")
        os.makedirs(staging)
        try:
            variables = payload.prepare(request, staging, os.path.join(self.bin, "mkspy-spec"))
        except UnicodeError:  # JSON may carry lone surrogates, which no file can hold
            shutil.rmtree(staging, ignore_errors=True)
            raise payload.Invalid("body", "text that is not valid Unicode (a lone surrogate escape such as \\ud800)") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        name = (request.spec or {}).get("name") if request.spec is not None else None
        state = {"id": job_id, "status": "queued", "kind": "spec" if request.spec is not None else "program",
                 "name": name if isinstance(name, str) else None, "created": now(),
                 "max_calls": request.max_calls, "max_cost": request.max_cost, "lm": request.lm,
                 "reflection_lm": request.reflection_lm, "children": request.children, "seed": request.seed,
                 "test": bool(request.test), "variables": variables}
        directory = os.path.join(self.root, job_id)
        os.rename(staging, directory)
        job = Job(directory, state)
        job.save()
        self.event(job, {"event": "job", "status": "queued"})
        with self.lock:
            self.jobs[job_id] = job
            self.queue.append(job)
        self.schedule()
        return job

    def schedule(self):
        """Starts queued jobs while fewer than --jobs run."""
        with self.lock:
            running = sum(1 for j in self.jobs.values() if j.state["status"] == "running")
            starting = []
            while self.queue and running < self.slots:
                job = self.queue.pop(0)
                if job.state["status"] != "queued":
                    continue
                job.state["status"] = "running"
                job.state["started"] = job.state.get("started") or now()
                running += 1
                starting.append(job)
        for job in starting:
            self.start(job)

    def command(self, job):
        """The make command of the loop, as share/mkspy/demo.sh runs it, in the job's directory."""
        s, v = job.state, job.state["variables"]
        cost = f" --max-cost {s['max_cost']}" if s.get("max_cost") else ""
        return ["make", "-s", "-f", os.path.join(self.share, "mkspy.mk"), "mkspy",
                f"MKSPY_SHARE_DIR={self.share}", f"MKSPY_BIN={self.bin}/", "RUN=.", f"PYTHON={self.python}",
                f"SPEC={v['SPEC']}", f"SPEC_FLAGS={v.get('SPEC_FLAGS', '')}", "TRAIN=train.jsonl", "VAL=val.jsonl",
                f"TEST={'test.jsonl' if s.get('test') else ''}", f"MAX_CALLS={s.get('max_calls') or ''}",
                f"CHILDREN={s['children']}", f"SEED={s['seed']}",
                f"SCORE_FLAGS=--cache lm-cache --log log.jsonl", f"EVOLVE_FLAGS=--cache lm-cache{cost}"]

    def environment(self, job):
        env = dict(os.environ)
        env.pop("MKSPY_SERVE_TOKEN", None)  # the tools have no use for it
        env.update({"MKSPY_PROGRESS": "json", "MKSPY_PYTHON": self.python, "MKSPY_SHARE": self.share})
        if job.state.get("lm"):
            env["MKSPY_LM"] = job.state["lm"]
        if job.state.get("reflection_lm"):
            env["MKSPY_REFLECTION_LM"] = job.state["reflection_lm"]
        return env

    def start(self, job):
        """Runs the loop in its own process group (cancelling stops every tool of it), its
        output into the run directory's stderr.log, not a pipe: a server that dies takes no
        tool with it, and the next one follows the job on. The shell leaves make's status."""
        if os.path.exists(os.path.join(job.dir, "exit-status")):
            os.remove(os.path.join(job.dir, "exit-status"))
        script = '"$@"; echo $? > exit-status'
        try:
            with open(os.path.join(job.dir, "stderr.log"), "ab") as log:
                job.process = subprocess.Popen(["sh", "-c", script, "sh", *self.command(job)], cwd=job.dir, env=self.environment(job),
                                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            self.finish(job, "failed", f"cannot run make: {e}")
            return
        job.state["pgid"] = job.process.pid
        job.save()
        self.event(job, {"event": "job", "status": "running", "resumed": job.state.get("resumed", 0)})
        threading.Thread(target=self.follow, args=(job,), daemon=True).start()

    def follow(self, job):
        """Turns the loop's output into events as it comes (from where the last server left
        off), until its process group is gone; then the job is done, failed or cancelled."""
        raw = os.path.join(job.dir, "stderr.log")
        mark = os.path.join(job.dir, "stderr.offset")
        try:
            with open(mark, encoding="utf-8") as f:
                offset = int(f.read() or 0)
        except (OSError, ValueError):
            offset = 0
        last, buffer = "", b""
        with open(raw, "rb") as f:
            f.seek(offset)
            while True:
                chunk = f.read(65536)
                if chunk:
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        offset += len(line) + 1
                        said = self.convert(job, line)
                        # The failure's reason: a tool's last message over make's own.
                        if said and (not said.startswith("make:") or not last):
                            last = said
                    with open(mark + ".tmp", "w", encoding="utf-8") as m:
                        m.write(str(offset))
                    os.replace(mark + ".tmp", mark)
                    continue
                running = job.process.poll() is None if job.process else group_alive(job)
                if running:
                    time.sleep(0.1)
                    continue
                if f.read(1):  # written between the last read and the end: read on
                    f.seek(-1, os.SEEK_CUR)
                    continue
                break
        if job.cancelling is None:  # the server is stopping: the job stays running, to resume
            return
        stop_group(job.state.get("pgid"))  # nothing of a job outlives it
        try:
            with open(os.path.join(job.dir, "exit-status"), encoding="utf-8") as f:
                status = int(f.read().strip())
        except (OSError, ValueError):
            status = None
        if job.cancelling:
            self.finish(job, "cancelled", None)
        elif status == 0:
            self.finish(job, "done", None)
        else:
            # make's status, not a tool's (DESIGN's exit codes): the tool's own words follow.
            why = f"the loop failed (make exited {status})" if status is not None else "the loop was killed"
            self.finish(job, "failed", why + (f": {last}" if last else ""))

    def convert(self, job, raw):
        """One line of the tools' output as an event: their JSON progress as it is, any other
        line (a diagnostic: the job's log) as a log event. Returns the text of a log line."""
        text = self.redact(raw.decode("utf-8", "replace").rstrip("\r"))
        if not text.strip():
            return None
        try:
            event = json.loads(text)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            # "mkspy-score: …", "make: …"; a line that names no program (a DSPy warning) has tool null.
            tool, _, message = text.partition(": ")
            named = bool(message) and re.fullmatch(r"[\w.-]+", tool) is not None
            self.event(job, {"event": "log", "tool": tool if named else None, "message": message if named else text})
            return text
        if event.get("tool") == "mkspy-evolve" and event.get("event") in ("step", "stop"):
            progress = {k: event.get(k) for k in ("metric_calls", "cost", "best_val")}
            if progress["best_val"] is None:
                progress["best_val"] = (job.state.get("progress") or {}).get("best_val")
            job.state["progress"] = progress
            job.save()  # a restarted server shows it too
        self.event(job, event)
        return None

    def finish(self, job, status, error):
        self.event(job, {"event": "job", "status": status, **({"error": error} if error else {})})
        with self.lock:
            job.state.update({"status": status, "finished": now(), "error": error})
            job.state.pop("pgid", None)
            job.save()
        self.schedule()

    def cancel(self, job):
        """Stops a job's tools by their process group; its files stay. False when it had ended."""
        with self.lock:
            status = job.state["status"]
            if status in FINAL:
                return False
            if status == "queued":
                if job in self.queue:
                    self.queue.remove(job)
                self.event(job, {"event": "job", "status": "cancelled"})
                job.state.update({"status": "cancelled", "finished": now()})
                job.save()
                return True
            job.cancelling = True
        stop_group(job.state.get("pgid"), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while job.state["status"] not in FINAL and time.monotonic() < deadline:
            time.sleep(0.05)
        if job.state["status"] not in FINAL:
            stop_group(job.state.get("pgid"))
        # The tools' scoring sessions and the candidates' processes live outside the group (the
        # runtime server forks the sessions; each candidate has a session of its own): they end
        # once their tool is gone; what has not within 5 s is killed.
        deadline = time.monotonic() + 5
        while processes_in(job.dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in processes_in(job.dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return True

    def shutdown(self):
        """The server stops: running jobs stop with it and stay `running` on disk, to resume."""
        for job in list(self.jobs.values()):
            if job.state["status"] == "running":
                job.cancelling = None  # neither cancelled nor failed: follow() must not finish it
                stop_group(job.state.get("pgid"))

    # -- events

    def redact(self, text):
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def event(self, job, event):
        if job.cancelling is None:
            return
        line = json.dumps({"time": now(), **event}, sort_keys=True, ensure_ascii=False)
        with open(os.path.join(job.dir, "events.jsonl"), "a", encoding="utf-8") as f:
            f.write(line + "\n")


def stop_group(pgid, sig=signal.SIGKILL):
    if not pgid:
        return
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(job):
    """Whether the job's process group still runs: some process of that group works in the
    job's directory (so a process group id reused by another program does not count)."""
    pgid = job.state.get("pgid")
    return bool(pgid) and pgid in processes_in(job.dir).values()


def processes_in(directory):
    """The live processes working in `directory` or below it: {pid: process group id}."""
    directory = os.path.realpath(directory)
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] == "Z":
                continue
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except (OSError, IndexError):
            continue
        if cwd == directory or cwd.startswith(directory + "/"):
            found[int(pid)] = int(fields[2])
    return found


def trim_partial_line(path):
    """Drops a last line cut short by a kill, so the resumed loop appends whole records."""
    try:
        with open(path, "rb+") as f:
            data = f.read()
            end = data.rfind(b"\n") + 1
            if end != len(data):
                f.truncate(end)
    except FileNotFoundError:
        pass
