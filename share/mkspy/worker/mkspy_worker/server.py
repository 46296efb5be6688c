"""The runtime server: DSPy imported once per user and Python, a session forked per connection."""

import json
import os
import selectors
import sys
import time
import traceback

from .cache import look_model_up, lm_cache_dir, use_lm_cache
from .common import encode, read_line
from .isolation import Sandbox
from .session import import_runtime, start_session

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
    Sandbox(None)  # probes bubblewrap once, here, rather than in every session
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
