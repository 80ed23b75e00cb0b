"""The floor of the mock's stack: a bare Starlette app answering a fixed small JSON, served exactly as the mock is.

Run `python benchmarks/bare_starlette.py --port 0`; it prints the URL it listens on, like `installment-conformance mock`.
"""

from __future__ import annotations

import argparse
import sys

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from installment_conformance.mock import serve

FIXED_ANSWER = {"object": "bench", "ok": True}
# The same paths the benchmark sends to the mock, so routing does comparable work.
PATHS = ("/sources", "/charges", "/charges/{id}", "/charges/{id}/refunds")


async def fixed_answer(request: Request) -> Response:
    """Read the body (the mock must read it too) and answer the fixed JSON."""
    await request.body()
    return JSONResponse(FIXED_ANSWER)


def create_app() -> Starlette:
    """The bare app: every benchmarked path answers GET and POST with the fixed JSON."""
    return Starlette(routes=[Route(path, fixed_answer, methods=["GET", "POST"]) for path in PATHS])


def main(argv: list[str] | None = None) -> int:
    """Serve the bare app with the mock's own uvicorn settings (serve._server) and socket (serve._bind) until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=serve.DEFAULT_HOST, help=f"address to listen on (default {serve.DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=0, help="port to listen on, 0 for any free port (default 0)")
    args = parser.parse_args(argv)
    sock = serve._bind(args.host, args.port)
    print(f"bare starlette listening on {serve._url(sock)} (Ctrl-C to stop)", flush=True)
    serve.tune_gc()
    try:
        serve._server(create_app(), verbose=False).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; stopping on it is the normal way out
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
