"""Recorded payloads of the official SDKs validate against the schemas (CONTRACT.md API-06), bar listed exclusions.

In scope: every fixture that ../shared/fixtures/omise-sdk/INDEX.tsv marks `api>=2019-05-29 style`,
plus the `error` and `capability` objects, which carry no timestamp to date them (those marked
`pre-2019` stay out), whose `object` has a schema here. ExVCR cassettes hold the payload as the
string body of their recorded response.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from installment_conformance import paths, schemas

EXCLUSIONS = Path(__file__).with_name("fixture_exclusions.yaml")
MODERN_NOTE = "api>=2019-05-29 style"
UNDATED_OBJECTS = {"error", "capability"}
MIN_IN_SCOPE = 150  # INDEX.tsv lists about 200 such payloads; far fewer means it was misread
ABSENT = f"SDK fixtures not found at {paths.SDK_FIXTURES} (../shared is absent; set INSTALLMENT_CONFORMANCE_SHARED)"


@dataclass(frozen=True)
class Fixture:
    """One SDK fixture file in scope: `repo/path`, where it is on disk, and the object it holds."""

    key: str
    path: Path
    object: str


@dataclass(frozen=True)
class Exclusion:
    """A group of fixtures expected not to validate, with the reason."""

    reason: str
    patterns: tuple[str, ...]


def load_exclusions() -> list[Exclusion]:
    """The entries of tests/fixture_exclusions.yaml."""
    entries = yaml.safe_load(EXCLUSIONS.read_text(encoding="utf-8"))
    return [Exclusion(" ".join(entry["reason"].split()), tuple(entry["fixtures"])) for entry in entries]


def peek_object(text: str) -> str | None:
    """The first `"object": "..."` of a file that is not strict JSON."""
    match = re.search(r'"object"\s*:\s*"([a-z_]+)"', text)
    return match.group(1) if match else None


def object_of(row: dict, path: Path) -> str | None:
    """The object a fixture holds: INDEX.tsv's `object` column (`list(charge)` is a list), peeked for `unparsed`."""
    kind = row["object"].split("(")[0]
    return peek_object(path.read_text(encoding="utf-8")) if kind == "unparsed" else kind


def row_in_scope(row: dict) -> bool:
    """A 2019-05-29 style payload, or an undated error/capability object not marked pre-2019."""
    note, kind = row["note"], row["object"]
    return MODERN_NOTE in note or (kind in UNDATED_OBJECTS and "pre-2019" not in note)


def fixtures_in_scope() -> list[Fixture]:
    """Every fixture of INDEX.tsv in scope whose object has a schema here, in INDEX order."""
    with open(paths.SDK_FIXTURES / "INDEX.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    found = []
    for row in rows:
        path = paths.SDK_FIXTURES / row["repo"] / row["path_in_repo"]
        kind = object_of(row, path)
        if row_in_scope(row) and kind in schemas.object_schemas():
            found.append(Fixture(f"{row['repo']}/{row['path_in_repo']}", path, kind))
    return found


def exclusion_for(fixture: Fixture, exclusions: list[Exclusion]) -> Exclusion | None:
    """The exclusion whose pattern matches the fixture, if any."""
    for exclusion in exclusions:
        if any(fnmatch.fnmatchcase(fixture.key, pattern) for pattern in exclusion.patterns):
            return exclusion
    return None


def payload_of(path: Path) -> object:
    """The JSON payload of a fixture file; for an ExVCR cassette, the body of its first recorded response."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(payload, list) and payload and isinstance(payload[0], dict) and "response" in payload[0]:
        return json.loads(payload[0]["response"]["body"])
    return payload


def fixture_params() -> list:
    """One pytest param per fixture in scope (a strict xfail when excluded), or one skip when the folder is absent."""
    if not (paths.SDK_FIXTURES / "INDEX.tsv").exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT), id="no-sdk-fixtures")]
    exclusions = load_exclusions()
    params = []
    for fixture in fixtures_in_scope():
        excluded = exclusion_for(fixture, exclusions)
        marks = []
        if excluded:
            # ValueError: a file that is not strict JSON (json.JSONDecodeError).
            marks.append(pytest.mark.xfail(strict=True, raises=(AssertionError, ValueError), reason=excluded.reason))
        params.append(pytest.param(fixture, marks=marks, id=fixture.key))
    return params


@pytest.fixture(scope="module")
def in_scope() -> list[Fixture]:
    """Every fixture in scope (skips when the fixtures are absent)."""
    if not (paths.SDK_FIXTURES / "INDEX.tsv").exists():
        pytest.skip(ABSENT)
    return fixtures_in_scope()


@pytest.mark.parametrize("fixture", fixture_params())
def test_recorded_sdk_payload_validates_against_its_schema(fixture):
    payload = payload_of(fixture.path)
    problems = schemas.problems(payload)
    assert problems == [], f"{fixture.key} ({schemas.schema_for(payload)}):\n" + "\n".join(map(str, problems))


def test_the_index_was_read_and_every_wire_object_has_fixtures(in_scope):
    assert len(in_scope) >= MIN_IN_SCOPE
    assert {fixture.object for fixture in in_scope} == set(schemas.object_schemas())


def test_every_exclusion_has_a_reason_and_matches_a_fixture_in_scope(in_scope):
    keys = [fixture.key for fixture in in_scope]
    for exclusion in load_exclusions():
        assert len(exclusion.reason) > 30, f"{exclusion.patterns}: the reason must say why"
        for pattern in exclusion.patterns:
            assert fnmatch.filter(keys, pattern), f"{pattern} matches no fixture in scope: remove it"


def test_an_exvcr_cassette_yields_the_body_of_its_response(tmp_path):
    body = {"object": "error", "location": "/", "code": "bad_request", "message": "amount is not a number"}
    cassette = tmp_path / "cassette.json"
    cassette.write_text(json.dumps([{"request": {"url": "https://api.omise.co/sources"},
                                     "response": {"status_code": 400, "body": json.dumps(body)}}]))
    assert payload_of(cassette) == body
