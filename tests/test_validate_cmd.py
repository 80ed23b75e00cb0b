"""The `validate` subcommand: its output lines and exit status on valid, invalid, non-JSON and unknown-object files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from installment_conformance import cli, paths

EXAMPLES = paths.SCHEMAS / "examples"


def example(name: str) -> dict:
    """A seed example payload, parsed."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def write_json(path: Path, payload: object) -> Path:
    """Write `payload` as JSON to `path` and return the path."""
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def run_validate(capsys, *arguments: object) -> tuple[int, list[str]]:
    """Run `installment-conformance validate ARGUMENTS...`; its exit status and output lines."""
    status = cli.main(["validate", *map(str, arguments)])
    return status, capsys.readouterr().out.splitlines()


def test_a_valid_charge_prints_valid_with_its_schema_and_exits_0(tmp_path, capsys):
    charge = write_json(tmp_path / "charge.json", example("bank-installments.charge.json"))
    status, lines = run_validate(capsys, charge)
    assert (status, lines) == (0, [f"{charge}: valid (charge)"])


def test_a_folder_means_every_json_file_under_it_in_order(tmp_path, capsys):
    (tmp_path / "nested").mkdir()
    source = write_json(tmp_path / "b-source.json", example("paynext-extra-installment-qr.source.json"))
    barcode = write_json(tmp_path / "nested" / "a-barcode.json", example("paynext-extra-installment-qr.barcode.json"))
    (tmp_path / "notes.txt").write_text("not a payload", encoding="utf-8")
    status, lines = run_validate(capsys, tmp_path)
    assert status == 0
    assert lines == sorted([f"{source}: valid (source)", f"{barcode}: valid (barcode)"])


def test_an_invalid_charge_prints_one_pointer_line_per_problem_and_exits_1(tmp_path, capsys):
    payload = example("bank-installments.charge.json")
    payload["status"] = "authorized"
    payload["source"]["installment_term"] = "4"
    del payload["paid"]
    charge = write_json(tmp_path / "charge.json", payload)
    status, lines = run_validate(capsys, charge)
    assert status == 1
    assert [line.split(": ", 2)[1] for line in lines] == ["/paid", "/source/installment_term", "/status"]
    assert all(line.startswith(f"{charge}: /") for line in lines)
    assert "'authorized' is not one of" in lines[2]


def test_a_file_that_is_not_json_is_reported_with_its_position(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"object": "charge",}', encoding="utf-8")
    status, lines = run_validate(capsys, broken)
    assert status == 1
    assert lines == [f"{broken}: not JSON: Expecting property name enclosed in double quotes at line 1 column 21"]


def test_a_file_that_is_not_utf8_is_reported_as_not_json(tmp_path, capsys):
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n")
    status, lines = run_validate(capsys, binary)
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{binary}: not JSON: not UTF-8 text")


def test_an_unknown_object_is_reported_at_its_object_field(tmp_path, capsys):
    token = write_json(tmp_path / "token.json", {"object": "token", "id": "tokn_test_5x"})
    status, lines = run_validate(capsys, token)
    assert status == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{token}: /object: no schema for object 'token' (known objects: ")
    assert "charge" in lines[0]


def test_a_payload_without_object_field_is_reported(tmp_path, capsys):
    body = write_json(tmp_path / "array.json", [1, 2])
    status, lines = run_validate(capsys, body)
    assert status == 1
    assert lines == [f"{body}: /: expected a JSON object with an `object` field, got array"]


def test_one_bad_file_among_good_ones_makes_the_exit_status_1(tmp_path, capsys):
    good = write_json(tmp_path / "good.json", example("bank-installments.source.json"))
    bad = write_json(tmp_path / "bad.json", {"object": "error", "code": "Not Snake", "message": "x", "location": "/"})
    status, lines = run_validate(capsys, good, bad)
    assert status == 1
    assert lines == [f"{good}: valid (source)", f"{bad}: /code: 'Not Snake' does not match '^[a-z][a-z0-9_]*$'"]


def test_a_missing_path_and_an_empty_folder_are_reported(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "missing.json"
    status, lines = run_validate(capsys, missing, empty)
    assert status == 1
    assert lines == [f"{missing}: no such file or folder", f"{empty}: no *.json files in this folder"]


def test_schema_option_checks_a_request_body_that_has_no_object(tmp_path, capsys):
    body = write_json(tmp_path / "body.json", {"amount": 400000, "currency": "thb", "type": "installment_kbank"})
    status, lines = run_validate(capsys, "--schema", "source-create", body)
    assert (status, lines) == (0, [f"{body}: valid (source-create)"])
    write_json(body, {"currency": "THB", "type": "installment_kbank"})
    status, lines = run_validate(capsys, "--schema", "source-create.json", body)
    assert (status, lines) == (1, [f"{body}: /amount: required property 'amount' is missing"])


def test_an_unknown_schema_option_is_a_usage_error_naming_the_known_ones(tmp_path, capsys):
    body = write_json(tmp_path / "body.json", {})
    status, lines = run_validate(capsys, "--schema", "charges", body)
    assert status == 2
    assert lines[0].startswith("--schema charges: no such schema; known: ")
    assert "charge-create-inline" in lines[0] and "common" not in lines[0]


def test_no_path_at_all_is_an_argparse_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate"])
    assert exit_info.value.code == 2
    assert "PATH" in capsys.readouterr().err
