"""The `mock` subcommand and the embedded target: the reference mock served by uvicorn."""

from __future__ import annotations

import argparse
import gc
import socket
import sys
import threading
import time

import uvicorn

from installment_conformance.mock.app import create_app
from installment_conformance.mock.faults import UnknownFault, usage

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 12111
READY_TIMEOUT_SECONDS = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `installment-conformance mock`."""
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})")
    parser.add_argument("--profile", default=None, metavar="FILE", help="payment-method profile YAML (default: profiles/omise-th.yaml)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a named fault (repeatable); `--fault list` prints the catalogue",
    )
    parser.add_argument("--verbose", action="store_true", help="log one line per request")


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so the real port is known before uvicorn starts (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and without it
    # every keep-alive answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _url(sock: socket.socket) -> str:
    """The http URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(app, verbose: bool) -> uvicorn.Server:
    """A uvicorn server for `app`, quiet unless verbose."""
    config = uvicorn.Config(
        app,
        log_level="info" if verbose else "warning",
        access_log=verbose,
        lifespan="off",
        timeout_keep_alive=5,
        backlog=2048,
    )
    return uvicorn.Server(config)


def tune_gc() -> None:
    """Collector settings for a long-running server process (not for a mock embedded in someone's process).

    A serving mock keeps every object it made (without reference cycles): left alone, each full collection
    rescans that growing heap and a request waits 100-200 ms now and then. Freezing what survived a full
    collection out of later scans keeps the pauses to milliseconds (refcounting still frees frozen objects).
    Rarer young collections were tried and dropped: after a long charge run they made 1% of refunds wait 0.3 s.
    """
    gc.collect()
    gc.freeze()
    gc.callbacks.append(_freeze_survivors)


def _freeze_survivors(phase: str, info: dict) -> None:
    """gc callback: after a full collection, freeze what survived it."""
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def run(args: argparse.Namespace) -> int:
    """Serve until stopped (Ctrl-C); print the URL on start. Exit status 2 for a usage error."""
    if "list" in args.fault:
        print(usage())
        return 0
    try:
        app = create_app(args.profile, faults=args.fault)
    except UnknownFault as error:
        print(f"installment-conformance mock: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"installment-conformance mock: cannot load the profile: {error}", file=sys.stderr)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as error:
        print(f"installment-conformance mock: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    faults = f" with faults {', '.join(args.fault)}" if args.fault else ""
    print(f"reference mock listening on {_url(sock)}{faults} (Ctrl-C to stop)", flush=True)
    tune_gc()
    try:
        _server(app, args.verbose).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; stopping on it is the normal way out
    finally:
        app.state.gateway.close()
        sock.close()
    return 0


class RunningMock:
    """A mock served by uvicorn in a daemon thread; `.base_url`, `.stop()`, and a context manager."""

    def __init__(self, app, server: uvicorn.Server, thread: threading.Thread, sock: socket.socket):
        """Keep what is needed to stop the server."""
        self.app = app
        self.base_url = _url(sock)
        self._server = server
        self._thread = thread
        self._sock = sock

    def stop(self) -> None:
        """Stop serving and wait for the thread to finish."""
        self._server.should_exit = True
        self._thread.join(timeout=READY_TIMEOUT_SECONDS)
        gateway = getattr(getattr(self.app, "state", None), "gateway", None)
        if gateway is not None:
            gateway.close()
        self._sock.close()

    def __enter__(self) -> RunningMock:
        """The running mock."""
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop on leaving the block."""
        self.stop()


def start_background(profile=None, faults=(), host: str = DEFAULT_HOST, port: int = 0, verbose: bool = False,
                     app=None) -> RunningMock:
    """Serve a new mock (or the ASGI `app` given) on `host:port` (0: a free port) in a daemon thread; return once it answers."""
    app = app if app is not None else create_app(profile, faults=faults)
    sock = _bind(host, port)
    server = _server(app, verbose)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="reference-mock", daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the reference mock did not start on {_url(sock)}")
        time.sleep(0.01)
    return RunningMock(app, server, thread, sock)
