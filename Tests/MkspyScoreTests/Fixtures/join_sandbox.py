"""Joins a sandbox bubblewrap set up, as a candidate's process does (isolation.Sandbox.hold), and
prints what the process inside sees: IsolationTests runs it as an unprivileged user, the path
most users take (bwrap then makes a user namespace). argv[1]: the directory of isolation.py."""

import json
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
import isolation  # noqa: E402

bwrap = isolation.shutil.which("bwrap")
out = {"uid": os.getuid(), "joins": isolation.Sandbox.joins(bwrap)}
if out["joins"]:
    scratch = tempfile.mkdtemp()
    r, w = os.pipe()
    keeper = os.fork()
    if keeper == 0:
        isolation.become_subreaper()
        enter = isolation.Sandbox(None, bwrap).hold(scratch)
        child = os.fork()
        if child == 0:
            enter()
            try:
                open(os.path.join(os.path.dirname(scratch), "escaped"), "w").close()
                wrote_outside = True
            except OSError:
                wrote_outside = False
            with open(os.path.join(scratch, "ok"), "w") as f:
                f.write("ok")
            os.write(w, json.dumps({
                "ppid": os.getppid(), "seen": sum(name.isdigit() for name in os.listdir("/proc")),
                "caps": [line.split()[1] for line in open("/proc/self/status") if line.startswith(("CapEff", "CapPrm", "CapBnd"))],
                "wrote_outside": wrote_outside, "tmpdir": os.environ.get("TMPDIR") == scratch}).encode())
            os._exit(0)
        os.waitpid(child, 0)
        isolation.end_children()
        os._exit(0)
    os.close(w)
    out["inside"] = json.loads(os.read(r, 1 << 16) or b"{}")
    os.waitpid(keeper, 0)
    out["scratch_written"] = os.path.exists(os.path.join(scratch, "ok"))
print(json.dumps(out))
