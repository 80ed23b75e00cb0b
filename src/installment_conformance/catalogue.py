"""The rule catalogue (suites/rules.yaml): loading it against a profile, finding the tests of each rule, and the `rules` subcommand."""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from installment_conformance import paths
from installment_conformance import profile as profiles
from installment_conformance.meta import DataFileError, validate_data

DEFAULT_CATALOGUE = paths.SUITES / "rules.yaml"
REGENERATE_DOCS = "installment-conformance rules --markdown --output docs/rules.md"

# {group.field}: group is bank, offline, fees or a source type. Other braces ({id}, {object: ...}) are prose.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\}")
_GROUPS: dict[str, Callable[[profiles.Method], bool]] = {
    "bank": lambda method: method.is_bank,
    "offline": lambda method: not method.is_bank,
}
_FEE_FIELDS = ("fee_rate", "vat_rate", "fee_flat")


def _baht(satang: int) -> str:
    """An amount in satang written as the seeds write baht: THB3,000.00."""
    return f"THB{Decimal(satang) / 100:,.2f}"


_METHOD_FIELDS: dict[str, Callable[[profiles.Method], object]] = {
    "name": lambda m: m.name,
    "amount_min": lambda m: m.amount_min,
    "amount_min_minus_1": lambda m: m.amount_min - 1,
    "amount_min_thb": lambda m: _baht(m.amount_min),
    "amount_max": lambda m: m.amount_max,
    "amount_max_plus_1": lambda m: m.amount_max + 1,
    "amount_max_thb": lambda m: _baht(m.amount_max),
    "installment_terms": lambda m: m.installment_terms,
    "min_monthly_thb": lambda m: m.min_monthly_thb,
    "failure_codes": lambda m: m.failure_codes,
    "expires_after_days": lambda m: m.expires_after_days,
    "refund_window_days": lambda m: m.refund_window_days,
    "merchant_interest_rate": lambda m: m.merchant_interest_rate,
}

# method selectors of the catalogue besides plain source types
_SELECTORS: dict[str, Callable[[profiles.Method], bool]] = {
    "flow:redirect": lambda m: m.flow == "redirect",
    "flow:offline": lambda m: m.flow == "offline",
    "refund_policy:full_only": lambda m: m.refund_policy == profiles.FULL_ONLY,
    "refund_policy:void_same_day_then_refund": lambda m: m.refund_policy == profiles.VOID_SAME_DAY_THEN_REFUND,
    "terms:listed": lambda m: m.is_bank,
    "terms:in_app": lambda m: not m.is_bank,
}


class CatalogueError(DataFileError):
    """A rule catalogue that breaks a rule its schema cannot express (duplicate id, wrong family, bad placeholder)."""


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: a seed sentence, an SDK fixture, the contract, or a profile citation the profile lacks."""

    kind: str  # "seed", "fixture", "contract" or "missing"
    seed: str | None = None
    quote: str | None = None
    english: str | None = None
    fixture: str | None = None
    note: str | None = None
    contract: str | None = None
    profile_cite: str | None = None  # the profile citation this source was resolved from, if any


@dataclass(frozen=True)
class Family:
    """A rule family: its id prefix and its name."""

    prefix: str
    name: str


@dataclass(frozen=True)
class Rule:
    """One rule of the contract, with its placeholders filled and its methods resolved against a profile."""

    id: str
    family: str
    title: str
    statement: str
    strictness: str
    methods: tuple[str, ...]
    capability: tuple[tuple[str, ...], ...]  # every inner tuple must be met; it is met by any one of its names
    sources: tuple[Source, ...]
    method_selectors: tuple[str, ...]  # as written in the catalogue: ("all",), ("terms:listed",), ...

    @property
    def capability_names(self) -> frozenset[str]:
        """Every capability name the rule mentions."""
        return frozenset(name for alternatives in self.capability for name in alternatives)

    def missing_capabilities(self, available: frozenset[str] | set[str]) -> list[str]:
        """The requirements a target offering `available` does not meet, as text ("expire or clock")."""
        return [" or ".join(alternatives) for alternatives in self.capability if not set(alternatives) & set(available)]

    @property
    def capability_text(self) -> str:
        """The capability requirement in words: "none", "mark_as_paid and clock", "expire or clock"."""
        if not self.capability:
            return "none"
        parts = [" or ".join(alternatives) for alternatives in self.capability]
        if len(parts) > 1:
            parts = [f"({part})" if " or " in part else part for part in parts]
        return " and ".join(parts)


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every rule, in catalogue order, as it reads against one profile."""

    path: Path
    profile: profiles.Profile
    families: tuple[Family, ...]
    rules: tuple[Rule, ...]

    def __iter__(self) -> Iterator[Rule]:
        """The rules in catalogue order."""
        return iter(self.rules)

    def __len__(self) -> int:
        """The number of rules."""
        return len(self.rules)

    @property
    def ids(self) -> list[str]:
        """The rule ids in catalogue order."""
        return [rule.id for rule in self.rules]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; KeyError naming the id when the catalogue has none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r} in {self.path}")

    def in_family(self, family: Family) -> list[Rule]:
        """The rules of one family, in catalogue order."""
        return [rule for rule in self.rules if rule.family == family.name]


@dataclass(frozen=True)
class SuiteTest:
    """A suite test function that names a rule: its pytest node id and where it is defined."""

    node_id: str
    path: str
    line: int


# ---------------------------------------------------------------- loading


def read_raw(path: Path | str) -> dict:
    """The catalogue file as plain data."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load(path: Path | str | None = None, profile: profiles.Profile | Path | str | None = None) -> Catalogue:
    """Load and validate the catalogue (the packaged one by default) against a profile (a Profile, a file, or the default)."""
    catalogue_path = Path(path) if path else DEFAULT_CATALOGUE
    profile_path = profile.path if isinstance(profile, profiles.Profile) else (Path(profile) if profile else paths.DEFAULT_PROFILE)
    return _load(catalogue_path.resolve(), profile_path.resolve())


def rule(rule_id: str) -> Rule:
    """One rule of the default catalogue read against the default profile."""
    return load().rule(rule_id)


@cache
def _load(catalogue_path: Path, profile_path: Path) -> Catalogue:
    """The catalogue read against one profile, cached per pair of files."""
    raw = read_raw(catalogue_path)
    validate_data(raw, "rules", source=str(catalogue_path))
    check_consistency(raw, source=str(catalogue_path))
    loaded_profile = profiles.load(profile_path)
    fill = _filler(loaded_profile)
    rules = tuple(_rule(entry, loaded_profile, fill) for entry in raw["rules"])
    families = tuple(Family(f["prefix"], f["name"]) for f in raw["families"])
    return Catalogue(path=catalogue_path, profile=loaded_profile, families=families, rules=rules)


def check_consistency(raw: dict, source: str) -> None:
    """Raise CatalogueError for what the schema cannot say: duplicate ids, unknown families, wrong prefixes, bad placeholders."""
    problems = []
    prefixes = {family["name"]: family["prefix"] for family in raw["families"]}
    seen: set[str] = set()
    for index, entry in enumerate(raw["rules"]):
        where = f"{source}: /rules/{index}"
        if entry["id"] in seen:
            problems.append(f"{where}/id: {entry['id']} is a duplicate; every rule id must be unique")
        seen.add(entry["id"])
        prefix = prefixes.get(entry["family"])
        if prefix is None:
            problems.append(f"{where}/family: {entry['family']!r} is not one of the families {sorted(prefixes)}")
        elif not entry["id"].startswith(prefix + "-"):
            problems.append(f"{where}/id: {entry['id']} does not start with its family's prefix {prefix}-")
        for text in entry_texts(entry):
            problems.extend(f"{where}: {problem}" for problem in _placeholder_problems(text))
    if problems:
        raise CatalogueError("\n".join(problems))


def entry_texts(entry: dict) -> list[str]:
    """The prose of one raw catalogue entry that may hold placeholders: title, statement, English renderings."""
    return [entry["title"], entry["statement"]] + [s["english"] for s in entry["sources"] if "english" in s]


def _placeholder_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of one text (fields no group has)."""
    problems = []
    for group, field in PLACEHOLDER.findall(text):
        known = _FEE_FIELDS if group == "fees" else _METHOD_FIELDS
        if field not in known:
            problems.append(f"placeholder {{{group}.{field}}}: {field!r} is not one of {sorted(known)}")
    return problems


def _rule(entry: dict, loaded_profile: profiles.Profile, fill: Callable[[str], str]) -> Rule:
    """One raw catalogue entry as a Rule read against the profile."""
    selectors = ("all",) if entry["methods"] == "all" else tuple(entry["methods"])
    return Rule(
        id=entry["id"],
        family=entry["family"],
        title=fill(entry["title"]),
        statement=fill(entry["statement"]),
        strictness=entry["strictness"],
        methods=resolve_methods(selectors, loaded_profile),
        capability=_capability(entry.get("capability")),
        sources=tuple(_source(s, loaded_profile, fill) for s in entry["sources"]),
        method_selectors=selectors,
    )


def resolve_methods(selectors: tuple[str, ...] | list[str], loaded_profile: profiles.Profile) -> tuple[str, ...]:
    """The profile's source types that the selectors pick, in profile order (types the profile lacks are dropped)."""
    def picked(method: profiles.Method) -> bool:
        """True when any selector picks this method."""
        return any(
            selector == "all" or selector == method.type or (selector in _SELECTORS and _SELECTORS[selector](method))
            for selector in selectors
        )

    return tuple(method.type for method in loaded_profile.methods.values() if picked(method))


def _capability(raw: str | dict | list | None) -> tuple[tuple[str, ...], ...]:
    """The capability field as requirements that must all hold, each a tuple of alternatives."""
    if raw is None:
        return ()
    requirements = raw if isinstance(raw, list) else [raw]
    return tuple(tuple(r["any_of"]) if isinstance(r, dict) else (r,) for r in requirements)


def _source(raw: dict, loaded_profile: profiles.Profile, fill: Callable[[str], str]) -> Source:
    """One raw source entry as a Source, resolving a profile citation."""
    if "profile_cite" in raw:
        return _profile_cite(raw["profile_cite"], fill(raw["english"]), loaded_profile)
    if "seed" in raw:
        return Source(kind="seed", seed=raw["seed"], quote=raw["quote"], english=fill(raw["english"]))
    if "fixture" in raw:
        return Source(kind="fixture", fixture=raw["fixture"], note=raw["note"])
    return Source(kind="contract", contract=raw["contract"])


def _profile_cite(key: str, english: str, loaded_profile: profiles.Profile) -> Source:
    """The profile's citation `fees` or `<type>.<key>` as a Source (kind `missing` when the profile has none)."""
    if key == "fees":
        cite = profiles.read_raw(loaded_profile.path)["fees"].get("cite")
    else:
        source_type, _, name = key.partition(".")
        method = loaded_profile.methods.get(source_type)
        cite = method.cite.get(name) if method else None
    if not cite:
        return Source(kind="missing", profile_cite=key, note=f"profile {loaded_profile.name} has no citation {key}")
    if "seed" in cite:
        return Source(kind="seed", seed=cite["seed"], quote=cite["quote"], english=english, profile_cite=key)
    return Source(kind="fixture", fixture=cite["fixture"], note=cite.get("note", ""), profile_cite=key)


# ------------------------------------------------------------ placeholders


def _format(value: object) -> str:
    """A profile value as the contract writes it: lists comma-separated, codes in backticks, None as n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, tuple):
        return ", ".join(f"`{item}`" if isinstance(item, str) else str(item) for item in value)
    return str(value)


def placeholder_value(group: str, field: str, loaded_profile: profiles.Profile) -> str:
    """The text a {group.field} placeholder stands for in this profile; several values are listed by method."""
    if group == "fees":
        return loaded_profile.fee_strings[field]
    if group in _GROUPS:
        methods = [m for m in loaded_profile.methods.values() if _GROUPS[group](m)]
    else:
        methods = [loaded_profile.methods[group]] if group in loaded_profile.methods else []
    if not methods:
        return f"n/a (profile {loaded_profile.name} has no {group} method)"
    by_value: dict[str, list[str]] = {}
    for method in methods:
        by_value.setdefault(_format(_METHOD_FIELDS[field](method)), []).append(method.type)
    if len(by_value) == 1:
        return next(iter(by_value))
    return "; ".join(f"{value} for {', '.join(types)}" for value, types in by_value.items())


def _filler(loaded_profile: profiles.Profile) -> Callable[[str], str]:
    """A function that fills every placeholder of a text from the profile."""
    def fill(text: str) -> str:
        """The text with its placeholders replaced by the profile's values."""
        return PLACEHOLDER.sub(lambda m: placeholder_value(m.group(1), m.group(2), loaded_profile), text)

    return fill


# --------------------------------------------------------- finding the tests


@dataclass
class SuiteScan:
    """What reading the suites found: tests by rule id, tests whose rule ids are computed at import, unreadable files."""

    by_rule: dict[str, list[SuiteTest]]
    computed: list[tuple[SuiteTest, str]]  # (test, the expression its rule ids come from)
    unreadable: list[str]


def scan_suites(suites_dir: Path | None = None) -> SuiteScan:
    """Read `suites/test_*.py` (without importing them) for `pytest.mark.rule(...)` marks on tests."""
    suites_dir = suites_dir or paths.SUITES
    scan = SuiteScan(by_rule={}, computed=[], unreadable=[])
    for file in sorted(suites_dir.glob("test_*.py")):
        shown = f"{suites_dir.name}/{file.name}"
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=shown)
        except SyntaxError as error:
            scan.unreadable.append(f"{shown}: {error.msg} (line {error.lineno})")
            continue
        for test, ids, computed in _marked_tests(tree, shown):
            for rule_id in ids:
                scan.by_rule.setdefault(rule_id, []).append(test)
            scan.computed.extend((test, expression) for expression in computed)
    for tests in scan.by_rule.values():
        tests.sort(key=lambda t: (t.path, t.line))
    return scan


def tests_by_rule(suites_dir: Path | None = None) -> dict[str, list[SuiteTest]]:
    """Rule id -> the suite tests whose marks name it literally."""
    return scan_suites(suites_dir).by_rule


class _Marks:
    """The rule ids of `<...>.mark.rule(...)` calls in one module: literal strings and module-level constants."""

    def __init__(self, tree: ast.Module):
        """Collect the module-level names bound to literal rule ids."""
        self.constants: dict[str, tuple[str, ...]] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                value = _literal_ids(statement.value)
                if value is not None:
                    self.constants[statement.targets[0].id] = value

    def of(self, expression: ast.AST | None) -> tuple[list[str], list[str]]:
        """(rule ids, expressions that could not be read statically) of every rule mark inside an expression."""
        ids: list[str] = []
        computed: list[str] = []
        if expression is None:
            return ids, computed
        for node in ast.walk(expression):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "rule" and _is_mark(node.func.value)):
                continue
            for arg in node.args:
                inner = arg.value if isinstance(arg, ast.Starred) else arg
                literal = _literal_ids(inner)
                if literal is None and isinstance(inner, ast.Name):
                    literal = self.constants.get(inner.id)
                if literal is None:
                    computed.append(ast.unparse(arg))
                else:
                    ids.extend(literal)
        return ids, computed

    def of_all(self, expressions: list[ast.AST]) -> tuple[list[str], list[str]]:
        """The marks of several expressions together."""
        ids: list[str] = []
        computed: list[str] = []
        for expression in expressions:
            more_ids, more_computed = self.of(expression)
            ids += more_ids
            computed += more_computed
        return ids, computed


def _literal_ids(node: ast.AST) -> tuple[str, ...] | None:
    """The rule ids of a literal string, list or tuple of strings; None for anything computed."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _is_mark(node: ast.expr) -> bool:
    """True for `pytest.mark` or a bare `mark`."""
    return (isinstance(node, ast.Attribute) and node.attr == "mark") or (isinstance(node, ast.Name) and node.id == "mark")


def _pytestmark(body: list[ast.stmt]) -> list[ast.AST]:
    """The values assigned to `pytestmark` in a module or class body."""
    return [
        statement.value
        for statement in body
        if isinstance(statement, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "pytestmark" for target in statement.targets)
    ]


def _is_test(node: ast.stmt) -> bool:
    """True for a function pytest collects as a test."""
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")


def _marked_tests(tree: ast.Module, shown: str) -> Iterator[tuple[SuiteTest, list[str], list[str]]]:
    """Every test of a module with its rule ids (module, class and own marks) and its computed mark expressions."""
    marks = _Marks(tree)
    module_marks = _pytestmark(tree.body)
    for node in tree.body:
        if _is_test(node):
            ids, computed = marks.of_all(module_marks + node.decorator_list)
            yield SuiteTest(f"{shown}::{node.name}", shown, node.lineno), list(dict.fromkeys(ids)), computed
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_marks = module_marks + node.decorator_list + _pytestmark(node.body)
            for member in filter(_is_test, node.body):
                ids, computed = marks.of_all(class_marks + member.decorator_list)
                test = SuiteTest(f"{shown}::{node.name}::{member.name}", shown, member.lineno)
                yield test, list(dict.fromkeys(ids)), computed


# --------------------------------------------------------------- rendering


def _short_methods(rule_: Rule, loaded_profile: profiles.Profile) -> str:
    """The methods column: `all`, or the source types without the prefix every profile type shares."""
    if rule_.methods == tuple(loaded_profile.methods):
        return "all"
    if not rule_.methods:
        return "none"
    prefix = os.path.commonprefix(list(loaded_profile.methods))
    prefix = prefix[: prefix.rfind("_") + 1]
    return ",".join(source_type[len(prefix):] for source_type in rule_.methods)


def render_table(catalogue: Catalogue) -> str:
    """One line per rule: id, strictness, methods, title, in aligned columns."""
    rows = [(r.id, r.strictness, _short_methods(r, catalogue.profile), r.title) for r in catalogue]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows]
    return "\n".join(lines) + "\n"


def _collapse(text: str) -> str:
    """The text on one line, runs of whitespace made single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _source_lines(source: Source) -> list[str]:
    """One source as Markdown list lines."""
    via = f" (cited by the profile as `{source.profile_cite}`)" if source.profile_cite else ""
    if source.kind == "seed":
        return [f"- Seed `{source.seed}`{via}:", "", f"  > {_collapse(source.quote)}", "", f"  {source.english}", ""]
    if source.kind == "fixture":
        return [f"- Recorded API behaviour, `{source.fixture}`{via}: {source.note}", ""]
    if source.kind == "contract":
        return [f"- CONTRACT.md, section {source.contract} (the contract alone states this rule)", ""]
    return [f"- Not available: {source.note}", ""]


def _methods_text(rule_: Rule) -> str:
    """The methods of a rule in words, with the selectors that chose them."""
    chosen = ", ".join(f"`{t}`" for t in rule_.methods) or "none in this profile"
    if rule_.method_selectors == ("all",):
        return f"all ({chosen})"
    if set(rule_.method_selectors) == set(rule_.methods):
        return chosen
    return f"{chosen} (selected by {', '.join(f'`{s}`' for s in rule_.method_selectors)})"


def _capability_markdown(rule_: Rule) -> str:
    """The capability requirement with each name in backticks."""
    if not rule_.capability:
        return "none"
    return re.sub(r"[a-z_]+", lambda m: m.group(0) if m.group(0) in ("and", "or") else f"`{m.group(0)}`", rule_.capability_text)


def _test_lines(tests: list[SuiteTest]) -> list[str]:
    """The tests of a rule as Markdown links to their lines, or `no test yet`."""
    if not tests:
        return ["- no test yet"]
    return [f"- [`{t.node_id}`](../{t.path}#L{t.line}) ({t.path}, line {t.line})" for t in tests]


def _scan_notes(scan: SuiteScan) -> list[str]:
    """Markdown notes on tests whose rule ids are computed and on suite files that could not be read."""
    out = []
    if scan.computed:
        out += ["", "These tests compute their rule ids when the suite is imported, so they are not listed", "under the rules below:", ""]
        out += [f"- [`{t.node_id}`](../{t.path}#L{t.line}): `pytest.mark.rule({expression})`" for t, expression in scan.computed]
    if scan.unreadable:
        out += ["", "These suite files could not be read for rule marks:", ""] + [f"- {problem}" for problem in scan.unreadable]
    return out


def render_markdown(catalogue: Catalogue, scan: SuiteScan) -> str:
    """The rule reference: per family, each rule with its statement, sources, methods, strictness, capability and tests."""
    tests = scan.by_rule
    out = [
        "# Rule reference",
        "",
        f"<!-- Generated from suites/rules.yaml by `{REGENERATE_DOCS}`; do not edit by hand. -->",
        "",
        "Every rule of the installment payments contract (CONTRACT.md section 4), with the",
        "sentence of the seed documents (Thai, verbatim, with an English rendering) or the",
        "recorded API behaviour it comes from, and the suite tests that check it.",
        f"Numbers come from the profile `{catalogue.profile.name}` (`{catalogue.profile.path.name}`).",
        "",
        "Strictness: **exact**: documented, the tests assert the exact value;",
        "**class**: documented outcome with an undocumented detail, the tests assert the class only",
        "(for example a 4xx `error` object).",
        "Capability: what a target must offer for the rule to be checked; without it the rule is",
        "reported as not applicable, naming the capability.",
        "",
        "| Family | Rules | With a test |",
        "|---|---|---|",
    ]
    for family in catalogue.families:
        rules = catalogue.in_family(family)
        tested = sum(1 for r in rules if tests.get(r.id))
        out.append(f"| [{family.name} ({family.prefix})](#family-{family.prefix.lower()}) | {len(rules)} | {tested} |")
    out += _scan_notes(scan)
    for family in catalogue.families:
        out += ["", f'<a id="family-{family.prefix.lower()}"></a>', "", f"## {family.name} ({family.prefix})"]
        for r in catalogue.in_family(family):
            out += [
                "",
                f'<a id="{r.id}"></a>',
                "",
                f"### {r.id}: {r.title}",
                "",
                r.statement,
                "",
                f"- Strictness: {r.strictness}",
                f"- Methods: {_methods_text(r)}",
                f"- Capability: {_capability_markdown(r)}",
                "",
                "Sources:",
                "",
            ]
            for source in r.sources:
                out += _source_lines(source)
            out += ["Tests:", ""] + _test_lines(tests.get(r.id, []))
    return "\n".join(out) + "\n"


# -------------------------------------------------------------- subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the `rules` subcommand."""
    parser.add_argument("--profile", metavar="FILE", help="payment-method profile whose numbers fill the statements (default: omise-th)")
    parser.add_argument("--catalogue", metavar="FILE", help="rule catalogue to read (default: the packaged suites/rules.yaml)")
    parser.add_argument("--markdown", action="store_true", help="render the rule reference (sources, methods, tests) as Markdown")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    """Print the catalogue (a table, or the Markdown reference); exit status 2 when a data file is invalid."""
    try:
        catalogue = load(args.catalogue, args.profile)
    except (DataFileError, OSError) as error:
        print(f"installment-conformance rules: {error}", file=sys.stderr)
        return 2
    text = render_markdown(catalogue, scan_suites()) if args.markdown else render_table(catalogue)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(catalogue)} rules)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
