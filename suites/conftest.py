"""Cassette settings of the suites: pytest-recording reads these fixture names; the plugin provides the values."""

import pytest


@pytest.fixture
def vcr_config(cassette_config):
    """vcrpy options: match by parsed body, scrub keys (installment_conformance.recording)."""
    return cassette_config


@pytest.fixture(scope="module")
def vcr_cassette_dir(cassette_dir):
    """One cassette folder per suite module under cassettes/suites/."""
    return cassette_dir
