"""Secrets out before anything is logged, stored, matched or echoed.

Two rulesets, both run on RE2 (linear time on any input, bot/engine/regex.py):
- detect-secrets' published detectors (AWS key ids, GitHub, Slack, private keys, Stripe, SendGrid, ...),
  read from the installed package, so its maintainers' updates arrive with the package; and its
  list of credential names (password, secret, api_key, ...) for `NAME=value` / `"name": "value"`.
  They arrive as data (`bot/engine/detector_ruleset.py`): the command line hands in a cached copy
  (`use_ruleset`), so it need not import detect-secrets; otherwise they are read at first use.
- our own Azure forms and those the detectors do not cover: bearer tokens, JWTs, SAS signatures,
  connection strings, URL passwords, bare 88-character storage keys, bare endpoint keys, `sk-` and
  `xapp-` tokens, AWS secret keys after their name, private-key blocks whole.

Each rule has a cheap lowercase literal trigger, so a 1 MB paste without, say, a SAS URL costs one
substring search for that rule, not a regex pass. Hex strings (request ids, git shas, digests) are
never taken for keys: a bare key must mix upper case, lower case and digits.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import re2

from bot.engine.detector_ruleset import DetectorRuleset, extract_ruleset
from bot.engine.index import literal_anchor
from bot.engine.regex import literals_in

MASK = "[REDACTED]"
# A bare key: 32+ letters and digits mixing cases and digits, and as random as a key is.
_MIN_KEY_ENTROPY = 4.0  # bits per character; random base62 has ~5, camel-case words stay under 4
_DELIMITERS = b" \t\r\n\"'=:,;`"
_MASK_BYTES = MASK.encode()
_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED
_ANCHOR_BOTH = re2._re2.RE2.Anchor.ANCHOR_BOTH
# A password may be a plain word; a token, key or secret has digits or length (or it is prose).
_PASSWORD_NAME = re.compile(r"pass|pwd|contrase", re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"\d|[^A-Za-z]|^.{16}")
# Values after a credential's name that are no credential: counts, booleans, placeholders, masks.
_NOT_A_SECRET = re.compile(r"\d{1,7}|true|false|null|none|\*+|<[^>]*>?|\$\{?[\w.-]*\}?|\{\{[^}]*\}\}|"
                           r"\[REDACTED\]|REDACTED\]?", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    name: str
    triggers: tuple[str, ...]  # lowercase literals, one of which every match contains (none: always run)
    regex: re2._Regexp
    bare_key: bool = False  # the match is a candidate that must also look random
    groups: dict[str, int] = field(init=False, compare=False)  # re2 rebuilds groupindex on every access
    # The same pattern without capture groups: RE2 finds its matches 4x faster (DFA only).
    finder: re2._Regexp = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", dict(self.regex.groupindex))
        object.__setattr__(self, "finder", _re2(self.regex.pattern, ignore_case=not self.regex.options.case_sensitive,
                                                capture=False))


def _re2(pattern: str, *, ignore_case: bool = False, capture: bool = True) -> re2._Regexp:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.never_capture = not capture
    return re2.compile(pattern, options)


# Ours beside detect-secrets' names ("api_?key", "password", ...); "_?" also allows "-" (api-key).
_OWN_NAMES = (
    "token", "access_?token", "refresh_?token", "id_?token", "credentials?", "client_?secret",
    "secret_?access_?key", "sas_?token", "connection_?string", "ocp-apim-subscription-key", "primary_?key",
    "secondary_?key", "endpoint_?key", "subscription_?key", "access_?key")
# Value of a named credential: quoted (spaces allowed) or a bare run.
_VALUE = r"""(?:"(?P<sd>[^"\n]{3,})"|'(?P<sq>[^'\n]{3,})'|(?P<s>[^\s"',;<>]{3,}))"""

_NAMES_SLOT = "<credential names>"  # filled when the rules are built: the names come with the ruleset
_NAME_TRIGGERS = ("key", "pass", "pwd", "secret", "token", "credential", "contrase", "sas", "connection")
_OWN_RULES: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    # (name, triggers, pattern, ignore case); the secret is group s/sd/sq when there is one, else the match.
    ("private key block", ("private key",),
     r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-[^-])*(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY"
     r"(?: BLOCK)?-----)?", False),
    ("bearer", ("bearer",), r"\bbearer\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})", True),
    ("jwt", ("eyj",), r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", False),
    ("sas signature", ("sig=",), r"\bsig=(?P<s>[^&\s\"'<>]+)", True),
    ("connection string key", ("key=",), r"\b(?:Account|SharedAccess)Key=(?P<s>[^;\s\"']+)", True),
    ("connection string password", ("password=", "pwd="), r"\b(?:Password|Pwd)=(?P<s>[^;\s\"']+)", True),
    ("url password", ("@",), r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:(?P<s>[^@\s/\"']+)@", True),
    ("named credential", _NAME_TRIGGERS,
     r"\b[\w.-]*?(?P<n>" + _NAMES_SLOT + r")\w*[\"'\]]{0,2}[ \t]*(?::=|=>|[:=])[ \t]*" + _VALUE, True),
    ("azure storage key", ("==",), r"(?:^|[^A-Za-z0-9+/])(?P<s>[A-Za-z0-9+/]{86}==)", False),
    ("openai-style key", ("sk-",), r"\bsk-(?P<s>[A-Za-z0-9_-]{20,})", False),
    ("slack app token", ("xapp-",), r"\bxapp-[0-9A-Za-z-]{10,}", False),
    ("slack token", ("xox",), r"\bxox[a-z]-[0-9A-Za-z-]{10,}", False),
    ("github fine-grained token", ("github_pat_",), r"\bgithub_pat_[A-Za-z0-9_]{22,}", False),
    ("aws secret key", ("aws",), r"aws\w*\W{1,6}(?P<s>[A-Za-z0-9/+]{40})\b", True),
)
_BARE_KEY = r"\b[A-Za-z0-9]{32,128}\b"


def _build_rules(ruleset: DetectorRuleset) -> tuple[Rule, ...]:
    names = "|".join(ruleset.credential_names + _OWN_NAMES).replace("_?", "[_-]?")
    own = [Rule(name, triggers, _re2(pattern.replace(_NAMES_SLOT, names), ignore_case=ic))
           for name, triggers, pattern, ic in _OWN_RULES]
    detectors = []
    for name, source, ignore_case in ruleset.detectors:
        anchor = literal_anchor(source)
        detectors.append(Rule(name, (anchor,) if anchor else (), _re2(source, ignore_case=ignore_case)))
    # Ours first: they keep the name of a credential and mask only its value.
    return (*own, *detectors, Rule("bare key", (), _re2(_BARE_KEY), bare_key=True))


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[Rule, ...]
    # The rules without a literal trigger, as one alternation: one DFA pass tells whether any can match
    # (on a 1 MB log with none, 3 ms instead of a pass per rule, 25 ms).
    untriggered: re2._Regexp
    # All rules' triggers, looked for together (regex.literals_in: one RE2 pass over a long paste;
    # 60 substring searches of a 1 MB paste took 25 ms).
    trigger_names: tuple[str, ...]

    @classmethod
    def build(cls, ruleset: DetectorRuleset) -> _Compiled:
        rules = _build_rules(ruleset)
        untriggered = _re2("|".join(f"(?{'i' if r.regex.options.case_sensitive is False else ''}:{r.regex.pattern})"
                                    for r in rules if not r.triggers), capture=False)
        trigger_names = tuple(sorted({t for rule in rules for t in rule.triggers}))
        return cls(rules, untriggered, trigger_names)


_compiled: _Compiled | None = None


def use_ruleset(ruleset: DetectorRuleset) -> None:
    """Redact with these detectors and credential names from now on (e.g. a cached copy of what
    `extract_ruleset` reads). re2.error when a pattern in it does not compile; nothing changes then."""
    global _compiled
    _compiled = _Compiled.build(ruleset)


def _rules() -> _Compiled:
    if _compiled is None:
        # Nobody handed a ruleset in: read it from detect-secrets now. Two threads meeting here build
        # the same rules twice, which is harmless.
        use_ruleset(extract_ruleset())
    return _compiled


def rules() -> tuple[Rule, ...]:
    """The rules redaction runs, in order."""
    return _rules().rules


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(c / len(token) * math.log2(c / len(token)) for c in counts.values())


def _looks_random(token: str) -> bool:
    return (any(c.isupper() for c in token) and any(c.islower() for c in token)
            and any(c.isdigit() for c in token) and _entropy(token) >= _MIN_KEY_ENTROPY)


def _matches(rule: Rule, data: bytes):
    """Group spans (byte offsets) of each match, straight from RE2.

    The re2 module's own Match objects cost ~25 us each; a paste of 65,000 `secret=x` made that
    5 s. One C call per match keeps it at a few microseconds.
    """
    finder, capturer, pos, end = rule.finder._regexp, rule.regex._regexp, 0, len(data)
    groups = rule.regex.groups
    while pos <= end:
        found = finder.Match(_UNANCHORED, data, pos, end)[0]
        if found[0] < 0:
            return
        # Groups only for the span just found: the capturing engine never scans the whole paste.
        spans = capturer.Match(_ANCHOR_BOTH, data, found[0], found[1]) if groups else [found]
        if spans[0][0] < 0:  # cannot happen for the same pattern; mask the whole match then
            spans = [found] + [(-1, -1)] * groups
        yield spans
        pos = found[1] if found[1] > found[0] else found[1] + 1


def _masked_spans(rule: Rule, data: bytes, spans) -> list[tuple[int, int]]:
    """The parts of one match to replace with MASK (empty when the match is no secret after all)."""
    start0, end0 = spans[0]
    whole = data[start0:end0]
    if rule.bare_key:
        return [spans[0]] if _looks_random(whole.decode("ascii")) else []
    named = rule.groups
    chosen = [spans[named[g]] for g in ("s", "sd", "sq") if g in named and spans[named[g]][0] >= 0]
    if chosen:
        value = data[chosen[0][0]:chosen[0][1]].decode("utf-8", "surrogatepass")
        if _NOT_A_SECRET.fullmatch(value):
            return []  # max_tokens: 4096, password: null, secret=<your secret>
        if "n" in named:
            name = data[spans[named["n"]][0]:spans[named["n"]][1]].decode("ascii", "replace")
            if not _PASSWORD_NAME.search(name) and not _TOKEN_LIKE.search(value):
                return []  # "failed to fetch anonymous token: unexpected status": prose, not a token
        return chosen
    if len(spans) > 1 and spans[1][0] >= 0 and spans[1][1] - spans[1][0] >= 8:
        return [spans[1]]  # detect-secrets' detectors capture the secret in group 1 (not "ghp")
    # The whole match, without the blanks and quotes a detector matches around the secret.
    inner = whole.strip(_DELIMITERS)
    if not inner:
        return []
    lead = whole.index(inner)
    return [(start0 + lead, start0 + lead + len(inner))]


def _redact_rule(rule: Rule, data: bytes) -> bytes:
    out, at = [], 0
    for spans in _matches(rule, data):
        for start, end in _masked_spans(rule, data, spans):
            if start >= at:
                out += (data[at:start], _MASK_BYTES)
                at = end
    if not out:
        return data
    out.append(data[at:])
    return b"".join(out)


def _present_triggers(compiled: _Compiled, lower: str) -> frozenset[str]:
    return literals_in(compiled.trigger_names, lower)


def _matches_any(compiled: _Compiled, text: str | bytes) -> bool:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return compiled.untriggered._regexp.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0


def redact(text: str, lower: str | None = None) -> str:
    """Replace every secret the rules know with [REDACTED]; the rest is left as it was.

    Returns `text` itself (the same object) when nothing was found.
    """
    lower = text.lower() if lower is None else lower
    data = None
    untriggered = None  # whether any rule without a trigger can match: found out when first needed
    compiled = _rules()
    present = _present_triggers(compiled, lower)
    for rule in compiled.rules:
        if rule.triggers and not any(t in present for t in rule.triggers):
            continue
        if not rule.triggers:
            if untriggered is None:
                untriggered = _matches_any(compiled, text if data is None else data)
            if not untriggered:
                continue
        if data is None:
            # Bytes once for all rules; surrogatepass: a lone surrogate in a paste is no reason to fail.
            data = text.encode("utf-8", "surrogatepass")
        redacted = _redact_rule(rule, data)
        if redacted is not data:
            data = redacted
            # A mask may have removed a trigger; one it adds ("[REDACTED]") is no trigger of any rule.
            present = _present_triggers(compiled, data.decode("utf-8", "surrogatepass").lower())
    if data is None:
        return text
    result = data.decode("utf-8", "surrogatepass")
    return text if result == text else result
