"""Cassettes: no secret in any of them, bodies matched by meaning, the documented exchanges, replay offline, re-recording, drift."""

from __future__ import annotations

import base64
import json
import re
import shutil
from datetime import timedelta

import httpx
import pytest
import vcr
import yaml
from harness_targets import conformance, outcomes_by_rule, read_report, rule_entry
from vcr.errors import CannotOverwriteExistingCassetteException

from installment_conformance import cassettes, documented, money, paths, profile, recording, schemas
from installment_conformance.mock.serve import start_background
from installment_conformance.scenarios import parse_time

ALL_CASSETTES = sorted(paths.CASSETTES.rglob("*.yaml"))
KEY = re.compile(r"\b(?:skey|pkey)_[A-Za-z0-9_]+")
IDS = re.compile(r"\b(src|chrg|rfnd|evnt|docu|trxn|ofsp|pay2)_test_[0-9a-z]+")
TIMES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
PORTS = re.compile(r"127\.0\.0\.1:\d+")
DOWNLOAD_KEYS = re.compile(r"/downloads/[0-9A-F]+")
RECORDED_SAMPLE = "SRC-01 or RFD-03 or FEE-04 or LIF-04"


def _interactions(path):
    """The interactions of a cassette file."""
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("interactions", [])


def test_the_repository_has_suite_and_documented_cassettes():
    """Both kinds of cassettes are committed (so the scans below are not vacuous)."""
    assert len(list(recording.suite_cassettes().rglob("*.yaml"))) > 500
    assert len(list((paths.CASSETTES / "documented").glob("*.yaml"))) == len(documented.EXCHANGES)


@pytest.mark.parametrize("path", ALL_CASSETTES[:: max(1, len(ALL_CASSETTES) // 400)] + ALL_CASSETTES[-5:],
                         ids=lambda path: str(path.relative_to(paths.CASSETTES)))
def test_no_cassette_holds_a_key_or_an_authorization_header(path):
    """Only the placeholders appear as keys; no request keeps an Authorization header or Basic credentials."""
    text = path.read_text(encoding="utf-8")
    assert set(KEY.findall(text)) <= {recording.SECRET_PLACEHOLDER, recording.PUBLIC_PLACEHOLDER}
    for interaction in _interactions(path):
        headers = {name.lower() for name in interaction["request"].get("headers", {})}
        assert "authorization" not in headers and "cookie" not in headers
    assert not re.search(r"Basic [A-Za-z0-9+/]{12,}={0,2}", text)


def test_the_secret_scan_covers_every_cassette():
    """The whole folder, in one pass: the parametrized scan above samples it for readable ids; this reads every file."""
    offenders = []
    for path in ALL_CASSETTES:
        text = path.read_text(encoding="utf-8")
        if set(KEY.findall(text)) - {recording.SECRET_PLACEHOLDER, recording.PUBLIC_PLACEHOLDER} or re.search(r"(?im)^\s*authorization:", text):
            offenders.append(str(path))
    assert offenders == []


def test_scrubbing_replaces_keys_basic_credentials_and_headers():
    """Keys in bodies and query strings, Basic credentials of the run's keys and the Authorization header are gone before writing."""
    secret = "skey_test_5abcdefghij"
    basic = base64.b64encode(f"{secret}:".encode()).decode()
    assert recording.scrub_text(f'{{"echo": "{secret}", "auth": "Basic {basic}", "p": "pkey_test_x1"}}', (secret,)) == \
        f'{{"echo": "{recording.SECRET_PLACEHOLDER}", "auth": "Basic {recording.BASIC_PLACEHOLDER}", "p": "{recording.PUBLIC_PLACEHOLDER}"}}'
    request = vcr.request.Request("POST", f"http://127.0.0.1:1/sources?key={secret}", f"note={secret}".encode(),
                                  {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})
    scrubbed = recording.before_record_request((secret,))(request)
    assert secret not in scrubbed.uri and secret.encode() not in scrubbed.body
    assert "Authorization" not in scrubbed.headers and "Authorization" in request.headers
    response = {"status": {"code": 200}, "headers": {"Set-Cookie": ["s=1"], "Content-Type": ["application/json"]},
                "body": {"string": f'{{"key": "{secret}"}}'.encode()}}
    cleaned = recording.before_record_response((secret,))(response)
    assert secret.encode() not in cleaned["body"]["string"] and list(cleaned["headers"]) == ["Content-Type"]


def _cassette_vcr():
    """A VCR configured as the suites' cassettes are."""
    recorder = vcr.VCR(record_mode="once", match_on=list(recording.MATCH_ON))
    recorder.register_matcher("parsed_body", recording.match_parsed_body)
    return recorder


def test_a_changed_post_body_does_not_replay_but_the_same_body_in_another_order_does(tmp_path):
    """Bodies are matched by their parsed content: a changed amount finds no recording; reordered form fields or JSON keys do."""
    cassette = tmp_path / "one.yaml"
    body = {"type": "installment_kbank", "amount": 400000, "currency": "THB", "installment_term": 4}
    with start_background() as mock, _cassette_vcr().use_cassette(str(cassette)):
        httpx.post(f"{mock.base_url}/sources", data=body, auth=("skey_test_cassette", ""))
        httpx.post(f"{mock.base_url}/sources", json=body, auth=("skey_test_cassette", ""))
    replay = vcr.VCR(record_mode="none", match_on=list(recording.MATCH_ON))
    replay.register_matcher("parsed_body", recording.match_parsed_body)
    reordered = dict(reversed(list(body.items())))
    with replay.use_cassette(str(cassette)):
        assert httpx.post("http://replay.invalid/sources", data=reordered).json()["amount"] == 400000
        assert httpx.post("http://replay.invalid/sources", json=reordered).json()["amount"] == 400000
    with replay.use_cassette(str(cassette)), pytest.raises(CannotOverwriteExistingCassetteException):
        httpx.post("http://replay.invalid/sources", data={**body, "amount": 400001})


def test_every_suite_cassette_says_where_it_was_recorded():
    """Provenance (target without credentials, profile, suite version, date) heads every suite cassette."""
    for path in sorted(recording.suite_cassettes().rglob("*.yaml"))[::50]:
        if path.name == recording.PROVENANCE_FILE:
            continue
        stamp = yaml.safe_load(path.read_text(encoding="utf-8"))["provenance"]
        assert set(stamp) >= {"target", "profile", "suite_version", "recorded_at"}
        assert "@" not in stamp["target"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp["recorded_at"])


def test_the_documented_cassettes_are_the_generator_output(tmp_path):
    """cassettes/documented/ is what `python -m installment_conformance.documented` writes from the seeds' examples."""
    for path in documented.write(tmp_path):
        assert path.read_text(encoding="utf-8") == (paths.CASSETTES / "documented" / path.name).read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("exchange", documented.EXCHANGES, ids=lambda exchange: exchange.name)
def test_a_documented_exchange_replays_and_shows_its_rules(exchange):
    """Replaying the seed's curl request gives the seed's answer, which validates and shows the rules: fees, net, expiry, flow."""
    replay = vcr.VCR(record_mode="none", match_on=list(recording.MATCH_ON))
    replay.register_matcher("parsed_body", recording.match_parsed_body)
    with replay.use_cassette(str(paths.CASSETTES / "documented" / f"{exchange.name}.yaml")):
        answer = httpx.post(documented.BASE_URL + exchange.path, data=dict(exchange.form_with_ids())).json()
    assert schemas.problems(answer) == []
    loaded = profile.load()
    source = answer if answer["object"] == "source" else answer["source"]
    method = loaded.method(source["type"])
    assert source["flow"] == method.flow  # SRC-02
    if answer["object"] == "charge":
        expected = money.breakdown(answer["amount"], fee_rate=loaded.fee_rate, vat_rate=loaded.vat_rate,
                                   monthly_rate=method.merchant_interest_rate, term=source.get("installment_term"),
                                   merchant_pays_interest=bool(answer.get("zero_interest_installments")))
        assert (answer["fee"], answer["fee_vat"], answer["net"]) == (expected.fee, expected.fee_vat, expected.net)  # FEE-01, FEE-03
        assert (answer["interest"], answer["interest_vat"]) == (expected.interest, expected.interest_vat)  # ZII-04, FEE-02
        assert parse_time(answer["expires_at"]) - parse_time(answer["created_at"]) == timedelta(days=method.expires_after_days)  # CHG-07


def test_the_committed_cassettes_replay_every_replayable_rule_with_the_network_blocked(tmp_path):
    """`run --target replay` passes every rule offline; the live-only webhook rule is not applicable, saying why."""
    result = conformance("run", "--target", "replay", "--report", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    report = read_report(tmp_path / "out")
    outcomes = outcomes_by_rule(report)
    assert {rule for rule, outcome in outcomes.items() if outcome != "pass"} == {"EVT-04"}
    assert "not replayable" in rule_entry(report, "EVT-04")["reason"]


def _normalized(folder):
    """Every cassette of a folder with ids, times, ports, download keys and provenance dates replaced."""
    texts = {}
    for path in sorted(recording.suite_cassettes(folder).rglob("*.yaml")):
        if path.name == recording.PROVENANCE_FILE:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, placeholder in ((IDS, r"\1_test_ID"), (TIMES, "TIME"), (PORTS, "127.0.0.1:PORT"), (DOWNLOAD_KEYS, "/downloads/KEY")):
            text = pattern.sub(placeholder, text)
        texts[str(path.relative_to(recording.suite_cassettes(folder)))] = text
    return texts


def test_rerecording_from_the_mock_reproduces_the_committed_cassettes_apart_from_ids_and_times(tmp_path):
    """Recording a sample of rules again gives the committed cassettes once ids, timestamps and ports are set aside."""
    result = conformance("run", "--record", "--cassette-dir", "again", "-k", RECORDED_SAMPLE, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    again = _normalized(tmp_path / "again")
    committed = _normalized(paths.CASSETTES)
    assert len(again) > 20
    for name, text in again.items():
        assert text == committed.get(name), f"{name} differs from the committed cassette"


def test_cassettes_check_finds_no_drift_in_the_committed_cassettes():
    """Every recorded answer validates and keeps the money rules; no cassette is stale and no replayable test lacks one."""
    drift = cassettes.check()
    assert drift.checked > 500 and drift.answers > 1000
    assert (drift.problems, drift.stale, drift.missing) == ([], [], [])


def test_cassettes_check_reports_a_bad_answer_a_stale_cassette_and_a_missing_one(tmp_path):
    """A doctored fee, a cassette of a test that does not exist and a deleted cassette are each reported."""
    shutil.copytree(paths.CASSETTES, tmp_path / "cassettes")
    folder = recording.suite_cassettes(tmp_path / "cassettes")
    victim = next(path for path in sorted((folder / "test_fees").glob("*.yaml")) if '\\"fee\\":' in path.read_text() or '"fee":' in path.read_text())
    text = victim.read_text(encoding="utf-8")
    victim.write_text(re.sub(r'(\\?"fee\\?":)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), text, count=1), encoding="utf-8")
    (folder / "test_fees" / "test_that_was_removed[FEE-01].yaml").write_text(victim.read_text(encoding="utf-8"))
    removed = sorted((folder / "test_sources").glob("*.yaml"))[0]
    removed.unlink()
    drift = cassettes.check(tmp_path / "cassettes")
    assert any(victim.name in problem and "FEE-01" in problem for problem in drift.problems), drift.problems[:5]
    assert drift.stale == ["test_fees/test_that_was_removed[FEE-01]"]
    assert drift.missing == [f"test_sources/{removed.stem}"]
