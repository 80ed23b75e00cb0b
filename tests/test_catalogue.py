"""The rule catalogue: its schema, its agreement with the contract and the seeds, profile placeholders, and the `rules` command."""

import re
import textwrap

import pytest
import yaml

from installment_conformance import catalogue, cli, meta, paths, profile

FAMILY_PREFIXES = ["SRC", "AMT", "TRM", "ZII", "FEE", "CHG", "LIF", "EVT", "RFD", "API"]
CONTRACT_RULE = re.compile(r"^- ([A-Z]{3}-[0-9]{2}) (exact|class)\. (.+)$")


def _squash(text: str) -> str:
    """The text on one line with single spaces, as quotes are compared."""
    return re.sub(r"\s+", " ", text).strip()


def _need_shared(path):
    """Skip the test, naming the path, when ../shared is not checked out next to the clone."""
    if not path.exists():
        pytest.skip(f"../shared is not checked out: {path} not found")


def _contract_rules() -> dict[str, tuple[str, str]]:
    """Rule id -> (strictness, sentence) from CONTRACT.md section 4."""
    _need_shared(paths.CONTRACT)
    text = paths.CONTRACT.read_text(encoding="utf-8")
    section = text.split("## 4. Rules", 1)[1].split("\n## ", 1)[0]
    return {m[1]: (m[2], m[3]) for m in map(CONTRACT_RULE.match, section.splitlines()) if m}


DELETE = object()


def _write_edited(source, target, edits: dict) -> str:
    """Write a copy of a YAML data file with edits {(key, index, ...): new value or DELETE}; return its path."""
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    for keys, value in edits.items():
        parent = raw
        for key in keys[:-1]:
            parent = parent[key]
        if value is DELETE:
            del parent[keys[-1]]
        else:
            parent[keys[-1]] = value
    target.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(target)


def _profile_with(tmp_path, edits: dict) -> str:
    """A copy of the default profile with edits."""
    return _write_edited(paths.DEFAULT_PROFILE, tmp_path / "changed-profile.yaml", edits)


def _catalogue_with(tmp_path, edits: dict) -> str:
    """A copy of the catalogue with edits."""
    return _write_edited(catalogue.DEFAULT_CATALOGUE, tmp_path / "rules.yaml", edits)


# ------------------------------------------------------------ the data file


def test_catalogue_validates_against_its_schema():
    """suites/rules.yaml matches schemas/meta/rules.json."""
    meta.validate_data(catalogue.read_raw(catalogue.DEFAULT_CATALOGUE), "rules", source="suites/rules.yaml")


def test_rule_ids_are_unique_and_every_family_is_numbered_without_gaps():
    """Without ../shared: ten families, ids unique, each family numbered 01..n under its own prefix."""
    loaded = catalogue.load()
    assert len(set(loaded.ids)) == len(loaded.ids)
    assert [family.prefix for family in loaded.families] == FAMILY_PREFIXES
    for family in loaded.families:
        numbers = [int(r.id.split("-")[1]) for r in loaded.in_family(family)]
        assert numbers == list(range(1, len(numbers) + 1)), family
        assert all(r.id.startswith(family.prefix + "-") for r in loaded.in_family(family))


def test_every_contract_rule_is_in_the_catalogue_with_its_strictness():
    """The catalogue has exactly the rule ids of CONTRACT.md section 4, each with the contract's strictness."""
    contract = _contract_rules()
    loaded = catalogue.load()
    assert len(contract) >= 60
    assert sorted(loaded.ids) == sorted(contract)
    for rule in loaded:
        assert rule.strictness == contract[rule.id][0], rule.id


def test_statements_read_with_the_default_profile_are_the_contract_sentences():
    """Filled from the default profile, every statement is its contract sentence word for word."""
    contract = _contract_rules()
    for rule in catalogue.load():
        assert _squash(rule.statement) == _squash(contract[rule.id][1]), rule.id


def test_every_seed_quote_is_verbatim_in_its_seed():
    """Every Thai quote (own or cited through the profile) occurs in its seed, whitespace aside."""
    _need_shared(paths.SEEDS)
    seeds = {}
    quotes = [s for rule in catalogue.load() for s in rule.sources if s.kind == "seed"]
    assert quotes
    for source in quotes:
        if source.seed not in seeds:
            seeds[source.seed] = _squash((paths.SEEDS / source.seed).read_text(encoding="utf-8"))
        assert _squash(source.quote) in seeds[source.seed], source


def test_every_fixture_source_is_listed_in_the_sdk_fixture_index():
    """Every fixture a rule cites is a row of the SDK fixtures' INDEX.tsv."""
    index_file = paths.SDK_FIXTURES / "INDEX.tsv"
    _need_shared(index_file)
    rows = [line.split("\t") for line in index_file.read_text(encoding="utf-8").splitlines()[1:]]
    indexed = {f"{row[0]}/{row[1]}" for row in rows}
    fixtures = [s.fixture for rule in catalogue.load() for s in rule.sources if s.kind == "fixture"]
    assert fixtures
    assert [f for f in fixtures if f not in indexed] == []


def test_every_profile_citation_resolves_in_the_default_profile():
    """Every profile_cite names a citation the default profile has."""
    cited = [s for rule in catalogue.load() for s in rule.sources if s.profile_cite]
    assert cited
    assert [s.profile_cite for s in cited if s.kind == "missing"] == []


def test_the_catalogue_holds_none_of_the_profile_amount_limits_or_term_lists():
    """The amount limits and term lists live only in the profile, never as literals in the catalogue."""
    text = catalogue.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    numbers = set(re.findall(r"(?<![\d.])\d+(?![\d.])", text))
    loaded = profile.load()
    for method in loaded.methods.values():
        for limit in (method.amount_min, method.amount_max, method.amount_min - 1, method.amount_max + 1):
            assert str(limit) not in numbers, (method.type, limit)
        if method.installment_terms:
            assert ", ".join(map(str, method.installment_terms)) not in text, method.type


def test_every_rule_has_a_source_and_known_methods():
    """Each rule cites something and applies to at least one method of the profile."""
    loaded = catalogue.load()
    for rule in loaded:
        assert rule.sources, rule.id
        assert rule.methods, rule.id
        assert set(rule.methods) <= set(loaded.profile.methods), rule.id


# ------------------------------------------------------------- placeholders


def test_placeholders_are_filled_from_the_profile():
    """No placeholder survives loading, none reads n/a, and AMT-01 carries the profile's bank floor."""
    raw = {entry["id"]: entry for entry in catalogue.read_raw(catalogue.DEFAULT_CATALOGUE)["rules"]}
    loaded = catalogue.load()
    bank = profile.load().banks[0]
    with_placeholders = [rid for rid, entry in raw.items() if catalogue.PLACEHOLDER.search(entry["statement"])]
    assert "AMT-01" in with_placeholders
    for rule in loaded:
        texts = [rule.title, rule.statement] + [s.english for s in rule.sources if s.english]
        assert [t for t in texts if catalogue.PLACEHOLDER.search(t)] == [], rule.id
        assert "n/a" not in " ".join(texts), rule.id
    amt01 = loaded.rule("AMT-01").statement
    assert f"{bank.amount_min - 1} rejected, {bank.amount_min} accepted" in amt01


def test_placeholders_name_only_groups_of_the_default_profile():
    """Placeholders name bank, offline, fees or a source type of the default profile (catches typos)."""
    known = {"bank", "offline", "fees"} | set(profile.load().methods)
    for entry in catalogue.read_raw(catalogue.DEFAULT_CATALOGUE)["rules"]:
        for text in catalogue.entry_texts(entry):
            for group, _field in catalogue.PLACEHOLDER.findall(text):
                assert group in known, (entry["id"], group)


def test_another_profile_changes_the_rendered_rules(tmp_path):
    """Another profile's numbers and methods show in the statements, methods and citations."""
    edits = {
        ("methods", "installment_bbl", "amount_min"): 250000,
        ("methods", "installment_paynext_extra_qr", "refund_window_days"): 14,
        ("methods", "installment_kbank", "merchant_interest_rate"): "0.80",
        ("methods", "installment_ktc"): DELETE,
    }
    changed = catalogue.load(profile=_profile_with(tmp_path, edits))
    default = catalogue.load()
    amt01 = changed.rule("AMT-01").statement
    assert "249999 for installment_bbl" in amt01
    assert amt01 != default.rule("AMT-01").statement
    assert "more than 14 days" in changed.rule("RFD-07").statement
    assert "0.80% a month" in changed.rule("ZII-04").statement
    assert "installment_ktc" not in changed.rule("TRM-01").methods
    assert "installment_ktc" in default.rule("TRM-01").methods
    missing = [s for s in changed.rule("TRM-01").sources if s.profile_cite == "installment_ktc.terms"]
    assert [s.kind for s in missing] == ["missing"]


def test_load_is_cached_per_catalogue_and_profile():
    """Loading the same pair of files twice gives the same object."""
    assert catalogue.load() is catalogue.load(catalogue.DEFAULT_CATALOGUE, paths.DEFAULT_PROFILE)
    assert catalogue.load(profile=profile.load()) is catalogue.load()


# ---------------------------------------------------------- rejected files


def test_an_unknown_capability_is_rejected_with_its_pointer(tmp_path):
    """A capability outside the named set is a schema error at its pointer."""
    with pytest.raises(meta.DataFileError, match=r"/rules/3/capability"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 3, "capability"): "time_travel"}))


def test_an_unknown_capability_among_alternatives_is_rejected(tmp_path):
    """An unknown name inside any_of is rejected too."""
    with pytest.raises(meta.DataFileError, match=r"/rules/0/capability"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 0, "capability"): [{"any_of": ["expire", "teleport"]}]}))


def test_a_duplicated_rule_id_is_rejected(tmp_path):
    """Two rules with one id are rejected, naming the duplicate."""
    with pytest.raises(catalogue.CatalogueError, match=r"/rules/1/id: SRC-01 is a duplicate"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 1, "id"): "SRC-01"}))


def test_a_rule_outside_its_family_prefix_is_rejected(tmp_path):
    """A rule whose id prefix is not its family's is rejected."""
    with pytest.raises(catalogue.CatalogueError, match=r"does not start with its family's prefix SRC-"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 0, "id"): "AMT-99"}))


def test_an_unknown_placeholder_field_is_rejected(tmp_path):
    """A placeholder with a field the profile does not have is rejected, naming it."""
    with pytest.raises(catalogue.CatalogueError, match=r"\{bank.amount_minimum\}"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 0, "statement"): "Bank types: {bank.amount_minimum} accepted."}))


def test_a_rule_without_sources_is_rejected(tmp_path):
    """Every rule needs at least one source."""
    with pytest.raises(meta.DataFileError, match=r"/rules/0/sources"):
        catalogue.load(_catalogue_with(tmp_path, {("rules", 0, "sources"): []}))


# ---------------------------------------------------------- capabilities


def test_capability_requirements_are_all_of_with_alternatives():
    """Requirements must all hold; any_of is met by one of its names."""
    loaded = catalogue.load()
    lif04 = loaded.rule("LIF-04")
    assert lif04.missing_capabilities({"expire"}) == []
    assert lif04.missing_capabilities({"clock"}) == []
    assert lif04.missing_capabilities({"mark_as_paid"}) == ["expire or clock"]
    rfd06 = loaded.rule("RFD-06")
    assert rfd06.missing_capabilities({"mark_as_paid"}) == ["clock"]
    assert rfd06.capability_text == "mark_as_paid and clock"
    assert loaded.rule("SRC-01").capability_text == "none"
    assert loaded.rule("SRC-01").missing_capabilities(set()) == []


def test_a_rule_is_found_by_id_and_an_unknown_id_is_a_key_error():
    """rule(id) returns the rule; an unknown id raises KeyError naming it."""
    assert catalogue.rule("RFD-03").title == "A partial refund of a bank installment is rejected"
    with pytest.raises(KeyError, match="XYZ-01"):
        catalogue.load().rule("XYZ-01")


# ---------------------------------------------------------- finding tests


def test_tests_are_found_by_their_rule_marks(tmp_path):
    """Rule marks on functions, classes, pytestmark, parametrize cases and literal constants are found with their lines."""
    (tmp_path / "test_demo.py").write_text(
        textwrap.dedent(
            """\
            import pytest

            pytestmark = [pytest.mark.rule("API-05"), pytest.mark.needs("clock")]
            BOUNDARY_RULES = ("AMT-02", "AMT-03")


            @pytest.mark.rule("SRC-01", "SRC-02")
            def test_created():
                pass


            @pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.rule("AMT-01"))])
            @pytest.mark.rule(*BOUNDARY_RULES)
            def test_boundary(x):
                pass


            @pytest.mark.rule(*checks.rules_of(checks.ALL))
            def test_generated():
                pass


            @pytest.mark.rule("CHG-01")
            class TestCharges:
                @pytest.mark.rule("CHG-02")
                def test_shape(self):
                    pass


            def helper():
                pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_broken.py").write_text("def test_x(:\n", encoding="utf-8")
    (tmp_path / "helpers.py").write_text('import pytest\n@pytest.mark.rule("EVT-01")\ndef test_not_a_suite(): pass\n')
    scan = catalogue.scan_suites(tmp_path)
    found = scan.by_rule
    shown = f"{tmp_path.name}/test_demo.py"
    assert [(t.node_id, t.line) for t in found["SRC-01"]] == [(f"{shown}::test_created", 8)]
    assert [t.node_id for t in found["SRC-02"]] == [f"{shown}::test_created"]
    assert [t.node_id for t in found["AMT-01"]] == [f"{shown}::test_boundary"]
    assert [t.node_id for t in found["AMT-03"]] == [f"{shown}::test_boundary"]
    assert [t.node_id for t in found["API-05"]] == [
        f"{shown}::test_created",
        f"{shown}::test_boundary",
        f"{shown}::test_generated",
        f"{shown}::TestCharges::test_shape",
    ]
    assert [t.node_id for t in found["CHG-02"]] == [f"{shown}::TestCharges::test_shape"]
    assert [t.node_id for t in found["CHG-01"]] == [f"{shown}::TestCharges::test_shape"]
    assert "EVT-01" not in found
    assert [(t.node_id, expression) for t, expression in scan.computed] == [
        (f"{shown}::test_generated", "*checks.rules_of(checks.ALL)")
    ]
    assert [problem.split(":")[0] for problem in scan.unreadable] == [f"{tmp_path.name}/test_broken.py"]


# ---------------------------------------------------------- the command


def test_rules_command_prints_one_aligned_line_per_rule(capsys):
    """`rules` prints one line per rule in catalogue order, titles in one column."""
    assert cli.main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    loaded = catalogue.load()
    assert len(lines) == len(loaded)
    assert [line.split()[0] for line in lines] == loaded.ids
    title_columns = {line.index(rule.title) for line, rule in zip(lines, loaded)}
    assert len(title_columns) == 1
    rfd03 = lines[loaded.ids.index("RFD-03")].split()
    assert rfd03[1] == "class"


def test_rules_command_reads_another_profile(tmp_path, capsys):
    """`rules --profile` fills the titles from that profile."""
    assert cli.main(["rules", "--profile", _profile_with(tmp_path, {("methods", "installment_bay", "expires_after_days"): 3})]) == 0
    out = capsys.readouterr().out
    chg07 = next(line for line in out.splitlines() if line.startswith("CHG-07"))
    assert "3 for installment_bay" in chg07


def test_rules_command_reports_a_broken_catalogue_without_a_traceback(tmp_path, capsys):
    """A broken catalogue gives exit status 2 and the JSON pointer on stderr."""
    assert cli.main(["rules", "--catalogue", _catalogue_with(tmp_path, {("rules", 0, "strictness"): "strict"})]) == 2
    assert "/rules/0/strictness" in capsys.readouterr().err


def test_rules_markdown_shows_statement_quote_methods_capability_and_tests(tmp_path):
    """The Markdown reference shows each rule's statement, Thai quote, English, methods, strictness, capability and tests."""
    loaded = catalogue.load()
    tested = catalogue.SuiteTest("suites/test_refunds.py::test_partial_refund", "suites/test_refunds.py", 42)
    computed = catalogue.SuiteTest("suites/test_generated.py::test_fuzz", "suites/test_generated.py", 7)
    scan = catalogue.SuiteScan(by_rule={"RFD-03": [tested]}, computed=[(computed, "*RULES")], unreadable=[])
    text = catalogue.render_markdown(loaded, scan)
    assert "[`suites/test_generated.py::test_fuzz`](../suites/test_generated.py#L7): `pytest.mark.rule(*RULES)`" in text
    rfd03 = text.split('<a id="RFD-03"></a>', 1)[1].split('<a id="RFD-04"></a>', 1)[0]
    assert loaded.rule("RFD-03").statement in rfd03
    assert "ไม่สามารถคืนเงินบางส่วนได้" in rfd03
    assert "a partial refund is not possible" in rfd03
    assert "`installment_kbank`" in rfd03 and "installment_paynext_extra_qr" not in rfd03
    assert "- Strictness: class" in rfd03
    assert "- Capability: `mark_as_paid`" in rfd03
    assert "[`suites/test_refunds.py::test_partial_refund`](../suites/test_refunds.py#L42)" in rfd03
    assert "no test yet" not in rfd03
    rfd04 = text.split('<a id="RFD-04"></a>', 1)[1]
    assert "no test yet" in rfd04.split("<a id=", 1)[0]
    assert all(f"### {rule_id}: " in text for rule_id in loaded.ids)


def test_rules_markdown_output_option_writes_the_file(tmp_path, capsys):
    """`--output` writes the reference to the file and nothing to stdout."""
    target = tmp_path / "rules.md"
    assert cli.main(["rules", "--markdown", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("# Rule reference\n")


def test_docs_rules_md_is_fresh():
    """docs/rules.md is the current render; regenerate it with the command in the failure message."""
    committed = paths.data_dir("docs") / "rules.md"
    if not committed.exists():
        pytest.skip(f"{committed} is not part of this installation (it lives in a clone)")
    fresh = catalogue.render_markdown(catalogue.load(), catalogue.scan_suites())
    assert committed.read_text(encoding="utf-8") == fresh, (
        f"docs/rules.md is stale (the catalogue, the profile or the suites' rule marks changed); "
        f"regenerate it with: {catalogue.REGENERATE_DOCS}"
    )
