"""The seeds' documented exchanges (their curl requests and printed JSON answers) as vcrpy cassettes under cassettes/documented/.

Regenerate with `python -m installment_conformance.documented`. The answers are the
verbatim files of schemas/examples/; the requests are the seeds' curl lines. Where a
seed writes `$SOURCE_ID`, the id is the one of the source embedded in the printed
charge (the seeds' source and charge examples come from different sessions). The
seeds print no answer for the one-call charges, so those have no cassette.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import yaml

from installment_conformance import paths

BASE_URL = "https://api.omise.co"
FOLDER = paths.CASSETTES / "documented"


@dataclass(frozen=True)
class Exchange:
    """One documented request and its printed answer."""

    name: str
    seed: str
    path: str
    form: tuple[tuple[str, str], ...]
    answer: str  # the file under schemas/examples/
    key: str  # which key the seed's curl line uses

    def form_with_ids(self) -> list[tuple[str, str]]:
        """The form, `$SOURCE_ID` replaced by the source id of the printed charge."""
        charge = json.loads((paths.SCHEMAS / "examples" / self.answer).read_text(encoding="utf-8"))
        source_id = charge.get("source", {}).get("id") if isinstance(charge.get("source"), dict) else None
        return [(name, source_id if value == "$SOURCE_ID" else value) for name, value in self.form]


BANK = "bank-installments.th.txt"
PAYNEXT = "paynext-extra-installment-qr.th.txt"
EXCHANGES = (
    Exchange("bank-create-source", BANK, "/sources",
             (("amount", "400000"), ("currency", "THB"), ("type", "installment_kbank"), ("installment_term", "4")),
             "bank-installments.source.json", "$OMISE_PUBLIC_KEY"),
    Exchange("bank-create-charge", BANK, "/charges",
             (("source", "$SOURCE_ID"), ("amount", "400000"), ("currency", "THB"), ("return_uri", "https://example.com/orders/345678/complete")),
             "bank-installments.charge.json", "$OMISE_SECRET_KEY"),
    Exchange("paynext-create-source", PAYNEXT, "/sources",
             (("amount", "400000"), ("currency", "THB"), ("type", "installment_paynext_extra_qr")),
             "paynext-extra-installment-qr.source.json", "$OMISE_PUBLIC_KEY"),
    Exchange("paynext-create-charge", PAYNEXT, "/charges",
             (("amount", "400000"), ("currency", "THB"), ("return_uri", "http://example.com/orders/345678/complete"), ("source", "$SOURCE_ID")),
             "paynext-extra-installment-qr.charge.json", "$OMISE_SECRET_KEY"),
)


def cassette(exchange: Exchange) -> dict:
    """The vcrpy cassette of one exchange, with where it comes from."""
    answer = (paths.SCHEMAS / "examples" / exchange.answer).read_text(encoding="utf-8")
    return {
        "provenance": {"target": BASE_URL, "seed": exchange.seed, "answer": f"schemas/examples/{exchange.answer}",
                       "key": f"{exchange.key} (the seed's curl -u; never recorded)"},
        "interactions": [{
            "request": {"method": "POST", "uri": BASE_URL + exchange.path, "body": urlencode(exchange.form_with_ids()),
                        "headers": {"content-type": ["application/x-www-form-urlencoded"]}},
            "response": {"status": {"code": 200, "message": "OK"}, "headers": {"content-type": ["application/json"]},
                         "body": {"string": answer}},
        }],
        "version": 1,
    }


def write(folder: Path = FOLDER) -> list[Path]:
    """Write every documented cassette; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for exchange in EXCHANGES:
        path = folder / f"{exchange.name}.yaml"
        path.write_text(yaml.safe_dump(cassette(exchange), sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write():
        print(f"wrote {written_path}")
