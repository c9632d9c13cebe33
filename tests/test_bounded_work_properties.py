"""Property tests: the pattern engine does bounded work on hostile pastes, and every alert parser turns
any JSON into alerts or its own validation error, nothing else.

Work is asserted, not time: every knowledge-base pattern runs on RE2, a diagnosis charges its pattern
searches to one budget that it never overdraws, and `kb check` refuses what RE2 cannot run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alerts.model import SOURCES, Alert, AlertPayloadError
from bot.alerts.sources import parse_payload
from bot.engine import regex
from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.kb.regexcheck import pattern_problems
from tests.adversarial import BUILTIN_PIECES, FILLERS, literal_pieces

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
ENTRIES = load_knowledge(KNOWLEDGE).entries
INDEX = build_index(ENTRIES, load_guide_files(KNOWLEDGE)[0])
PATTERNS = [p for e in ENTRIES for p in e.signals.patterns]
PIECES = sorted({piece for p in PATTERNS for piece in literal_pieces(p)} | set(BUILTIN_PIECES))
PAYLOADS = Path(__file__).resolve().parent / "alert_payloads"
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_knowledge_base_pattern_runs_on_the_linear_engine():
    assert PATTERNS and len(INDEX.patterns) == len(PATTERNS)
    for pattern in INDEX.patterns:
        assert pattern.regex.engine == "re2" and pattern.regex.program_size > 0, pattern.source


# A hostile paste: pieces of the patterns' own literals, each repeated, glued with fillers.
hostile = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(FILLERS), st.integers(1, 3000)),
                   min_size=1, max_size=6).map(lambda parts: "".join((p + f) * n for p, f, n in parts))


@QUICK
@given(hostile)
def test_a_hostile_paste_costs_at_most_the_work_budget(paste):
    with regex.work_budget() as budget:
        diagnosis = diagnose(paste, INDEX)
    assert diagnosis.decision in ("match", "close_call", "no_match")
    assert 0 <= budget.spent <= regex.WORK_BUDGET
    # Each search was charged at most (characters) x (program size): no search ran unaccounted.
    assert budget.remaining == regex.WORK_BUDGET - budget.spent


@QUICK
@given(st.lists(st.sampled_from(PIECES + [" ", "\n", "x", "A", "0", "Error", "HTTPError", "-"]), max_size=40))
def test_re2_finds_what_pythons_re_finds_for_every_pattern(parts):
    # The port to RE2 keeps each pattern's meaning (on ASCII text, where \w and \b agree).
    text = "".join(parts)
    for pattern in INDEX.patterns:
        expected = re.search(pattern.source, text, re.IGNORECASE | re.ASCII)
        found = pattern.regex.search(text)
        assert (found is None) == (expected is None), (pattern.source, text)
        if found:
            assert found.span() == expected.span(), (pattern.source, text)


@QUICK
@given(st.sampled_from(["(?=x)", "(?!x)", "(?<=x)", "(?<!x)", r"(\w)\1", r"(?P<a>x)(?P=a)"]),
       st.text(alphabet="abc .", max_size=10), st.text(alphabet="abc .", max_size=10))
def test_kb_check_refuses_patterns_that_need_backtracking(construct, before, after):
    problems = pattern_problems(re.escape(before) + construct + re.escape(after))
    assert problems and ("look-around" in problems[0] or "back-reference" in problems[0]), problems


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25)


def _parse(source: str, body: bytes) -> None:
    try:
        alerts = parse_payload(source, body)
    except AlertPayloadError as exc:
        assert exc.status in (400, 422)
        return
    assert isinstance(alerts, list) and all(isinstance(a, Alert) for a in alerts)


@QUICK
@given(st.sampled_from(SOURCES), json_values)
def test_any_json_is_alerts_or_the_parsers_own_error(source, value):
    _parse(source, json.dumps(value).encode())


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _paths(inner, (*path, n))


SAMPLES = [(source, json.loads(f.read_text(encoding="utf-8")))
           for source, prefix in (("alertmanager", "alertmanager"), ("azure-monitor", "azure"), ("grafana", "grafana"),
                                  ("generic", "generic"))
           for f in sorted(PAYLOADS.glob(f"{prefix}_*.json"))]


@QUICK
@given(st.sampled_from(SAMPLES), st.data())
def test_a_real_payload_with_any_field_replaced_is_alerts_or_the_parsers_own_error(sample, data):
    source, body = sample
    body = json.loads(json.dumps(body))
    paths = [p for p in _paths(body) if p]
    path = data.draw(st.sampled_from(paths))
    holder = body
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = data.draw(json_values)
    _parse(source, json.dumps(body).encode())
