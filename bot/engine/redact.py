"""Secrets out before anything is logged, stored, matched or echoed.

Two rulesets, both run on RE2 (linear time on any input, bot/engine/regex.py):
- detect-secrets' published detectors (AWS key ids, GitHub, Slack, private keys, Stripe, SendGrid, ...),
  read from the installed package, so its maintainers' updates arrive with the package; and its
  list of credential names (password, secret, api_key, ...) for `NAME=value` / `"name": "value"`.
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
from dataclasses import dataclass

import re2
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.keyword import DENYLIST as CREDENTIAL_NAMES

from bot.engine.index import literal_anchor

MASK = "[REDACTED]"
# detect-secrets detectors left out: public IP addresses are no secret and name the endpoint a
# command needs; the keyword and high-entropy detectors are replaced by the rules below, which run
# over a whole paste instead of line by line and know which hex strings are ids.
_SKIPPED_DETECTORS = {"IPPublicDetector", "KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"}
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

    @property
    def groups(self) -> dict[str, int]:
        return _GROUPS[self.name]

    @property
    def finder(self) -> re2._Regexp:
        """The same pattern without capture groups: RE2 finds its matches 4x faster (DFA only)."""
        return _FINDERS[self.name]


def _re2(pattern: str, *, ignore_case: bool = False, capture: bool = True) -> re2._Regexp:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.never_capture = not capture
    return re2.compile(pattern, options)


# detect-secrets' names ("api_?key", "password", ...), ours beside them; "_?" also allows "-" (api-key).
_NAMES = "|".join(CREDENTIAL_NAMES + (
    "token", "access_?token", "refresh_?token", "id_?token", "credentials?", "client_?secret",
    "secret_?access_?key", "sas_?token", "connection_?string", "ocp-apim-subscription-key", "primary_?key",
    "secondary_?key", "endpoint_?key", "subscription_?key", "access_?key")).replace("_?", "[_-]?")
# Value of a named credential: quoted (spaces allowed) or a bare run.
_VALUE = r"""(?:"(?P<sd>[^"\n]{3,})"|'(?P<sq>[^'\n]{3,})'|(?P<s>[^\s"',;<>]{3,}))"""

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
     r"\b[\w.-]*?(?P<n>" + _NAMES + r")\w*[\"'\]]{0,2}[ \t]*(?::=|=>|[:=])[ \t]*" + _VALUE, True),
    ("azure storage key", ("==",), r"(?:^|[^A-Za-z0-9+/])(?P<s>[A-Za-z0-9+/]{86}==)", False),
    ("openai-style key", ("sk-",), r"\bsk-(?P<s>[A-Za-z0-9_-]{20,})", False),
    ("slack app token", ("xapp-",), r"\bxapp-[0-9A-Za-z-]{10,}", False),
    ("slack token", ("xox",), r"\bxox[a-z]-[0-9A-Za-z-]{10,}", False),
    ("github fine-grained token", ("github_pat_",), r"\bgithub_pat_[A-Za-z0-9_]{22,}", False),
    ("aws secret key", ("aws",), r"aws\w*\W{1,6}(?P<s>[A-Za-z0-9/+]{40})\b", True),
)
_BARE_KEY = r"\b[A-Za-z0-9]{32,128}\b"


def _detector_rules() -> list[Rule]:
    """detect-secrets' regex detectors that RE2 can run (look-arounds at the edges are dropped)."""
    rules = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if cls.__name__ in _SKIPPED_DETECTORS:
            continue
        try:
            patterns = list(cls().denylist)
        except Exception:  # a detector that is not regex-based
            continue
        for n, compiled in enumerate(patterns):
            source = compiled.pattern.replace("(?:(?<=\\W)|(?<=^))", "").replace("(?!\\w)", "")
            try:
                regex = _re2(source, ignore_case=bool(compiled.flags & re.IGNORECASE))
            except re2.error:
                continue  # e.g. a repetition above RE2's 1000; the other detectors still run
            anchor = literal_anchor(source)
            rules.append(Rule(f"{cls.__name__}#{n}", (anchor,) if anchor else (), regex))
    return rules


def _build_rules() -> tuple[Rule, ...]:
    own = [Rule(name, triggers, _re2(pattern, ignore_case=ic)) for name, triggers, pattern, ic in _OWN_RULES]
    # Ours first: they keep the name of a credential and mask only its value.
    return (*own, *_detector_rules(), Rule("bare key", (), _re2(_BARE_KEY), bare_key=True))


RULES = _build_rules()
_GROUPS = {rule.name: dict(rule.regex.groupindex) for rule in RULES}  # re2 rebuilds it on every access
_FINDERS = {rule.name: _re2(rule.regex.pattern, ignore_case=not rule.regex.options.case_sensitive, capture=False)
            for rule in RULES}
# The rules without a literal trigger, as one alternation: one DFA pass tells whether any can match
# (on a 1 MB log with none, 3 ms instead of a pass per rule, 25 ms).
_UNTRIGGERED = _re2("|".join(f"(?{'i' if r.regex.options.case_sensitive is False else ''}:{r.regex.pattern})"
                             for r in RULES if not r.triggers), capture=False)


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


def _trigger_set() -> tuple[re2.Set, tuple[str, ...]]:
    """All rules' triggers in one RE2 set: one pass over the paste says which occur (60 substring
    searches of a 1 MB paste took 25 ms)."""
    triggers = tuple(sorted({t for rule in RULES for t in rule.triggers}))
    options = re2.Options()
    options.log_errors = False
    found = re2.Set.SearchSet(options)
    for trigger in triggers:
        found.Add(re2.escape(trigger))
    found.Compile()
    return found, triggers


_TRIGGERS, _TRIGGER_NAMES = _trigger_set()


def _present_triggers(lower: str) -> set[str]:
    try:
        return {_TRIGGER_NAMES[i] for i in _TRIGGERS.Match(lower) or ()}  # None when none occurs
    except UnicodeEncodeError:  # a lone surrogate: the substring search per trigger instead
        return {t for t in _TRIGGER_NAMES if t in lower}


def _matches_any(text: str | bytes) -> bool:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _UNTRIGGERED._regexp.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0


def redact(text: str, lower: str | None = None) -> str:
    """Replace every secret the rules know with [REDACTED]; the rest is left as it was.

    Returns `text` itself (the same object) when nothing was found.
    """
    lower = text.lower() if lower is None else lower
    data = None
    untriggered = None  # whether any rule without a trigger can match: found out when first needed
    present = _present_triggers(lower)
    for rule in RULES:
        if rule.triggers and not any(t in present for t in rule.triggers):
            continue
        if not rule.triggers:
            if untriggered is None:
                untriggered = _matches_any(text if data is None else data)
            if not untriggered:
                continue
        if data is None:
            # Bytes once for all rules; surrogatepass: a lone surrogate in a paste is no reason to fail.
            data = text.encode("utf-8", "surrogatepass")
        redacted = _redact_rule(rule, data)
        if redacted is not data:
            data = redacted
            # A mask may have removed a trigger; one it adds ("[REDACTED]") is no trigger of any rule.
            present = _present_triggers(data.decode("utf-8", "surrogatepass").lower())
    if data is None:
        return text
    result = data.decode("utf-8", "surrogatepass")
    return text if result == text else result
