"""Cassettes for the suites (vcrpy through pytest-recording): request matching by parsed body, secret scrubbing, provenance."""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import yaml
from vcr.persisters.filesystem import FilesystemPersister
from vcr.serialize import serialize

from installment_conformance import paths

SECRET_PLACEHOLDER = "skey_test_redacted"
PUBLIC_PLACEHOLDER = "pkey_test_redacted"
BASIC_PLACEHOLDER = "redacted-basic-credentials"
KEY_PATTERN = re.compile(r"\b(skey|pkey)_[A-Za-z0-9_]+")
PLACEHOLDERS = {"skey": SECRET_PLACEHOLDER, "pkey": PUBLIC_PLACEHOLDER}
# Only these headers are kept: what a reader needs to see; everything else (Authorization first) is dropped.
KEPT_REQUEST_HEADERS = ("content-type", "omise-version")
KEPT_RESPONSE_HEADERS = ("content-type",)
MATCH_ON = ("method", "path", "query", "parsed_body")
SUITES_FOLDER = "suites"
PROVENANCE_FILE = "provenance.yaml"


def scrub_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Text with every key (and the Basic credentials of the run's keys) replaced by placeholders."""
    for secret in secrets:
        if secret:
            text = text.replace(base64.b64encode(f"{secret}:".encode()).decode(), BASIC_PLACEHOLDER)
    return KEY_PATTERN.sub(lambda match: PLACEHOLDERS[match.group(1)] if match.group(0) not in PLACEHOLDERS.values() else match.group(0), text)


def _scrub_body(body, secrets: tuple[str, ...]):
    """A request or response body (bytes or str) with keys replaced."""
    if isinstance(body, bytes):
        try:
            return scrub_text(body.decode("utf-8"), secrets).encode("utf-8")
        except UnicodeDecodeError:
            return body
    if isinstance(body, str):
        return scrub_text(body, secrets)
    return body


def before_record_request(secrets: tuple[str, ...]):
    """vcrpy hook: a copy of the request without Authorization, keys in the query string or keys in the body."""

    def scrub(request):
        request = copy.deepcopy(request)
        for name in list(request.headers):
            if name.lower() not in KEPT_REQUEST_HEADERS:
                del request.headers[name]
        request.uri = scrub_text(request.uri, secrets)
        request.body = _scrub_body(request.body, secrets)
        return request

    return scrub


def before_record_response(secrets: tuple[str, ...]):
    """vcrpy hook: the response with only its content type kept and any key or Basic credential echoed in its body replaced."""

    def scrub(response):
        response = copy.deepcopy(response)
        body = response.get("body", {})
        if "string" in body:
            body["string"] = _scrub_body(body["string"], secrets)
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() not in KEPT_RESPONSE_HEADERS:
                del headers[name]
        return response

    return scrub


def parsed_body(request) -> object:
    """A request body as data: JSON parsed, form pairs sorted, anything else as bytes."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    content_type = next((value for name, value in request.headers.items() if name.lower() == "content-type"), "")
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return ("json", json.loads(text))
        except (ValueError, RecursionError):
            return ("bytes", body)
    if "x-www-form-urlencoded" in content_type:
        return ("form", sorted(parse_qsl(text, keep_blank_values=True)))
    return ("bytes", body)


def match_parsed_body(recorded, live) -> None:
    """vcrpy matcher: the two bodies mean the same (AssertionError saying how they differ otherwise)."""
    left, right = parsed_body(recorded), parsed_body(live)
    assert left == right, f"bodies differ: recorded {str(left)[:200]} / sent {str(right)[:200]}"


def vcr_config(secrets: tuple[str, ...]) -> dict:
    """The vcrpy options of every suite cassette."""
    return {
        "match_on": list(MATCH_ON),
        "before_record_request": before_record_request(secrets),
        "before_record_response": before_record_response(secrets),
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


def provenance(base_url: str, profile_path: Path, suite_version: str, capabilities: list[str]) -> dict:
    """Where and when cassettes were recorded (no credentials)."""
    from installment_conformance.target import without_credentials

    return {
        "target": without_credentials(base_url),
        "profile": profile_path.name,
        "suite_version": suite_version,
        "recorded_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "capabilities": sorted(capabilities),
    }


class ProvenancePersister(FilesystemPersister):
    """Saves a cassette with a `provenance` mapping beside vcrpy's `interactions`; loads it as vcrpy does."""

    stamp: dict = {}

    @classmethod
    def save_cassette(cls, cassette_path, cassette_dict, serializer):
        """Write the cassette, provenance first."""
        data = yaml.safe_load(serialize(cassette_dict, serializer))
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"provenance": cls.stamp, **data}, sort_keys=False, allow_unicode=True, width=120)
        path.write_text(text, encoding="utf-8")


def suite_cassettes(root: Path | None = None) -> Path:
    """The folder of the suites' cassettes (one subfolder per suite module)."""
    return (root or paths.CASSETTES) / SUITES_FOLDER


def read_provenance(root: Path | None = None) -> dict | None:
    """The provenance of the last recording of the suites, None when nothing was recorded."""
    file = suite_cassettes(root) / PROVENANCE_FILE
    if not file.exists():
        return None
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def write_provenance(stamp: dict, root: Path | None = None) -> None:
    """Keep the provenance of a recording beside its cassettes."""
    folder = suite_cassettes(root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROVENANCE_FILE).write_text(yaml.safe_dump(stamp, sort_keys=False), encoding="utf-8")
