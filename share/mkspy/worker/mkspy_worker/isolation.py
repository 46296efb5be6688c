"""What keeps a candidate's code inside its own examples: its processes end with it, its parent
is expendable, and where bubblewrap is installed its writes stay in a scratch directory.

The tree of a candidate process (see scoring.Worker.fork):

    session (subreaper) ── keeper (subreaper, own session) ── child: the program, in threads
                                                                (subreaper of what it starts)

A subreaper adopts the orphans of its descendants, so a process the program starts, even one that
double-forks into a session of its own, stays in the tree, and `end_children` ends it: the child
when it has no example running, the keeper when the child ends, the session when the keeper ends.
The keeper is the program's parent (os.getppid()): killing it ends only this candidate's process.
With bubblewrap the child runs in a PID namespace of its own (it sees none of ours, and its parent
there is bubblewrap's init, which it cannot kill), on a read-only view of the file system.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)


def become_subreaper():
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(parent):
    """SIGKILL when the parent that forked us dies (and at once if it already has)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def children():
    """This process's children, zombies included: each thread's list in /proc (a child belongs to
    the thread that forked it), else, where the kernel keeps no such list, a scan of /proc."""
    me = os.getpid()
    try:
        found = []
        for tid in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{tid}/children", "rb") as f:
                found += [int(pid) for pid in f.read().split()]
        return found
    except OSError:
        pass
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm)": state, ppid, ...
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(name))
    return found


def end_children(keep=()):
    """Kills and reaps every child but those in `keep`, and then what each left: as a subreaper
    this process adopts their orphans, so it goes on until none is left."""
    for _ in range(10000):
        others = [pid for pid in children() if pid not in keep]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in others:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def exit_code(status):
    """A wait status as one exit code: 128 + the signal for a process killed by one."""
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def keeper(session, run_child, child_fds):
    """The body of a keeper, just forked from the session: starts the child, waits for it, ends
    what it left, and exits with its status (exit_code). `run_child()` never returns."""
    die_with_parent(session)
    os.setsid()
    become_subreaper()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    keeper_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent(keeper_pid)
            run_child()
        finally:
            os._exit(70)
    for fd in child_fds:
        os.close(fd)
    while True:
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(70)
        if done == pid:
            break
    end_children()
    os._exit(exit_code(status))


class Sandbox:
    """How a session confines its candidates: bubblewrap when it is installed and works, else
    nothing (said once, on stderr). MKSPY_SANDBOX=none turns bubblewrap off."""

    def __init__(self, cache_dir):
        self.cache_dir = cache_dir
        self.bwrap = None
        if os.environ.get("MKSPY_SANDBOX") != "none":
            bwrap = shutil.which("bwrap")
            if bwrap and subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
                                         "--", "/bin/true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL).returncode == 0:
                self.bwrap = bwrap
        self.warned = False

    def warn(self, log):
        """Says once what is not confined without bubblewrap."""
        if self.bwrap or self.warned:
            return
        self.warned = True
        why = "MKSPY_SANDBOX=none" if os.environ.get("MKSPY_SANDBOX") == "none" else \
            "bwrap (Debian package bubblewrap) is not installed or cannot run here"
        log(f"{why}: candidates' programs are not confined: they can write anywhere you can, and see and signal "
            "your other processes. Their processes still end with them, and their results still count only for them.")

    def command(self, rfd, wfd, scratch):
        """The argv that runs the child in bubblewrap: everything read-only but its scratch
        directory (also its TMPDIR) and the LM cache; a PID namespace of its own; the network open."""
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        argv = [self.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", scratch, scratch]
        if self.cache_dir:
            os.makedirs(self.cache_dir, exist_ok=True)
            argv += ["--bind", self.cache_dir, self.cache_dir]
        argv += ["--unshare-pid", "--die-with-parent", "--new-session", "--setenv", "TMPDIR", scratch,
                 "--chdir", os.getcwd(), "--", sys.executable, "-c",
                 "import sys; sys.path.insert(0, sys.argv[1]); from mkspy_worker.child import exec_main; "
                 "exec_main(int(sys.argv[2]), int(sys.argv[3]))", package, str(rfd), str(wfd)]
        return argv
