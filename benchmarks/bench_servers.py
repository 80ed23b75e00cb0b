"""The servers under test, each a subprocess on 127.0.0.1: the reference mock, the bare Starlette app, and Prism."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_wrk import MissingTool

from installment_conformance import paths

HERE = Path(__file__).resolve().parent
PRISM_BIN = HERE / "node_modules" / ".bin" / "prism"
OPENAPI = paths.SCHEMAS / "openapi.yaml"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 10.0
LISTENING = re.compile(r"listening on (http://\S+)")


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (for Prism, which cannot be told to pick one and say which)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    """True once the server at `url` answers HTTP at all (any status)."""
    try:
        with urllib.request.urlopen(url + "/capability", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Server:
    """A server process: started with `start()` (or `with`), its URL read from its log or given, stopped with `stop()`."""

    def __init__(self, name: str, command: list[str], url: str | None = None):
        """A server to run with `command`; `url` when known, else read from a `listening on http://...` log line."""
        self.name = name
        self.command = command
        self.url = url
        self.process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        self.log_path = Path(self._log.name)

    def start(self) -> Server:
        """Start the process and wait until it answers HTTP; RuntimeError with its log when it does not."""
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.url is None:
                found = LISTENING.search(self.log_path.read_text(errors="replace"))
                self.url = found.group(1) if found else None
            if self.url is not None and _answers(self.url):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {START_TIMEOUT_SECONDS:g} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL if it lingers) and close its log."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_tail(self, characters: int = 2000) -> str:
        """The end of the server's output."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]

    def __enter__(self) -> Server:
        """The started server."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop on leaving the block."""
        self.stop()


def mock_server() -> Server:
    """The reference mock as users start it: `installment-conformance mock` on a free port."""
    return Server("mock", [sys.executable, "-m", "installment_conformance.cli", "mock", "--host", HOST, "--port", "0"])


def bare_server() -> Server:
    """The bare Starlette app with the mock's uvicorn settings."""
    return Server("bare", [sys.executable, str(HERE / "bare_starlette.py"), "--host", HOST, "--port", "0"])


def prism_binary(install: bool = True) -> Path:
    """Prism from benchmarks/package-lock.json; installed with `npm ci` when missing and `install`, else MissingTool."""
    if PRISM_BIN.exists():
        return PRISM_BIN
    hint = f"Prism is not installed: run `npm ci --prefix {HERE}` (Node.js 20 and npm)"
    npm = shutil.which("npm")
    if not install or npm is None:
        raise MissingTool(hint)
    print(f"installing Prism: npm ci --prefix {HERE}", flush=True)
    completed = subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=False)
    if completed.returncode != 0 or not PRISM_BIN.exists():
        raise MissingTool(f"npm ci failed ({completed.returncode}); {hint}")
    return PRISM_BIN


def prism_version(prism: Path) -> str:
    """Prism's version."""
    completed = subprocess.run([str(prism), "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip()


def prism_server(prism: Path) -> Server:
    """Prism mocking schemas/openapi.yaml, its logging silenced (the mock logs nothing per request either)."""
    port = free_port()
    return Server("prism", [str(prism), "mock", str(OPENAPI), "--host", HOST, "--port", str(port), "--verboseLevel", "silent"],
                  url=f"http://{HOST}:{port}")
