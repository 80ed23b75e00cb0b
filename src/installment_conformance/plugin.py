"""The pytest plugin: target options, the live-key guard, `target`/`api`/`profile` fixtures, rule and needs markers, deviations, rule outcomes and reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from installment_conformance import catalogue as catalogues
from installment_conformance import checks, deviations, paths, recording
from installment_conformance import profile as profiles
from installment_conformance import target as targets
from installment_conformance.client import DEFAULT_TIMEOUT_SECONDS, Api
from installment_conformance.report import outcomes

GROUP = "installment-conformance"
RULE_PARAMETER = "conformance_rule"


@dataclass
class Settings:
    """The run's choices, read once from the command line and the environment."""

    target: str
    profile: profiles.Profile
    catalogue: catalogues.Catalogue
    report_dir: Path | None
    deviations: deviations.Deviations
    faults: tuple[str, ...]
    timeout: float
    keys: tuple[str, str] | None  # None: generated for the embedded mock
    cassettes: Path = paths.CASSETTES
    recording: str | None = None  # "record", "replay" or None (no cassettes)
    provenance: dict | None = None
    results: outcomes.Results = field(default_factory=outcomes.Results)
    started: float = field(default_factory=time.time)
    live_target: targets.Target | None = None


SETTINGS = pytest.StashKey[Settings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options, in one group, each with help."""
    group = parser.getgroup(GROUP, "installment-conformance: run the Thai installment payments contract against a target")
    group.addoption("--target", default=targets.MOCK, metavar="mock|replay|URL",
                    help="what to test: 'mock' (default) starts the embedded reference mock on a free 127.0.0.1 port; "
                         "'replay' replays the cassettes with the network blocked; an http(s):// base URL tests that gateway "
                         "with OMISE_PUBLIC_KEY / OMISE_SECRET_KEY (test keys only)")
    group.addoption("--profile", default=None, metavar="FILE",
                    help="payment-method profile YAML the target is checked against (default: the packaged omise-th.yaml)")
    group.addoption("--report", default=None, metavar="DIR",
                    help="write report.json, report.md, report.html and junit.xml into DIR")
    group.addoption("--deviations", default=None, metavar="FILE",
                    help="YAML list of the target's known deviations (rule ids with reasons), run as strict xfails")
    group.addoption("--mock-fault", action="append", default=[], metavar="NAME",
                    help="switch on a named fault of the embedded mock (repeatable; see `installment-conformance mock --fault list`)")
    group.addoption("--record-cassettes", action="store_true",
                    help="(re)record one vcrpy cassette per suite test from the target (keys scrubbed) for --target replay")
    group.addoption("--cassette-dir", default=None, metavar="DIR",
                    help="where cassettes are read and written (default: the project's cassettes/)")
    group.addoption("--request-timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                    help=f"timeout of every request to the target (default {DEFAULT_TIMEOUT_SECONDS:g})")


@pytest.hookimpl(tryfirst=True)  # before junitxml reads --junitxml, so --report can set it
def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, read the options (usage errors and the live-key guard happen here, before any request)."""
    config.addinivalue_line("markers", "rule(*ids): the contract rule ids (suites/rules.yaml) a test checks; its id starts with them")
    config.addinivalue_line("markers", "needs(*capabilities): capabilities the target must have, else the test is skipped naming them")
    config.addinivalue_line("markers", "live_only(reason): the test needs a live target and cannot be replayed from cassettes")
    settings = config.stash[SETTINGS] = _settings(config)
    checks.use_catalogue(settings.catalogue)
    if settings.report_dir and not config.option.xmlpath:
        config.option.xmlpath = str(settings.report_dir / "junit.xml")
    config.pluginmanager.register(Recorder(settings), "installment-conformance-recorder")
    if settings.recording:
        _use_cassettes(config, settings)


def _use_cassettes(config: pytest.Config, settings: Settings) -> None:
    """Replay with the network blocked, or rewrite the cassettes; random test data becomes repeatable either way."""
    import hypothesis

    if settings.recording == targets.REPLAY:
        config.option.record_mode, config.option.block_network = "none", True
    else:
        config.option.record_mode = "rewrite"
    hypothesis.settings.register_profile("installment-conformance-cassettes", derandomize=True, database=None)
    hypothesis.settings.load_profile("installment-conformance-cassettes")


def _settings(config: pytest.Config) -> Settings:
    """The run's settings; pytest.UsageError saying what to fix when an option is wrong."""
    option = config.getoption
    try:
        target = targets.check_target_option(option("--target"))
        loaded = profiles.load(option("--profile")) if option("--profile") else profiles.load()
        loaded_catalogue = catalogues.load(profile=loaded)
        known = deviations.load(option("--deviations"), loaded_catalogue) if option("--deviations") else deviations.Deviations()
        keys = None
        if target not in (targets.MOCK, targets.REPLAY):
            keys = targets.keys_from_environment()
            targets.refuse_live_keys(*keys)
        if option("--mock-fault") and target != targets.MOCK:
            raise ValueError("--mock-fault switches faults on in the embedded mock: use it with --target mock")
        if option("--mock-fault"):
            from installment_conformance.mock.faults import Faults

            Faults(option("--mock-fault"))
        if option("--request-timeout") <= 0:
            raise ValueError("--request-timeout must be a positive number of seconds")
        cassettes = Path(option("--cassette-dir")) if option("--cassette-dir") else paths.CASSETTES
        mode, stamp = _recording_mode(target, option("--record-cassettes"), cassettes)
    except (ValueError, OSError, targets.LiveKeyRefused) as error:
        raise pytest.UsageError(f"installment-conformance: {error}") from None
    report_dir = Path(option("--report")) if option("--report") else None
    return Settings(target=target, profile=loaded, catalogue=loaded_catalogue, report_dir=report_dir, deviations=known,
                    faults=tuple(option("--mock-fault")), timeout=option("--request-timeout"), keys=keys,
                    cassettes=cassettes, recording=mode, provenance=stamp)


def _recording_mode(target: str, record: bool, cassettes: Path) -> tuple[str | None, dict | None]:
    """("record" | "replay" | None, the recorded provenance for a replay); ValueError for a replay with nothing recorded."""
    if target == targets.REPLAY:
        if record:
            raise ValueError("--record-cassettes records from a live target: use --target mock or a URL")
        stamp = recording.read_provenance(cassettes)
        if stamp is None:
            raise ValueError(f"no cassettes recorded under {recording.suite_cassettes(cassettes)}: "
                             "record them first with `installment-conformance run --record`")
        return targets.REPLAY, stamp
    return ("record", None) if record else (None, None)


def active_profile(config: pytest.Config) -> profiles.Profile:
    """The profile the run checks against (usable while tests are collected)."""
    return config.stash[SETTINGS].profile


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def profile(pytestconfig: pytest.Config) -> profiles.Profile:
    """The payment-method profile the run checks against."""
    return active_profile(pytestconfig)


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config):
    """The target under test, started (embedded mock) or described (URL), with its probed capabilities."""
    settings = pytestconfig.stash[SETTINGS]
    running = None
    if settings.target == targets.MOCK:
        from installment_conformance.mock.serve import start_background

        running = start_background(settings.profile.path, faults=settings.faults)
        public_key, secret_key = targets.generated_keys()
        base_url, kind = running.base_url, targets.MOCK
    elif settings.target == targets.REPLAY:
        public_key, secret_key = targets.generated_keys()
        settings.live_target = targets.Target(base_url=settings.provenance["target"], public_key=public_key, secret_key=secret_key,
                                              profile=settings.profile, kind=targets.REPLAY,
                                              capabilities=frozenset(settings.provenance.get("capabilities", ())))
        yield settings.live_target
        return
    else:
        public_key, secret_key = settings.keys
        base_url, kind = settings.target, "url"
    api = Api(base_url, public_key, secret_key, timeout=settings.timeout)
    try:
        capabilities, notes = targets.probe_capabilities(api, settings.profile)
    finally:
        api.close()
    settings.live_target = targets.Target(base_url=base_url, public_key=public_key, secret_key=secret_key, profile=settings.profile,
                                          kind=kind, capabilities=capabilities, probe_notes=notes, faults=settings.faults)
    if settings.recording == "record":
        recording.ProvenancePersister.stamp = recording.provenance(base_url, settings.profile.path, outcomes.suite_version(),
                                                                   sorted(capabilities))
        recording.write_provenance(recording.ProvenancePersister.stamp, settings.cassettes)
    yield settings.live_target
    if running is not None:
        running.stop()


@pytest.fixture(scope="session")
def api(target, pytestconfig: pytest.Config):
    """An `Api` bound to the target and its keys."""
    client = Api(target.base_url, target.public_key, target.secret_key, timeout=pytestconfig.stash[SETTINGS].timeout)
    yield client
    pytestconfig.stash[SETTINGS].results.requests += client.requests_sent
    client.close()


@pytest.fixture(autouse=True)
def conformance_rule(request: pytest.FixtureRequest):
    """The rule ids of a suite test (its first parameter); skips the test, naming them, when the target lacks a needed capability."""
    needed = needed_capabilities(request.node)
    if needed:
        available = request.getfixturevalue("target").capabilities
        missing = [name for name in needed if name not in available]
        if missing:
            pytest.skip(f"{outcomes.NEEDS_PREFIX}{', '.join(missing)} (the target does not offer it)")
    return getattr(request, "param", None)


def rule_ids(node) -> list[str]:
    """The rule ids of a test's `rule` marks, in order, without repeats."""
    ids: list[str] = []
    for mark in node.iter_markers("rule"):
        ids += [rule_id for rule_id in mark.args if rule_id not in ids]
    return ids


def needed_capabilities(node) -> list[str]:
    """The capabilities of a test's `needs` marks."""
    return [name for mark in node.iter_markers("needs") for name in mark.args]


# ---------------------------------------------------------------- collection


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give every rule-marked test a first parameter naming its rules, so its id starts with them (`-k RFD-03`)."""
    ids = rule_ids(metafunc.definition)
    if ids and RULE_PARAMETER in metafunc.fixturenames:
        label = "+".join(ids)
        metafunc.parametrize(RULE_PARAMETER, [label], ids=[label], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check every rule id against the catalogue, make them `-k` keywords, and mark known deviations as strict xfails."""
    settings = config.stash[SETTINGS]
    known = set(settings.catalogue.ids)
    unknown = []
    for item in items:
        ids = rule_ids(item)
        if not ids:
            continue
        unknown += [f"{item.nodeid}: {rule_id}" for rule_id in ids if rule_id not in known]
        item.extra_keyword_matches.update(ids)
        settings.results.rules_of[item.nodeid] = ids
        if settings.recording:
            _cassette_marks(item, settings.recording)
        deviation = settings.deviations.matching(ids, item.nodeid)
        if deviation is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"{outcomes.DEVIATION_PREFIX}{deviation.rule}: {deviation.reason}"))
    if unknown:
        raise pytest.UsageError("tests name rules that are not in the catalogue:\n  " + "\n  ".join(unknown))


def _cassette_marks(item: pytest.Item, mode: str) -> None:
    """A cassette for each replayable test; a replay skips the tests that need a live target, saying why."""
    live_only = item.get_closest_marker("live_only")
    if live_only is None:
        item.add_marker(pytest.mark.vcr)
    elif mode == targets.REPLAY:
        reason = live_only.args[0] if live_only.args else "it needs a live target"
        item.add_marker(pytest.mark.skip(reason=f"{outcomes.NOT_REPLAYABLE_PREFIX}{reason}"))


@pytest.fixture
def cassette_config(target) -> dict:
    """The vcrpy options of a suite cassette: parsed-body matching, the run's keys scrubbed (suites/conftest.py serves it as vcr_config)."""
    return recording.vcr_config((target.secret_key, target.public_key))


@pytest.fixture(scope="module")
def cassette_dir(request: pytest.FixtureRequest) -> str:
    """The cassette folder of a suite module (suites/conftest.py serves it as vcr_cassette_dir)."""
    return str(recording.suite_cassettes(request.config.stash[SETTINGS].cassettes) / Path(str(request.node.fspath)).stem)


def pytest_recording_configure(config: pytest.Config, vcr) -> None:
    """Every cassette matches bodies by their parsed content and is saved with its provenance."""
    vcr.register_matcher("parsed_body", recording.match_parsed_body)
    vcr.register_persister(recording.ProvenancePersister)


# ---------------------------------------------------------------- outcomes and reports


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep the plain message of a failure (a ContractFailure speaks the contract) beside pytest's report."""
    report = yield
    if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
        report.conformance_message = outcomes.failure_message(call.excinfo)
    return report


class Recorder:
    """Folds test outcomes into rule outcomes, writes the reports and prints the rule table."""

    def __init__(self, settings: Settings):
        """Record into the run's settings."""
        self.settings = settings
        self.written: list[Path] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold each phase of a rule-marked test into its test outcome."""
        if report.nodeid in self.settings.results.rules_of:
            self.settings.results.record(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the reports when --report is given."""
        if self.settings.report_dir and self.settings.results.tests:
            from installment_conformance.report import write

            self.written = write(self.report(), self.settings.report_dir)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        """A table of rule outcomes after the test summary, and where the reports are."""
        if not self.settings.results.tests:
            return
        for line in outcomes.summary_lines(self.report()):
            terminalreporter.write_line(line)
        if self.written:
            terminalreporter.write_line(f"reports: {', '.join(str(path) for path in self.written)}")

    def report(self) -> dict:
        """The report of the run so far."""
        settings, live = self.settings, self.settings.live_target
        return outcomes.build(
            settings.catalogue, settings.results,
            target=live.description if live else settings.target,
            capabilities=sorted(live.capabilities) if live else [],
            faults=list(settings.faults), started=settings.started,
        )
