"""What keeps a candidate's code inside its own examples: its processes end with it, its parent
is expendable, and where bubblewrap is installed its writes stay in a scratch directory.

The tree of a candidate process (see scoring.Worker.fork):

    session (subreaper) ── keeper (subreaper, own session) ── child: the program, in threads
                                                                (subreaper of what it starts)

A subreaper adopts the orphans of its descendants, so a process the program starts, even one that
double-forks into a session of its own, stays in the tree, and `end_children` ends it: the child
when it has no example running, the keeper when the child ends, the session when the keeper ends.
The keeper is the program's parent (os.getppid()): killing it ends only this candidate's process.
With bubblewrap the child runs in a PID namespace of its own, where it sees none of ours (not even
the keeper: its parent's pid reads 0), on a read-only view of the file system, with no capability.
The keeper also holds bwrap's holder process (Sandbox.hold), ended with it like any child of it.
"""

import ctypes
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)


def become_subreaper():
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(parent):
    """SIGKILL when the parent that forked us dies (and at once if it already has). In a PID
    namespace the parent forked us into, our parent is outside it: its pid reads as 0."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() not in (parent, 0):
        os._exit(1)


def children(me=None):
    """A process's children (this one's by default), zombies included: each thread's list in
    /proc (a child belongs to the thread that forked it), else, where the kernel keeps no such
    list, a scan of /proc."""
    me = me or os.getpid()
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


def keeper(session, run_child, child_fds, confine=None):
    """The body of a keeper, just forked from the session: starts the child, waits for it, ends
    what it left, and exits with its status (exit_code). `run_child()` never returns.
    `confine()`, if given, is Sandbox.hold's: it runs here, and what it returns in the child,
    which then says it is ready on its result pipe (`child_fds[1]`) before the program loads."""
    die_with_parent(session)
    os.setsid()
    become_subreaper()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    keeper_pid = os.getpid()
    try:
        enter = confine() if confine else None
    except OSError as exc:  # said in a line; the session fails its examples as `sandbox`
        sys.stderr.write(f"mkspy-score worker: bubblewrap failed to confine a candidate's process: {exc.strerror or exc}\n")
        os._exit(70)
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent(keeper_pid)
            if enter:
                enter()
                os.write(child_fds[1], b'{"op":"ready"}\n')  # in its sandbox: what fails from now on is the program's
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


CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
NS_GET_USERNS = 0xB701  # ioctl: the user namespace that owns a namespace
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
_MODES = {}  # bwrap's path -> whether a forked process can join the namespaces it sets up


def setns(fd, kind):
    if _libc.setns(fd, kind) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def drop_capabilities():
    """No capability left, none to regain (bubblewrap does the same for what it runs)."""
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # past the last capability: EINVAL, harmless
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    if _libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        raise OSError(ctypes.get_errno(), "capset: " + os.strerror(ctypes.get_errno()))


class Sandbox:
    """How a session confines its candidates: bubblewrap when it is installed and works, else
    nothing (said once, on stderr). MKSPY_SANDBOX=none turns bubblewrap off.

    Bubblewrap sets a candidate's sandbox up (its mounts, /dev, /proc, PID namespace) around a
    process that only holds it; the candidate's process, forked from the session with DSPy and
    the metric already loaded, joins it (`hold`), so that confinement costs a bwrap, not a fresh
    Python that imports DSPy (1 to 2 s of CPU a process). Where the namespaces cannot be joined
    (a setuid bwrap), the candidate's process is such a fresh Python under bwrap (`fresh`)."""

    def __init__(self, cache_dir, bwrap=None):
        self.cache_dir = cache_dir
        self.bwrap = bwrap
        if not bwrap and os.environ.get("MKSPY_SANDBOX") != "none":
            bwrap = shutil.which("bwrap")
            self.bwrap = bwrap if bwrap and Sandbox.joins(bwrap) is not None else None
        self.fresh = bool(self.bwrap) and _MODES.get(self.bwrap) is False
        self.warned = False

    @staticmethod
    def joins(bwrap):
        """None when bwrap does not run here; else whether a forked process can join its sandbox
        (asked once per process: the runtime server asks before it forks its sessions)."""
        if bwrap not in _MODES:
            _MODES[bwrap] = Sandbox.probe(bwrap)
        return _MODES[bwrap]

    @staticmethod
    def probe(bwrap):
        """Joins a sandbox once, in a process forked for it: True, False (it cannot be joined), or
        None (bwrap set none up)."""
        try:
            scratch = tempfile.mkdtemp(prefix="mkspy-probe-")
        except OSError:
            return None
        try:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    become_subreaper()
                    enter = Sandbox(None, bwrap).hold(scratch)
                    inner = os.fork()
                    if inner == 0:
                        try:
                            enter()
                            code = 0 if not os.access(os.path.dirname(scratch), os.W_OK) else 1
                        finally:
                            os._exit(code)
                    _, status = os.waitpid(inner, 0)
                    code = exit_code(status)
                except OSError as exc:
                    code = 2 if exc.errno == 0 else 1  # bwrap did not start its sandbox: 2
                finally:
                    end_children()
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            return {0: True, 1: False}.get(exit_code(status))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def binds(self, scratch):
        """bwrap's arguments for a candidate: everything read-only but its scratch directory and
        the LM cache; a fresh /dev and /proc; a PID namespace of its own; the network open."""
        argv = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", scratch, scratch]
        if self.cache_dir:
            os.makedirs(self.cache_dir, exist_ok=True)
            argv += ["--bind", self.cache_dir, self.cache_dir]
        return argv + ["--unshare-pid", "--die-with-parent", "--cap-drop", "ALL"]  # bwrap run by root keeps root's otherwise

    def hold(self, scratch):
        """In a keeper: starts bwrap around a process that holds the sandbox, and joins its PID
        namespace (so that the keeper's next child is born in it). Returns what that child runs
        first: it joins the sandbox's mounts and root, takes its user, drops every capability."""
        ready_r, ready_w = os.pipe()  # the holder's first word comes from inside the finished sandbox
        with tempfile.TemporaryFile() as said:  # bwrap's stderr, for the reason it failed
            holder = subprocess.Popen([self.bwrap, *self.binds(scratch), "--", "/bin/sh", "-c", f"echo >&{ready_w}; exec sleep 2147483647"],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=said, pass_fds=[ready_w])
            os.close(ready_w)
            ready = os.read(ready_r, 1)
            os.close(ready_r)
            inside = children(holder.pid)  # bwrap's own child: the sandbox's init, in its namespaces
            if not ready or len(inside) != 1:
                said.seek(0)
                why = said.read(2000).decode("utf-8", "replace").strip()
                raise OSError(0, "bwrap did not set the sandbox up" + (f": {why}" if why else ""))
        path = f"/proc/{inside[0]}"
        ns = {kind: os.open(f"{path}/ns/{kind}", os.O_RDONLY) for kind in ("user", "pid", "mnt")}
        root = os.open(f"{path}/root", os.O_RDONLY)
        cwd = os.getcwd()
        owner = fcntl.ioctl(ns["pid"], NS_GET_USERNS)  # an unprivileged bwrap's, else ours
        if os.fstat(owner).st_ino != os.stat("/proc/self/ns/user").st_ino:
            setns(owner, CLONE_NEWUSER)
        setns(ns["pid"], CLONE_NEWPID)

        def enter():
            setns(ns["mnt"], CLONE_NEWNS)
            os.fchdir(root)
            os.chroot(".")
            os.chdir(cwd)
            if os.fstat(ns["user"]).st_ino != os.stat("/proc/self/ns/user").st_ino:
                setns(ns["user"], CLONE_NEWUSER)  # the user bwrap gives what it runs
            drop_capabilities()
            os.setsid()  # as bwrap --new-session: a signal to its group reaches no keeper
            for fd in [*ns.values(), root, owner]:
                os.close(fd)
            os.environ["TMPDIR"] = scratch
        return enter

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
        """The argv that runs the child as a fresh Python in bubblewrap (`fresh`), its scratch
        directory also its TMPDIR."""
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        argv = [self.bwrap, *self.binds(scratch), "--new-session", "--setenv", "TMPDIR", scratch,
                "--chdir", os.getcwd(), "--", sys.executable, "-c",
                 "import sys; sys.path.insert(0, sys.argv[1]); from mkspy_worker.child import exec_main; "
                 "exec_main(int(sys.argv[2]), int(sys.argv[3]))", package, str(rfd), str(wfd)]
        return argv
