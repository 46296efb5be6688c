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

Scoring: every candidate's program runs in a process of its own under a keeper of its own (see
isolation.py), so a crash, hang, exit, memory blow-up, leftover process or killed parent fails
only that candidate's examples, and its results are attributed by the pipe they came on; where
bubblewrap is installed the process runs in it. A process runs up to jobs / cores examples at
once, in threads.

Requests:
  {"op": "config", "lm": {"model", "api_base", "api_key", "num_retries", "kwargs"},
   "cache_dir", "jobs", "timeout_s", "memory_mb", "log", "error_codes": [[class, code], …]}            first; answered by
                                                                      {"op": "ready", "dspy": version}
  {"op": "candidate", "cid", "name", "source", "spec_dir", "program", "inputs", "outputs", "metric"}
  {"op": "example", "cid", "eid", "example": {field: value}}         answered by one result
  {"op": "drop", "cid"}                                              frees the candidate's processes
Responses:
  {"op": "result", "cid", "eid", "prediction", "trace", "usage", "error", "score", "feedback"}
  (score and feedback only for `python` and `judge` metrics; error is null or {code, message})

Reflection: a first line {"op": "reflect", …} makes the session reflect.py's (see there).

The code is the package mkspy_worker: common (keys, JSON Lines, error codes, the dspy.LM builder),
session (a session's start), scoring (the parent: processes and time limits), child (a candidate's
process), isolation (keepers, subreapers, bubblewrap), cache (DSPy's LM cache and model lookups), server (the runtime server), reflect.
"""

import os
import sys


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from mkspy_worker.server import serve
    from mkspy_worker.session import import_runtime, start_session
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(serve(sys.argv[2], float(sys.argv[3])))
    import_runtime()
    start_session(b"")


if __name__ == "__main__":
    main()
