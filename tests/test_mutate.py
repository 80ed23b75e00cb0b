"""The mutate subcommand: folding run reports into caught / caught_by, the score and exit status, mutation.json, usage errors, one real run."""

from __future__ import annotations

import json
import time

import pytest
from harness_targets import conformance

from installment_conformance import catalogue as rule_catalogue
from installment_conformance import cli, mutate
from installment_conformance.mock.faults import Fault, catalogue
from installment_conformance.report import outcomes as report_outcomes

RULES = ("AMT-02", "TRM-02", "RFD-07", "API-05")
FAULT = Fault("bank_max_off_by_one", "AMT-02", "Bank types accept one satang above the maximum amount.")


def report(failing=(), ran=RULES) -> dict:
    """A hand-made report.json: the rules in `ran` pass except those in `failing`; the others were not run."""
    rules = [{"id": rule_id, "outcome": "fail" if rule_id in failing else "pass" if rule_id in ran else "not_run", "tests": []}
             for rule_id in RULES]
    return {"rules": rules, "summary": {outcome: sum(rule["outcome"] == outcome for rule in rules) for outcome in ("pass", "fail", "not_run")}}


def fault_free_report(failing=()) -> dict:
    """A report of the real shape (every rule not run), with the rules in `failing` turned to fail."""
    data = report_outcomes.build(rule_catalogue.load(), report_outcomes.Results(), target="the embedded mock",
                                 capabilities=[], faults=[], started=time.time())
    for rule in data["rules"]:
        rule["outcome"] = "fail" if rule["id"] in failing else rule["outcome"]
    return data


def run_of(failing=(), scope="rule", seconds=1.5) -> mutate.Run:
    """A finished run whose report fails the rules in `failing`."""
    return mutate.Run(scope, report(failing, ran=RULES if scope == "full" else ("AMT-02",)), 1 if failing else 0, seconds)


def test_a_fault_failing_its_own_rule_is_caught_by_it():
    entry = mutate.fold(FAULT, [run_of({"AMT-02"})])
    assert entry["caught"] is True and entry["caught_by"] == ["AMT-02"]
    assert entry["seconds"] == 1.5 and entry["runs"] == ["rule"]


def test_a_fault_failing_only_other_rules_is_caught_and_listed_apart():
    entry = mutate.fold(FAULT, [run_of(), run_of({"API-05", "TRM-02"}, scope="full", seconds=9.0)])
    assert entry["caught"] is True and entry["caught_by"] == ["API-05", "TRM-02"]
    assert entry["seconds"] == 10.5 and entry["runs"] == ["rule", "full"]
    table = "\n".join(mutate.table_lines(mutate.mutation_data([entry])))
    assert "caught only by other rules (1)" in table and "caught by the rule they break" not in table


def test_a_fault_no_run_fails_is_not_caught_and_the_score_drops():
    caught = mutate.fold(FAULT, [run_of({"AMT-02"})])
    survivor = mutate.fold(Fault("paynext_min_off_by_one", "AMT-03", "..."), [run_of(), run_of(scope="full")])
    data = mutate.mutation_data([caught, survivor])
    assert survivor["caught"] is False and survivor["caught_by"] == []
    assert data["score"] == 0.5 and (data["caught"], data["total"]) == (1, 2)
    assert "NOT caught (1)" in "\n".join(mutate.table_lines(data))


def test_a_rule_failing_on_the_fault_free_mock_too_catches_nothing():
    entry = mutate.fold(FAULT, [run_of({"AMT-02"})], baseline_failures=frozenset({"AMT-02"}))
    assert entry["caught"] is False


def test_a_run_that_wrote_no_report_catches_nothing_and_says_why():
    entry = mutate.fold(FAULT, [mutate.Run("rule", None, 3, 0.5, "INTERNALERROR> boom")])
    assert entry["caught"] is False and "exit status 3" in entry["error"] and "boom" in entry["error"]


@pytest.fixture
def fake_runs(monkeypatch):
    """Replace the subprocess runs with hand-made reports: {fault name or None: (rules the targeted run fails, rules the full run fails)}."""
    outcomes: dict[str | None, tuple[set, set]] = {}
    calls: list[tuple[str | None, str]] = []

    def fake(fault, report_dir, *, keyword=None, examples=None):
        """A run of the fake: the failing rules `outcomes` names for this fault and scope."""
        scope = "rule" if keyword else "full"
        calls.append((fault, scope))
        targeted, full = outcomes.get(fault, (set(), set()))
        if fault is None:
            return mutate.Run(scope, fault_free_report(full), 1 if full else 0, 9.0)
        return run_of(targeted if keyword else full, scope=scope)

    monkeypatch.setattr(mutate, "conformance_run", fake)
    return outcomes, calls


def mutate_command(*args: str) -> int:
    """`installment-conformance mutate ARGS` in this process."""
    return cli.main(["mutate", "-q", *args])


def test_every_fault_caught_exits_0_and_writes_mutation_json(tmp_path, fake_runs, capsys):
    outcomes, calls = fake_runs
    outcomes.update({"bank_max_off_by_one": ({"AMT-02"}, set()), "paynext_min_off_by_one": (set(), {"API-05"})})
    status = mutate_command("--fault", "bank_max_off_by_one", "--fault", "paynext_min_off_by_one", "--report", str(tmp_path))
    assert status == 0, capsys.readouterr()
    assert sorted(calls, key=repr) == sorted([(None, "full"), ("bank_max_off_by_one", "rule"),
                                             ("paynext_min_off_by_one", "rule"), ("paynext_min_off_by_one", "full")], key=repr)
    data = json.loads((tmp_path / "mutation.json").read_text(encoding="utf-8"))
    assert data["score"] == 1.0
    assert [entry["name"] for entry in data["faults"]] == ["bank_max_off_by_one", "paynext_min_off_by_one"]
    for entry in data["faults"]:
        assert set(entry) >= {"name", "rule", "description", "caught", "caught_by", "seconds"}
        assert entry["rule"] == catalogue()[entry["name"]].rule and entry["description"] == catalogue()[entry["name"]].description
        assert isinstance(entry["caught_by"], list) and isinstance(entry["seconds"], float)
    assert data["faults"][1]["caught_by"] == ["API-05"]
    assert "mutation score: 2/2 faults caught (100%)" in capsys.readouterr().out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "bank_max_off_by_one" in page and "paynext_min_off_by_one" in page


def test_a_surviving_fault_exits_1(fake_runs, capsys):
    fake_runs[0]["bank_max_off_by_one"] = ({"AMT-02"}, set())
    assert mutate_command("--fault", "bank_max_off_by_one", "--fault", "paynext_min_off_by_one") == 1
    assert "mutation score: 1/2 faults caught (50%)" in capsys.readouterr().out


def test_a_failing_fault_free_run_exits_1_whatever_the_score(fake_runs, capsys):
    outcomes, _ = fake_runs
    outcomes.update({None: (set(), {"RFD-07"}), "bank_max_off_by_one": ({"AMT-02"}, set())})
    assert mutate_command("--fault", "bank_max_off_by_one") == 1
    assert "the fault-free mock does not pass (failing rules: RFD-07)" in capsys.readouterr().err


def test_full_runs_skips_the_targeted_run(fake_runs):
    outcomes, calls = fake_runs
    outcomes["bank_max_off_by_one"] = ({"AMT-02"}, {"AMT-02", "API-05"})
    assert mutate_command("--fault", "bank_max_off_by_one", "--full-runs") == 0
    assert sorted(calls, key=repr) == sorted([(None, "full"), ("bank_max_off_by_one", "full")], key=repr)


@pytest.mark.parametrize("args, words", [
    (("--fault", "bank_max_off_by_one", "--fault", "no_such_fault"), "'no_such_fault'"),
    (("--jobs", "0"), "--jobs"),
    (("--examples", "0"), "--examples"),
], ids=["unknown-fault", "no-jobs", "no-examples"])
def test_misuse_is_a_usage_error_before_any_run(fake_runs, capsys, args, words):
    assert mutate_command(*args) == 2
    assert words in capsys.readouterr().err
    assert fake_runs[1] == []


def test_a_real_mutation_run_catches_a_fault(tmp_path):
    """End to end: the fault-free run passes, the faulty mock fails the fault's own rule, exit 0."""
    result = conformance("mutate", "--fault", "auth_error_is_403", "--report", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    data = json.loads((tmp_path / "out" / "mutation.json").read_text(encoding="utf-8"))
    assert data["score"] == 1.0
    [entry] = data["faults"]
    assert entry["name"] == "auth_error_is_403" and entry["caught"] and "API-02" in entry["caught_by"]
    assert "mutation score: 1/1 faults caught (100%)" in result.stdout
