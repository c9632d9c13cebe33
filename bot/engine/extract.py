"""Signals and entities read from a paste, knowing nothing of the knowledge base.

Status codes count only where the text says they are HTTP statuses, so durations, ports,
line numbers and counts (`p95=408ms`, `:5001`, `line 429`, `429 tests passed`) are ignored.
Entities are the values that fill command placeholders (`<endpoint-name>` ...).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.engine.markers import inner_word
from bot.engine.paste import word_set
from bot.engine.regex import literals_in

# The statuses an HTTP client meets in practice; other three-digit numbers are never statuses.
HTTP_STATUSES = frozenset({200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 410,
                           413, 415, 422, 424, 429, 500, 501, 502, 503, 504})

_REASONS = ("too many requests|unauthori[sz]ed|not found|request time-?out|payload too large|"
            "request entity too large|content too large|failed dependency|internal server error|"
            "bad gateway|service unavailable|gateway time-?out|ok|bad request|forbidden|conflict|"
            # the German reason texts (the troubleshooting guide's table uses them)
            "nicht autorisiert|nicht gefunden|anforderungszeitlimit|zeitüberschreitung|nutzlast zu groß|"
            "zu viele anforderungen|interner serverfehler|modellfehler")

# A candidate is a three-digit number after a space, quote or separator; the words around it decide.
# Each number has its own regex (see _number_candidate), starting with its literal, so the regex
# engine skips ahead on a 1 MB log.
# What may stand right before a status (matched against the lowercased text that ends at it).
_STATUS_BEFORE = re.compile(r"""(?x)(?:
    http/\d(?:\.\d)?\s+                                                   # http/1.1 429
  | (?:->|→|=>)\s?                                                       # POST /score -> 429
  | (?:exception|error|fehler):?\s?\[                                  # InferenceServerException: [408]
  | \b(?:rejected|refused|answered|abgelehnt|beantwortet)\s+(?:with|mit)\s+(?:an?\s+|einem\s+)?  # rejected with 413
  | \b(?:failures?|errors?|responses?|fehler)\s+(?:are|were|is|was|sind|waren)\s+(?:all\s+|alle\s+)?
  | (?<![\w-])["']?(?:status(?:[_ -]?code)?|http[_ -]?status(?:[_ -]?code)?|response[_ -]?status
       |(?<!exit[ _])(?<!return[ _])code)["']?\s*[:=]\s*["']?              # "status": 429, code=429
  | \bhttp(?:[ -]?(?:status(?:[ -]?code)?|error|code|fehler|statuscode))?[\s:#-]{0,3}   # http 429, http error 413
  | \b(?:status|error|errors|fehler|returns?|returned|returning|get|got|getting|gets|receiv(?:e|ed|ing)|
       responded\ with|response|answers?|see|seeing|saw|hit|hitting|throws?|throwing|fail(?:s|ed|ing)?\ with|
       gives?|gave|giving|yields?)
       :?\s+(?:(?:an?|the|http|status|code|with|only|just|all|lots\ of|many)\s+){0,2}   # returns a 429
  | \b(?:liefert|liefern|gibt|geben|gab|bekomme|bekommen|erhalte|erhalten|kriege|kriegen|antwortet|
       antworten|wirft|endet)
       \s+(?:[\w.-]{1,24}\s+){0,3}                                        # gibt (uns) nur 408, liefert der Endpunkt 429
  | (?:too\ many\ requests|unauthori[sz]ed|payload\ too?\ large|request\ time-?out|
       internal\ server\ error|failed\ dependency|request\ entity\ too\ large)[\s:(-]{1,3}  # Payload too large 413
)$""")
# What may follow it: a reason phrase, or "errors"/"responses" after a plural.
_STATUS_AFTER = re.compile(r"(?:[)\]]?\s?[-:(]?\s?(?:" + _REASONS + r")\b"
                           r"|(?:s|er|-er)?[\s-]+(?:errors?|fehler|responses?|"
                           r"antworten|status|zurück|zurueck|abgelehnt|zurückgewiesen)\b|\s(?:client|server) error\b"
                           # a load tester's status distribution: "[429]  8438 responses"
                           r"|\][ \t]+\d{1,9}[ \t]+responses\b"
                           # 401 from my online endpoint, 429s vom Endpunkt
                           r"|(?:s|er)?\s+(?:from|von|vom)\s+(?:[\w.-]{1,30}\s+){0,3}?"
                           r"(?:endpoint|endpunkt|server|service|api|deployment|bereitstellung|dienst)s?\b)")
# Units and counts after a number make it a duration, size or count, whatever came before.
_STATUS_NOT_AFTER = re.compile(r"(?:s|er)?\s*(?:ms\b|sec|seconds|tests?\b|lines?\b|items?\b|%|mb\b|kb\b|mal\b|"
                               r"times\b|rows?\b|bytes?\b|requests?\b)|\s+s\b")
# A number that a log repeats in other roles (a port, a line number) is not looked at forever:
# after this many mentions that were not statuses, its later mentions are skipped.
MAX_CONTEXT_CHECKS = 64
# Blanks, not \s: "^\s*" would run across every following empty line from each line start (quadratic).
_STATUS_ALONE = re.compile(r"(?m)^[ \t\r]*(\d{3})[ \t\r]*$")
_WORD_AFTER = re.compile(r"[ \t]+[a-zäöü]")  # a word, not a colon or another number
# An access log's request line and status: POST /score 500, "POST /score HTTP/1.1" 500
_ACCESS_LOG = re.compile(r"\b(?:get|post|put|patch|delete) /[^\s\"]{0,200}(?: http/\d(?:\.\d)?\"?)? "
                         r"(\d{3})\b(?![.,]\d)")
# Reason phrases that say which status it was on their own (not "not found", "ok", "unauthorized",
# "failed dependency": files, checks, logins and builds have those too).
_REASON_ALONE = re.compile(r"\b(internal server error|too many requests|request time-?out|payload too large|"
                           r"request entity too large)\b")
_REASON_WORDS = frozenset({"internal", "many", "timeout", "time", "payload", "entity"})
# What the Azure SDK prints instead of a number: "Operation returned an invalid status 'Unauthorized'".
_INVALID_STATUS = re.compile(r"invalid status(?: code)? ['\"](" + _REASONS + r")['\"]")
_REASON_CODES = {"too many requests": 429, "unauthorized": 401, "unauthorised": 401, "not found": 404,
                 "request timeout": 408, "request time-out": 408, "payload too large": 413,
                 "request entity too large": 413, "content too large": 413, "failed dependency": 424,
                 "internal server error": 500, "bad gateway": 502, "service unavailable": 503,
                 "gateway timeout": 504, "gateway time-out": 504, "ok": 200, "bad request": 400,
                 "forbidden": 403, "conflict": 409}

# SDK-style codes: "(OutOfQuota) ...", {"code": "BadArgument"}, "Code: ResourceNotReady", ERR_1200.
# One regex per form, each starting with a literal, so the engine skips ahead instead of trying
# every alternative at every position.
_CODE_RES = (
    re.compile(r"ERR_\d{3,4}\b"),
    re.compile(r"\(([A-Z][A-Za-z]{3,40})\)"),
    re.compile(r"""code["']\s?:\s?["']([A-Za-z_]{4,60})["']"""),
    re.compile(r"Code: ([A-Z][A-Za-z]{3,40})\b"),
    re.compile(r"code=([A-Za-z_]{4,60})\b"),
)

# CLI verbs and common words that follow "endpoint" without being its name.
_VERBS = ("get-logs|get-credentials|show|list|create|update|delete|invoke|regenerate-keys|list-keys|name|"
          "key|keys|url|uri|scoring-uri|scoring_uri|scoring-url|primary-key|auth-mode|auth_mode|returns|gibt|liefert|"
          "is|ist|was|war")
_NAMEISH = r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+|[a-z]+\d[a-z0-9]*"  # fraud-ep, churn_ep2, ep1
_ROLLOUT_NAMES = r"blue|green"
_GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NAME = r"[a-z0-9][a-z0-9_-]{0,62}"


def _rule(trigger: str, pattern: str, groups: dict[str, str]) -> tuple[str, re.Pattern[str], dict[str, str]]:
    return trigger, re.compile(pattern), groups


# (trigger, pattern, {group: entity}). Patterns are written in lower case and run over the lowercased
# paste, each starting with a literal so the regex engine can skip ahead; values are then read from
# the original text at the same span, keeping their case.
_ENTITY_RULES: tuple[tuple[str, re.Pattern[str], dict[str, str]], ...] = (
    _rule("inference.ml.azure.com",
          r"(?P<uri>https?://(?P<ep>[a-z0-9][a-z0-9-]{1,31})\.(?P<region>[a-z0-9]+)\.inference\.ml\.azure\.com"
          r"(?:/[^\s\"'<>)]*)?)",
          {"uri": "scoring-uri", "ep": "endpoint-name", "region": "region"}),
    _rule("/subscriptions/",
          rf"/subscriptions/(?P<sub>{_GUID})(?:/resourcegroups/(?P<rg>[\w.()-]+))?"
          rf"(?:/providers/microsoft\.machinelearningservices/workspaces/(?P<ws>{_NAME})"
          rf"(?:/onlineendpoints/(?P<ep>{_NAME})(?:/deployments/(?P<dep>{_NAME}))?)?)?",
          {"sub": "subscription-id", "rg": "resource-group", "ws": "workspace-name", "ep": "endpoint-name",
           "dep": "deployment-name"}),
    _rule(".azurecr.io",
          r"(?P<image>(?P<reg>[a-z0-9]{5,50})\.azurecr\.io/(?P<repo>[a-z0-9][a-z0-9._/-]*[a-z0-9])"
          r"(?::(?P<tag>\w[\w.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?)",
          {"image": "image", "reg": "registry-name", "repo": "image-repository", "tag": "image-tag"}),
    _rule(".blob.core.windows.net",
          r"(?P<url>https?://(?P<acct>[a-z0-9]{3,24})\.blob\.core\.windows\.net/(?P<cont>[a-z0-9$][a-z0-9-]{2,62})"
          r"(?:/(?P<path>[^\s?\"'<>#]+))?)",
          {"url": "blob-url", "acct": "storage-account", "cont": "container-name", "path": "blob-path"}),
    _rule("standard_", r"(?P<it>standard_[a-z][a-z0-9]*(?:_[a-z0-9]+){0,3})\b", {"it": "instance-type"}),
    _rule("azureml:", r"azureml:(?P<model>[a-z0-9][\w.-]{0,254}):(?P<ver>\d{1,6})\b",
          {"model": "model-name", "ver": "model-version"}),
    # Possessive blanks (*+): "\s*[:=]?\s*" could split a long run of blanks in quadratically many
    # ways before failing (100 s for "request_id" and 40,000 spaces).
    _rule("request", rf"request[_ -]?id[\"']?\s*+[:=]?\s*+[\"']?(?P<rid>{_GUID}|[a-z0-9][a-z0-9_-]{{11,63}})",
          {"rid": "request-id"}),
    _rule("correlation", rf"correlation[_ -]?id[\"']?\s*+[:=]?\s*+[\"']?(?P<rid>{_GUID})", {"rid": "request-id"}),
    _rule("original", r"original[-_ ]?(?:status[-_ ]?)?code[\"']?\s*[=:]\s*[\"'`<]*(?P<oc>\d{3})\b",
          {"oc": "original-status"}),
    _rule("model-error-statuscode", r"model-error-statuscode[\"']?\s*:\s*[\"']?(?P<oc>\d{3})",
          {"oc": "original-status"}),
    _rule("azureml-model-deployment", rf"azureml-model-deployment[\"']?\s*:\s*[\"']?(?P<dep>{_NAME})",
          {"dep": "deployment-name"}),
    # key=value, key: value and JSON fields naming the resources.
    _rule("endpoint", rf"endpoint[_-]?name[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})", {"v": "endpoint-name"}),
    _rule("deployment", rf"deployment[_-]?name[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})", {"v": "deployment-name"}),
    _rule("resource", r"resource[_-]?group(?:[_-]?name)?[\"']?\s*[:=]\s*[\"']?(?P<v>[\w.()-]{1,90})",
          {"v": "resource-group"}),
    _rule("workspace", rf"workspace[_-]?name[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})", {"v": "workspace-name"}),
    _rule("instance_type", r"instance_type[\"']?\s*[:=]\s*[\"']?(?P<v>[a-z][\w]{2,40})", {"v": "instance-type"}),
    # Prose with a quoted name: Endpoint 'fraud-ep' ..., deployment "blue" failed (German quotes too).
    _rule("endp", rf"endp(?:oint|unkt)\s+[\"'`„“»](?P<v>{_NAME})[\"'`“”«]", {"v": "endpoint-name"}),
    # ... and unquoted, in either language, when the name looks like one (a hyphen, underscore or
    # digit in it): "our online endpoint fraud-ep returns 429", "unser Online-Endpunkt fraud-ep gibt 429".
    _rule("endp", rf"endp(?:oint|unkt)s?\s+(?!(?:{_VERBS})\b)(?=[a-z0-9_-]{{3}})(?P<v>{_NAMEISH})\b",
          {"v": "endpoint-name"}),
    _rule("deployment", rf"deployment\s+[\"'`](?P<v>{_NAME})[\"'`]", {"v": "deployment-name"}),
    _rule("bereitstellung", rf"bereitstellung\s+[\"'`](?P<v>{_NAME})[\"'`]", {"v": "deployment-name"}),
    # Unquoted: a name-ish word, or the names the docs' blue/green rollouts use ("deployment blue
    # failed", "die Bereitstellung green für den Endpunkt ...").
    _rule("deployment", rf"deployment\s+(?!(?:{_VERBS})\b)(?P<v>{_NAMEISH}|{_ROLLOUT_NAMES})\b",
          {"v": "deployment-name"}),
    _rule("bereitstellung", rf"bereitstellung\s+(?!(?:{_VERBS})\b)(?P<v>{_NAMEISH}|{_ROLLOUT_NAMES})\b",
          {"v": "deployment-name"}),
)

_TRIGGER_WORDS = {trigger: inner_word(trigger) for trigger, _, _ in _ENTITY_RULES}

# `az ml online-endpoint|online-deployment <verb> ...` and the 2021 `az ml endpoint` form.
_AZ_RE = re.compile(r"\baz ml (?P<group>online-endpoint|online-deployment|endpoint)\s[^\n]{0,600}")
_AZ_ARG_RE = re.compile(r"(?:^|\s)(?P<flag>--?[a-z][a-z-]*)(?:\s+|=)(?P<value>[\"']?[A-Za-z0-9_][\w.()-]{0,89}[\"']?)")
_AZ_FLAGS = {
    "online-endpoint": {"-n": "endpoint-name", "--name": "endpoint-name"},
    "online-deployment": {"-n": "deployment-name", "--name": "deployment-name", "-e": "endpoint-name",
                          "--endpoint-name": "endpoint-name", "--endpoint": "endpoint-name"},
    "endpoint": {"-n": "endpoint-name", "--name": "endpoint-name", "-d": "deployment-name",
                 "--deployment": "deployment-name", "--deployment-name": "deployment-name"},
}
_AZ_COMMON = {"-g": "resource-group", "--resource-group": "resource-group", "-w": "workspace-name",
              "--workspace-name": "workspace-name", "--instance-type": "instance-type",
              "--subscription": "subscription-id", "--location": "region", "-l": "region"}

# Values that look like names but are placeholders or flags in pasted commands.
_NOT_A_VALUE = re.compile(r"^(?:<.*>|\$.*|\{.*\}|x+|xxx.*|none|null|true|false|my-?endpoint-?name)$", re.I)


def extract_statuses(text: str, lower: str | None = None) -> list[tuple[int, int]]:
    """HTTP status codes the text states as such, with their 1-based line, in order of appearance;
    the failures alone when there are failures among them."""
    return focus_statuses(stated_statuses(text, lower))


def focus_statuses(statuses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A success line in a log full of failures is not what the paste is about."""
    if any(code >= 400 for code, _ in statuses):
        return [(code, line) for code, line in statuses if code >= 400]
    return statuses


# The words a status number can stand as: "429", "429s" (returns 429s), "429er" (lauter 429er).
_STATUS_WORDS = frozenset(f"{code}{suffix}" for code in HTTP_STATUSES for suffix in ("", "s", "er", "ern", "ers"))


def _status_numbers(tokens: set[str]) -> list[str]:
    """The HTTP status numbers the text holds as words, in a fixed order (a set intersection, so a
    log's thousands of words are not looked at one by one)."""
    return sorted({word[:3] for word in tokens & _STATUS_WORDS})


@lru_cache(maxsize=128)
def _number_candidate(number: str) -> re.Pattern[str]:
    """A status number not followed by more digits, a decimal or a duration ("429 ms"). It starts
    with the literal, so the regex engine skips ahead; the caller checks the character before."""
    return re.compile(number + r"(?!\d)(?![.,]\d)(?!\s?ms\b)")


# What may stand right before a status number: a space, quote or separator.
_STATUS_OPENERS = frozenset(" \t\n\r\f\v\"'=:([#>-")


def _opens(lower: str, start: int, after: str) -> bool:
    """The number opens the paste and words follow: "404 when calling the endpoint"."""
    return start < 8 and not lower[:start].strip(" \t\r\n\"'([") and bool(_WORD_AFTER.match(after))


def stated_statuses(text: str, lower: str | None = None, tokens: set[str] | None = None) -> list[tuple[int, int]]:
    """Every HTTP status code the text states as such, successes among failures too.

    `tokens`: the text's distinct words, when the caller has them (Paste.lower_tokens)."""
    lower = text.lower() if lower is None else lower
    stripped = lower.strip()
    if stripped.isdigit() and len(stripped) == 3 and int(stripped) in HTTP_STATUSES:
        return [(int(stripped), 1)]
    found: dict[int, int] = {}  # status -> position of its first stated mention
    # Each status number the text holds is looked for on its own, from its literal: a log of a
    # million characters names thousands of numbers, but only a few dozen are HTTP statuses.
    spaced = " " + lower  # the space lets a status open the text
    tokens = tokens if tokens is not None else word_set(lower)
    for number in _status_numbers(tokens):
        misses = 0
        for m in _number_candidate(number).finditer(spaced):
            if spaced[m.start() - 1] not in _STATUS_OPENERS:
                continue  # part of a word or a longer number: 1200, v429
            start, end = m.start() - 1, m.end() - 1
            if lower[start - 1: start] == ":" and lower[start - 2: start - 1].isdigit():
                continue  # 13:42:500, a time
            after = lower[end: end + 40]
            # A reason phrase settles it ("408 Request Timeout"); a unit rules it out ("408 ms").
            if _STATUS_AFTER.match(after) or (
                    not _STATUS_NOT_AFTER.match(after)
                    and (_STATUS_BEFORE.search(lower, max(0, start - 40), start) or _opens(lower, start, after))):
                found[int(number)] = start
                break
            misses += 1
            if misses >= MAX_CONTEXT_CHECKS:
                break
    if "http_code" in lower:  # curl -w "%{http_code}" prints the status alone on a line
        for m in _STATUS_ALONE.finditer(lower):
            if int(m.group(1)) in HTTP_STATUSES:
                found.setdefault(int(m.group(1)), m.start(1))
    if not found and "/" in lower:
        # An access log's line (the server's view: "POST /score 500") counts when the client's own
        # status is not stated: a 424 the client got stays the focus beside the container's 500.
        for m in _ACCESS_LOG.finditer(lower):
            if int(m.group(1)) in HTTP_STATUSES:
                found.setdefault(int(m.group(1)), m.start(1))
    if not found and _REASON_WORDS & tokens:
        # A reason phrase that names one status is that status even without its number:
        # "internal server error when invoking the endpoint".
        for m in _REASON_ALONE.finditer(lower):
            found.setdefault(_REASON_CODES[m.group(1)], m.start())
    if "invalid status" in lower:
        for m in _INVALID_STATUS.finditer(lower):
            found.setdefault(_REASON_CODES[m.group(1)], m.start())
    ordered = sorted(found.items(), key=lambda item: item[1])
    return [(code, lower.count("\n", 0, pos) + 1) for code, pos in ordered]


def extract_codes(text: str) -> list[tuple[str, int]]:
    """Error-code-like tokens (ERR_1200, (OutOfQuota), "code": "BadArgument") with their line."""
    found: dict[str, int] = {}
    for regex in _CODE_RES:
        for n, m in enumerate(regex.finditer(text)):
            if n >= 20:
                break
            token = m.group(m.lastindex or 0)
            if token not in found or m.start() < found[token]:
                found[token] = m.start()
    ordered = sorted(found.items(), key=lambda item: item[1])[:20]
    return [(token, text.count("\n", 0, pos) + 1) for token, pos in ordered]


def extract_entities(text: str, lower: str, tokens: set[str] | None = None) -> dict[str, str]:
    """Values for command placeholders; the earliest mention of each wins.

    `tokens`, the paste's word set, lets triggers with an inner word (".azurecr.io") be ruled out
    without a scan of the paste.
    """
    found: dict[str, tuple[int, str]] = {}
    # lower() keeps offsets for nearly all text; where it does not (a few Unicode letters), read
    # the values from the lowercased text rather than from the wrong place.
    source = text if len(text) == len(lower) else lower

    def put(name: str, value: str | None, pos: int) -> None:
        value = (value or "").strip("\"'")
        if value and not _NOT_A_VALUE.match(value) and (name not in found or pos < found[name][0]):
            found[name] = (pos, value)

    # Several rules share a trigger; each is searched for once (a long paste: all in one pass).
    triggers = tuple(trigger for trigger, word in _TRIGGER_WORDS.items()
                     if not (tokens is not None and word and word not in tokens))
    present = literals_in(triggers, lower)
    for trigger, pattern, groups in _ENTITY_RULES:
        if trigger not in present:
            continue
        # A rule's mentions come in text order: the first that fills a group is its earliest.
        filled: set[str] = set()
        for m in pattern.finditer(lower):
            for group, name in groups.items():
                if m.group(group) and name not in filled:
                    filled.add(name)
                    put(name, source[m.start(group):m.end(group)], m.start())
            if len(filled) == len(groups):
                break
    if "az ml " in text:
        for m in _AZ_RE.finditer(text):
            flags = _AZ_FLAGS[m.group("group")]
            for arg in _AZ_ARG_RE.finditer(m.group(0)):
                name = flags.get(arg.group("flag")) or _AZ_COMMON.get(arg.group("flag"))
                if name:
                    put(name, arg.group("value"), m.start())
    return {name: value for name, (_, value) in sorted(found.items(), key=lambda kv: kv[1][0])}
