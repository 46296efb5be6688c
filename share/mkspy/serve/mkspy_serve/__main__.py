"""python -m mkspy_serve: what mkspy-serve execs once it has checked its flags and found the
runtime. Binds the socket itself, so that --port 0 can print the port it got before serving."""

import argparse
import copy
import ipaddress
import os
import signal
import socket
import sys


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve anywhere


def main(argv=None):
    # A parent may have blocked signals (Foundation's Process spawns with its thread's mask):
    # SIGTERM and SIGINT must stop the server, and cancel the tools of a job, which inherit it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    parser = argparse.ArgumentParser(prog="mkspy-serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", default="mkspy-jobs")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--share", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)

    token = os.environ.get("MKSPY_SERVE_TOKEN") or None
    if not is_loopback(args.host) and not token:
        print(f"mkspy-serve: --host {args.host} is not a loopback address: set MKSPY_SERVE_TOKEN, which every request "
              "must then send as 'Authorization: Bearer TOKEN' (or listen on 127.0.0.1)", file=sys.stderr)
        return 2

    import uvicorn  # after the checks: a refusal need not wait for FastAPI to load

    from .app import create_app
    from .jobs import Jobs

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, uvicorn's response (headers, then body)
    # waits on the client's delayed ACK, 40 ms per request on a kept-alive connection.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        print(f"mkspy-serve: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 3
    sock.listen(128)
    sock.set_inheritable(False)

    store = Jobs(os.path.abspath(args.dir), args.jobs, args.share, args.bin, sys.executable)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"http://{shown}:{port}", flush=True)
    if not args.quiet:
        print(f"mkspy-serve: jobs in {store.root}, {args.jobs} at a time; API at http://{shown}:{port}/docs", file=sys.stderr)

    # uvicorn logs requests on stdout; stdout holds only the URL, so its log goes to stderr.
    logging = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    logging["handlers"]["access"]["stream"] = "ext://sys.stderr"
    config = uvicorn.Config(create_app(store, token), log_level="warning" if args.quiet else "info", log_config=logging,
                            access_log=not args.quiet, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    # uvicorn, once it has shut down, raises the signal that stopped it again with the handler
    # it found: SIGTERM's default would end the process before store.shutdown() stops the jobs.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, frame: sys.exit(128 + number))
    store.schedule()  # jobs that were running or queued when the server last stopped
    try:
        server.run(sockets=[sock])
    finally:
        store.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
