"""wrk, the load generator: the Lua script of one operation, one run, and its result (requests/s, p50, p99, non-2xx)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

RESULT_MARK = "BENCH_RESULT"
INSTALL_HINT = "wrk is not installed: run `apt-get install -y wrk` (Debian's package) and try again"
REQUEST_TIMEOUT = "5s"
# Lua long brackets hold the body verbatim; a body holding the closing bracket would end the string early.
LONG_OPEN, LONG_CLOSE = "[==[", "]==]"

# done() runs once after the load; it prints one line the runner parses. wrk counts statuses >= 400 in errors.status.
DONE_FUNCTION = f"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("{RESULT_MARK} %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\\n",
    summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

# Each wrk thread walks the prepared charges round robin (its requests built once in init(), as wrk advises); threads
# may refund one charge at the same moment, which the mock's per-account lock serializes as it would any client's.
PER_CHARGE_FUNCTIONS = """
local built = {}
local position = 0

function init(args)
  for i, id in ipairs(charge_ids) do
    built[i] = wrk.format(nil, (string.gsub(path_template, "{id}", id)))
  end
end

function request()
  position = position % #built + 1
  return built[position]
end
"""


class MissingTool(RuntimeError):
    """A program the benchmark needs is not installed; the message says how to install it."""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured; latencies in milliseconds."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict:
        """The result as plain JSON values."""
        return asdict(self)


def require_wrk() -> str:
    """The path of wrk, or MissingTool saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise MissingTool(INSTALL_HINT)
    return path


def version(wrk: str) -> str:
    """wrk's name and version, e.g. `wrk debian/4.1.0-3+b2` (it prints them with its usage, exit status 1)."""
    completed = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    return " ".join((completed.stdout or completed.stderr).split()[:2])


def basic_authorization(secret_key: str) -> str:
    """The Authorization header value for a key with an empty password."""
    return "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode("ascii")


def _long_string(text: str) -> str:
    """A Lua string literal holding `text` verbatim."""
    if LONG_CLOSE in text:
        raise ValueError(f"the text holds {LONG_CLOSE}, which would end the Lua string")
    return f"{LONG_OPEN}{text}{LONG_CLOSE}"


def script(method: str, path: str, body: bytes, authorization: str, charge_ids: list[str] | None = None) -> str:
    """The Lua script for one operation: method, headers, body; with `charge_ids`, `{id}` in `path` cycles through them."""
    lines = [
        f"wrk.method = {_long_string(method)}",
        f"wrk.path = {_long_string(path)}",
        f"wrk.headers[\"Authorization\"] = {_long_string(authorization)}",
        "wrk.headers[\"Content-Type\"] = \"application/json\"",
        f"wrk.body = {_long_string(body.decode('utf-8'))}",
    ]
    if charge_ids is not None:
        if "{id}" not in path or not charge_ids:
            raise ValueError("a per-charge script needs a path with {id} and at least one charge id")
        lines.append(f"path_template = {_long_string(path)}")
        lines.append("charge_ids = {" + ", ".join(_long_string(charge_id) for charge_id in charge_ids) + "}")
        lines.append(PER_CHARGE_FUNCTIONS)
    lines.append(DONE_FUNCTION)
    return "\n".join(lines)


def parse(stdout: str) -> WrkResult:
    """The result line printed by the script's done(); ValueError when wrk printed none."""
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK + " "):
            duration_us, requests, status, connect, read, write, timeout, p50_us, p99_us = (float(v) for v in line.split()[1:])
            duration_s = duration_us / 1e6
            return WrkResult(
                requests=int(requests),
                duration_s=round(duration_s, 3),
                requests_per_s=round(requests / duration_s, 1) if duration_s else 0.0,
                p50_ms=round(p50_us / 1000, 3),
                p99_ms=round(p99_us / 1000, 3),
                non_2xx=int(status),
                socket_errors=int(connect + read + write + timeout),
            )
    raise ValueError(f"wrk printed no {RESULT_MARK} line:\n{stdout[-2000:]}")


def run(wrk: str, base_url: str, script_path: Path, *, duration_s: int, connections: int, threads: int) -> WrkResult:
    """Load `base_url` for `duration_s` seconds with `connections` keep-alive connections on `threads` threads."""
    threads = max(1, min(threads, connections))
    command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration_s}s", "--timeout", REQUEST_TIMEOUT,
               "-s", str(script_path), base_url]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=duration_s + 60)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.strip()[-1000:]}")
    return parse(completed.stdout)
