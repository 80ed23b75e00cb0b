"""The HTTP client the suites talk through: `Api` (httpx with timeouts, keys, form or JSON bodies) and its `Reply`."""

from __future__ import annotations

import json
import shlex
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

DEFAULT_TIMEOUT_SECONDS = 10.0
# After this many requests in a row timed out, the target is taken as gone and later requests fail at once
# (a hanging target would otherwise cost every remaining test a full timeout per request).
UNANSWERED_LIMIT = 3
KEY_VARIABLES = {"secret": "$OMISE_SECRET_KEY", "public": "$OMISE_PUBLIC_KEY"}
OMISE_VERSION = "2019-05-29"


class TargetUnavailable(AssertionError):
    """The target did not answer (refused, reset, timed out) or stopped answering: the test cannot judge a rule."""


def form_pairs(data: object, prefix: str = "") -> list[tuple[str, str]]:
    """A body as form pairs with bracket nesting: {"source": {"type": "x"}} -> [("source[type]", "x")]."""
    if isinstance(data, dict):
        pairs: list[tuple[str, str]] = []
        for key, value in data.items():
            pairs += form_pairs(value, f"{prefix}[{key}]" if prefix else str(key))
        return pairs
    if isinstance(data, (list, tuple)):
        return [pair for value in data for pair in form_pairs(value, f"{prefix}[]")]
    if isinstance(data, bool):
        return [(prefix, "true" if data else "false")]
    return [(prefix, "" if data is None else str(data))]


class Answer(dict):
    """A JSON object the target answered, remembering the curl line of its request (failure messages show it)."""

    curl: str | None = None


def answer(value: object, curl: str) -> object:
    """A parsed body; a JSON object becomes an Answer carrying `curl`."""
    if isinstance(value, dict):
        value = Answer(value)
        value.curl = curl
    return value


@dataclass
class Reply:
    """One answer of the target: status, parsed JSON body (None when the body is not JSON), text and a curl line."""

    method: str
    url: str
    status: int
    text: str
    body: object
    curl: str
    headers: dict
    content: bytes = b""

    @property
    def is_json(self) -> bool:
        """True when the body parsed as JSON."""
        return self.body is not None or self.text.strip() == "null"

    def describe(self, limit: int = 300) -> str:
        """The status and the start of the body, for messages."""
        text = self.text if len(self.text) <= limit else self.text[:limit] + f"... ({len(self.text)} characters)"
        return f"{self.status} {text}"


def parse_json(text: str) -> object:
    """The JSON value of a body, or None when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def curl_line(method: str, url: str, key: str | None, headers: dict, content: bytes | None) -> str:
    """A curl command reproducing a request; the run's keys appear as the environment variables that hold them."""
    parts = ["curl", "-X", method, shlex.quote(url)]
    if key in KEY_VARIABLES:
        parts += ["-u", f'"{KEY_VARIABLES[key]}:"']
    elif key is not None:
        parts += ["-u", shlex.quote(f"{key}:")]
    for name, value in headers.items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if content:
        parts += ["--data-binary", shlex.quote(content.decode("utf-8", "replace"))]
    return " ".join(parts)


class Api:
    """Requests to one target with its keys; every request has a timeout, and a target that stops answering fails fast."""

    def __init__(self, base_url: str, public_key: str, secret_key: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 transport: httpx.BaseTransport | None = None):
        """Bind to `base_url` with the run's keys."""
        self.base_url = base_url.rstrip("/")
        self.keys = {"secret": secret_key, "public": public_key}
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=16))
        self._unanswered = 0
        self._last_silence = ""
        self._lock = threading.Lock()
        self.requests_sent = 0

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def get(self, path: str, params: dict | None = None, *, key: str | None = "secret", headers: dict | None = None) -> Reply:
        """GET `path` with query parameters."""
        query = f"?{urlencode(form_pairs(params))}" if params else ""
        return self.request("GET", path + query, key=key, headers=headers)

    def post(self, path: str, data: dict | None = None, *, key: str | None = "secret", encoding: str = "form",
             headers: dict | None = None) -> Reply:
        """POST `data` to `path`, form-encoded with bracket nesting or as JSON."""
        if data is None:
            return self.request("POST", path, key=key, headers=headers)
        if encoding == "json":
            content = json.dumps(data, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        elif encoding == "form":
            content = urlencode(form_pairs(data)).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        else:
            raise ValueError(f"encoding {encoding!r}: use 'form' or 'json'")
        return self.request("POST", path, content=content, key=key, headers={"Content-Type": content_type, **(headers or {})})

    def request(self, method: str, path: str, *, content: bytes | str | None = None, key: str | None = "secret",
                headers: dict | None = None) -> Reply:
        """Send one request as given (raw body, any headers) to a path or an absolute URL; `key` is "secret", "public", None or a literal key."""
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self._lock:
            if self._unanswered >= UNANSWERED_LIMIT:
                raise TargetUnavailable(f"the target at {self.base_url} stopped answering: {self._unanswered} requests in a row "
                                        f"got no answer within {self.timeout:g} s, so this request was not sent (the last: {self._last_silence})")
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        sent_headers = {"Omise-Version": OMISE_VERSION, **(headers or {})}
        key_value = self.keys.get(key, key) if key is not None else None
        auth = (key_value, "") if key_value is not None and "Authorization" not in sent_headers else None
        curl = curl_line(method, url, key, sent_headers, content)
        try:
            response = self._client.request(method, url, content=content, headers=sent_headers, auth=auth)
            text = response.text
        except httpx.TimeoutException as error:
            self._count_unanswered(f"{method} {path}")
            raise TargetUnavailable(f"no answer within {self.timeout:g} s ({type(error).__name__}) to {method} {path}\n{curl}") from None
        except httpx.HTTPError as error:
            raise TargetUnavailable(f"{method} {path} got no HTTP answer: {type(error).__name__}: {error}\n{curl}") from None
        with self._lock:
            self._unanswered = 0
            self.requests_sent += 1
        return Reply(method=method, url=url, status=response.status_code, text=text, body=answer(parse_json(text), curl), curl=curl,
                     headers=dict(response.headers), content=response.content)

    def _count_unanswered(self, request: str) -> None:
        """One more request in a row that timed out."""
        with self._lock:
            self._unanswered += 1
            self._last_silence = request
            self.requests_sent += 1
