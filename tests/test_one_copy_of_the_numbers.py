"""The numbers of CONTRACT.md section 1 live in one file, the profile: no code or hand-written data repeats them."""

import json
import re

from installment_conformance import paths, profile

ROOT = paths.PROFILES.parent
GENERATED = {"docs/rules.md", "schemas/openapi.yaml"}
HAND_WRITTEN = ["src/**/*.py", "suites/*.py", "suites/*.yaml", "tests/*.py", "tests/*.yaml",
                "schemas/*.json", "schemas/*.yaml", "schemas/meta/*.json", "benchmarks/*", "*.md", "docs/*.md"]


def _tokens() -> set[str]:
    """Amount limits and term lists as they would be written in code or data (values too generic, such as 500, are left out)."""
    loaded = profile.load()
    tokens = set()
    for method in loaded.methods.values():
        tokens.update({rf"\b{method.amount_min}\b", rf"\b{method.amount_max}\b"})
        if method.installment_terms:
            terms = list(method.installment_terms)
            tokens.update({re.escape(", ".join(map(str, terms))), re.escape(json.dumps(terms))})
    return tokens


def _files():
    for pattern in HAND_WRITTEN:
        for path in ROOT.glob(pattern):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and relative not in GENERATED and "/examples/" not in relative:
                yield relative, path.read_text(encoding="utf-8", errors="replace")


def test_amount_limits_and_term_lists_appear_only_in_the_profile():
    patterns = [re.compile(token) for token in _tokens()]
    offenders = {
        relative: sorted({match.group(0) for pattern in patterns for match in pattern.finditer(text)})
        for relative, text in _files()
    }
    offenders = {name: found for name, found in offenders.items() if found}
    assert offenders == {}, f"section-1 numbers outside {paths.DEFAULT_PROFILE.name}: {offenders}"


def test_the_scan_would_see_a_copied_number(tmp_path):
    """The scan is not vacuous: the profile itself is full of the tokens it looks for."""
    text = paths.DEFAULT_PROFILE.read_text(encoding="utf-8")
    assert all(re.search(token, text) for token in _tokens())
