"""The mock's own cost per request, without network or server: its ASGI app called directly, beside the bare Starlette app.

Run from a clone with the project installed: `python benchmarks/in_process.py` (see benchmarks/README.md).
Under valgrind's cachegrind it gives instruction counts, which unlike the clock do not move with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import time

import bare_starlette
import bench_operations

from installment_conformance import profile as profiles
from installment_conformance import scenarios
from installment_conformance.mock import create_app, serve

APPS = ("mock", "bare")
AUTHORIZATION = b"Basic " + base64.b64encode(f"{bench_operations.BENCH_SECRET_KEY}:".encode())


class Caller:
    """Calls an ASGI app with one POST at a time, with the scope and messages a server would send."""

    def __init__(self, app):
        """Calls into `app`."""
        self.app = app

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` to `path`; the answer's status and body."""
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", AUTHORIZATION), (b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
        messages = iter([{"type": "http.request", "body": body, "more_body": False}])
        status, answer = 0, []

        async def receive() -> dict:
            return next(messages, {"type": "http.disconnect"})

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                answer.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(answer)


async def refundable_charge_ids(caller: Caller, loaded: profiles.Profile, count: int) -> list[str]:
    """Successful charges a day after payment on the in-process mock, made through its API; their ids."""
    method = bench_operations.refund_method(loaded)
    ids = []
    for _ in range(count):
        _, charge = await caller.post("/charges", bench_operations.json_body(scenarios.inline_charge_params(method)))
        charge_id = json.loads(charge)["id"]
        await caller.post(f"/charges/{charge_id}/mark_as_paid", b"{}")
        ids.append(charge_id)
    await caller.post("/test_helpers/clock", bench_operations.json_body({"advance_seconds": bench_operations.DAY_SECONDS}))
    return ids


async def drive(caller: Caller, operation: bench_operations.Operation, charge_ids: list[str], requests: int) -> None:
    """Send `requests` requests of an operation one after another; stop at the first answer that is not 200."""
    for number in range(requests):
        path = operation.path.format(id=charge_ids[number % len(charge_ids)]) if operation.per_charge else operation.path
        status, _ = await caller.post(path, operation.body)
        if status != 200:
            raise SystemExit(f"{operation.name}: {path} answered {status}; nothing to measure")


def main(argv: list[str] | None = None) -> int:
    """Print the microseconds per request (minimum and median over the batches) of each app and operation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", default=",".join(APPS), help=f"comma-separated subset of {','.join(APPS)} (default both)")
    parser.add_argument("--operations", default="sources,charges,refunds", help="comma-separated operations (default all three)")
    parser.add_argument("--batches", type=int, default=10, help="timed batches (default 10); 0 runs only --requests, untimed")
    parser.add_argument("--requests", type=int, default=1500, help="requests per batch (default 1500)")
    args = parser.parse_args(argv)
    loaded = profiles.load()
    operations = bench_operations.build(loaded)
    unknown = sorted(set(args.apps.split(",")) - set(APPS)) + sorted(set(args.operations.split(",")) - set(operations))
    if unknown or args.batches < 0 or args.requests < 1:
        parser.error(f"unknown {unknown}; choose apps from {','.join(APPS)}, operations from {','.join(operations)}" if unknown
                     else "--batches must be 0 or more and --requests 1 or more")
    for app_name in [name for name in APPS if name in args.apps.split(",")]:
        for name in [name for name in operations if name in args.operations.split(",")]:
            caller = Caller(create_app(loaded) if app_name == "mock" else bare_starlette.create_app())
            operation = operations[name]
            charge_ids = ["chrg_test_bench"]
            if operation.per_charge and app_name == "mock":
                charge_ids = asyncio.run(refundable_charge_ids(caller, loaded, 2000))
            serve.tune_gc()  # as the served mock and bare app do
            asyncio.run(drive(caller, operation, charge_ids, 200))  # warm-up
            if not args.batches:
                asyncio.run(drive(caller, operation, charge_ids, args.requests))
                continue
            per_request = []
            for _ in range(args.batches):
                started = time.perf_counter()
                asyncio.run(drive(caller, operation, charge_ids, args.requests))
                per_request.append((time.perf_counter() - started) / args.requests * 1e6)
            print(f"{app_name:5} {name:8} {min(per_request):7.1f} us min  {statistics.median(per_request):7.1f} us median per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
