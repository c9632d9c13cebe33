"""Signals and entities read from a paste, knowing nothing of the knowledge base.

Status codes count only where the text says they are HTTP statuses, so durations, ports,
line numbers and counts (`p95=408ms`, `:5001`, `line 429`, `429 tests passed`) are ignored.
Entities are the values that fill command placeholders (`<endpoint-name>` ...).
"""

from __future__ import annotations

import re

# The statuses an HTTP client meets in practice; other three-digit numbers are never statuses.
HTTP_STATUSES = frozenset({200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 410,
                           413, 415, 422, 424, 429, 500, 501, 502, 503, 504})

_REASONS = (r"Too\ Many\ Requests|Unauthori[sz]ed|Not\ Found|Request\ Time-?out|Payload\ Too\ Large|"
            r"Request\ Entity\ Too\ Large|Content\ Too\ Large|Failed\ Dependency|Internal\ Server\ Error|"
            r"Bad\ Gateway|Service\ Unavailable|Gateway\ Time-?out|OK|Bad\ Request|Forbidden|Conflict")

_STATUS_RE = re.compile(rf"""(?ix)
    \bHTTP/\d(?:\.\d)?\s+(?P<line>\d{{3}})\b                       # HTTP/1.1 429 ...
  | (?<![\w-])["']?(?:status(?:[_ -]?code)?|http[_ -]?status(?:[_ -]?code)?|response[_ -]?status
       |(?<!exit[ _])(?<!return[ _])code)["']?\s*[:=]\s*["']?(?P<field>\d{{3}})\b(?![.,]\d|\s*ms)
  | \bHTTP(?:[ -]?(?:status(?:[ -]?code)?|error|code|fehler|statuscode))?[\s:#-]{{0,3}}(?P<http>\d{{3}})\b
        (?![.,]\d|\s*ms)
  | (?<![\w.:/-])(?P<reason>\d{{3}})\s?[-:(]?\s?(?:{_REASONS})\b
  | \b(?:status|error|errors|fehler|returns?|returned|returning|got|getting|gets|receiv(?:e|ed|ing)|bekomme|
       erhalte|liefert|gibt|gab|responded\ with|response|antwortet\ mit)
       \s+(?:(?:an?|einen|den|the|http|status|code|mit)\s+){{0,2}}(?P<said>\d{{3}})(?:s|er)?\b
       (?!\s*(?:ms|s\b|sec|seconds|tests?|lines?|items?|%|mb|kb|mal|times))
  | (?<![\w.:/-])(?P<plural>\d{{3}})(?:s|er|-er)?\s+(?:errors?|fehler|responses?|antworten|status)\b
  | \binvalid\ status(?:\ code)?\ ['"](?P<phrase>{_REASONS})['"]
""")
_STATUS_GROUPS = ("line", "field", "http", "reason", "said", "plural")
# What the Azure SDK prints instead of a number: "Operation returned an invalid status 'Unauthorized'".
_REASON_CODES = {"too many requests": 429, "unauthorized": 401, "unauthorised": 401, "not found": 404,
                 "request timeout": 408, "request time-out": 408, "payload too large": 413,
                 "request entity too large": 413, "content too large": 413, "failed dependency": 424,
                 "internal server error": 500, "bad gateway": 502, "service unavailable": 503,
                 "gateway timeout": 504, "gateway time-out": 504, "ok": 200, "bad request": 400,
                 "forbidden": 403, "conflict": 409}

# SDK-style codes: "(OutOfQuota) ...", {"code": "BadArgument"}, "Code: ResourceNotReady", ERR_1200.
_CODE_RE = re.compile(
    r"""\bERR_\d{3,4}\b|(?<=\()[A-Z][A-Za-z]{3,40}(?=\))|(?<=["']code["']:\s["'])[A-Za-z_]{4,60}(?=["'])"""
    r"""|(?<=\bCode: )[A-Z][A-Za-z]{3,40}\b|(?<=\bcode=)[A-Za-z_]{4,60}\b"""
)

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}"

# (lowercase trigger, pattern, {group name: entity name})
_ENTITY_RULES: tuple[tuple[str, re.Pattern[str], dict[str, str]], ...] = (
    ("inference.ml.azure.com", re.compile(
        r"(?P<uri>https?://(?P<ep>[a-z0-9][a-z0-9-]{1,31})\.(?P<region>[a-z0-9]+)\.inference\.ml\.azure\.com"
        r"(?:/[^\s\"'<>)]*)?)", re.I),
     {"uri": "scoring-uri", "ep": "endpoint-name", "region": "region"}),
    ("/subscriptions/", re.compile(
        rf"/subscriptions/(?P<sub>{_GUID})(?:/resourceGroups/(?P<rg>[\w.()-]+))?"
        rf"(?:/providers/Microsoft\.MachineLearningServices/workspaces/(?P<ws>{_NAME})"
        rf"(?:/onlineEndpoints/(?P<ep>{_NAME})(?:/deployments/(?P<dep>{_NAME}))?)?)?", re.I),
     {"sub": "subscription-id", "rg": "resource-group", "ws": "workspace-name", "ep": "endpoint-name",
      "dep": "deployment-name"}),
    (".azurecr.io", re.compile(
        r"(?P<image>(?P<reg>[a-z0-9]{5,50})\.azurecr\.io/(?P<repo>[a-z0-9][a-z0-9._/-]*[a-z0-9])"
        r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?)", re.I),
     {"image": "image", "reg": "registry-name", "repo": "image-repository", "tag": "image-tag"}),
    (".blob.core.windows.net", re.compile(
        r"(?P<url>https?://(?P<acct>[a-z0-9]{3,24})\.blob\.core\.windows\.net/(?P<cont>[a-z0-9$][a-z0-9-]{2,62})"
        r"(?:/(?P<path>[^\s?\"'<>#]+))?)", re.I),
     {"url": "blob-url", "acct": "storage-account", "cont": "container-name", "path": "blob-path"}),
    ("standard_", re.compile(r"\b(?P<it>Standard_[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+){0,3})\b", re.I),
     {"it": "instance-type"}),
    ("azureml:", re.compile(r"\bazureml:(?P<model>[A-Za-z0-9][\w.-]{0,254}):(?P<ver>\d{1,6})\b"),
     {"model": "model-name", "ver": "model-version"}),
    ("request", re.compile(
        rf"(?i)\b(?:x-ms-request-id|x-request-id|x-ms-client-request-id|request[_ -]?id|requestid|"
        rf"correlation[_ -]?id)[\"']?\s*[:=]?\s*[\"']?(?P<rid>{_GUID}|[A-Za-z0-9][A-Za-z0-9_-]{{11,63}})"),
     {"rid": "request-id"}),
    ("original", re.compile(r"(?i)\boriginal[-_ ]?(?:status[-_ ]?)?code[\"']?\s*[=:]\s*[\"'`<]*(?P<oc>\d{3})\b"),
     {"oc": "original-status"}),
    ("model-error-statuscode", re.compile(r"(?i)\bms-azureml-model-error-statuscode[\"']?\s*:\s*[\"']?(?P<oc>\d{3})"),
     {"oc": "original-status"}),
    ("azureml-model-deployment", re.compile(rf"(?i)\bazureml-model-deployment[\"']?\s*:\s*[\"']?(?P<dep>{_NAME})"),
     {"dep": "deployment-name"}),
    # key=value, key: value and JSON fields naming the resources.
    ("endpoint", re.compile(rf"(?i)\b(?:endpoint[_-]?name|endpointname)[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})"),
     {"v": "endpoint-name"}),
    ("deployment", re.compile(rf"(?i)\b(?:deployment[_-]?name|deploymentname)[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})"),
     {"v": "deployment-name"}),
    ("resource", re.compile(r"(?i)\b(?:resource[_-]?group(?:[_-]?name)?)[\"']?\s*[:=]\s*[\"']?(?P<v>[\w.()-]{1,90})"),
     {"v": "resource-group"}),
    ("workspace", re.compile(rf"(?i)\b(?:workspace[_-]?name|workspacename)[\"']?\s*[:=]\s*[\"']?(?P<v>{_NAME})"),
     {"v": "workspace-name"}),
    ("instance_type", re.compile(r"(?i)\binstance_type[\"']?\s*[:=]\s*[\"']?(?P<v>[A-Za-z][\w]{2,40})"),
     {"v": "instance-type"}),
    # Prose with a quoted name: Endpoint 'fraud-ep' ..., deployment "blue" failed.
    ("endpoint", re.compile(rf"(?i)\b(?:online[ -])?(?:endpoint|endpunkt)\s+[\"'`](?P<v>{_NAME})[\"'`]"),
     {"v": "endpoint-name"}),
    ("deployment", re.compile(rf"(?i)\b(?:deployment|bereitstellung)\s+[\"'`](?P<v>{_NAME})[\"'`]"),
     {"v": "deployment-name"}),
)

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


def extract_statuses(text: str) -> list[tuple[int, int]]:
    """HTTP status codes the text states as such, with their 1-based line, in order of appearance."""
    found: list[tuple[int, int]] = []
    seen: set[int] = set()
    stripped = text.strip()
    if stripped.isdigit() and len(stripped) == 3 and int(stripped) in HTTP_STATUSES:
        return [(int(stripped), 1)]
    for m in _STATUS_RE.finditer(text):
        phrase = m.group("phrase")
        value = (_REASON_CODES[phrase.lower()] if phrase
                 else next(int(m.group(g)) for g in _STATUS_GROUPS if m.group(g)))
        if value in HTTP_STATUSES and value not in seen:
            seen.add(value)
            found.append((value, text.count("\n", 0, m.start()) + 1))
    # A success line in a log full of failures is not what the paste is about.
    if any(code >= 400 for code, _ in found):
        found = [(code, line) for code, line in found if code >= 400]
    return found


def extract_codes(text: str) -> list[tuple[str, int]]:
    """Error-code-like tokens (ERR_1200, (OutOfQuota), "code": "BadArgument") with their line."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for m in _CODE_RE.finditer(text):
        token = m.group(0)
        if token not in seen:
            seen.add(token)
            out.append((token, text.count("\n", 0, m.start()) + 1))
        if len(out) >= 20:
            break
    return out


def extract_entities(text: str, lower: str) -> dict[str, str]:
    """Values for command placeholders; the earliest mention of each wins."""
    found: dict[str, tuple[int, str]] = {}

    def put(name: str, value: str | None, pos: int) -> None:
        value = (value or "").strip("\"'")
        if value and not _NOT_A_VALUE.match(value) and (name not in found or pos < found[name][0]):
            found[name] = (pos, value)

    for trigger, pattern, groups in _ENTITY_RULES:
        if trigger not in lower:
            continue
        # Each rule's mentions come in text order: the first that fills a group is the earliest.
        for m in pattern.finditer(text):
            for group, name in groups.items():
                if m.group(group) and (name not in found or m.start() < found[name][0]):
                    put(name, m.group(group), m.start())
            if all(name in found for name in groups.values()):
                break
    if "az ml " in text:
        for m in _AZ_RE.finditer(text):
            flags = _AZ_FLAGS[m.group("group")]
            for arg in _AZ_ARG_RE.finditer(m.group(0)):
                name = flags.get(arg.group("flag")) or _AZ_COMMON.get(arg.group("flag"))
                if name:
                    put(name, arg.group("value"), m.start())
    return {name: value for name, (_, value) in sorted(found.items(), key=lambda kv: kv[1][0])}
