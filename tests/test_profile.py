"""The payment-method profile: its schema, its seed citations and the seed's worked example."""

import re

import pytest

from installment_conformance import meta, paths, profile


def test_default_profile_validates_against_its_schema():
    meta.validate_profile(profile.read_raw(paths.DEFAULT_PROFILE), source="default")


def test_a_broken_profile_is_rejected_with_the_pointer():
    raw = profile.read_raw(paths.DEFAULT_PROFILE)
    raw["methods"]["installment_kbank"]["installment_terms"] = ["four"]
    with pytest.raises(meta.DataFileError, match=r"/methods/installment_kbank/installment_terms"):
        meta.validate_profile(raw, source="broken")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_citation_is_a_verbatim_sentence_of_its_seed():
    if not paths.SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {paths.SEEDS}")
    raw = profile.read_raw(paths.DEFAULT_PROFILE)
    cites = [raw["fees"]["cite"]] + [c for m in raw["methods"].values() for c in m["cite"].values()]
    for cite in cites:
        seed = _squash((paths.SEEDS / cite["seed"]).read_text(encoding="utf-8"))
        assert _squash(cite["quote"]) in seed, cite


def test_seed_worked_example_monthly_minimum():
    """3,300 THB over 10 months: under Bangkok Bank's monthly minimum, over Kasikorn's."""
    loaded = profile.load()
    assert loaded.method("installment_bbl").min_amount_for_term(10) > 330000
    assert loaded.method("installment_kbank").min_amount_for_term(10) <= 330000
