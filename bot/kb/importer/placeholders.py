"""Commands from a guide turned into knowledge-base commands with named `<placeholders>`.

Guides show commands with concrete examples (`-n my-endpoint`, `--resource-group myrg`) or with
placeholders in many styles (`<endpoint name>`, `<ENDPOINT_NAME>`, `$ENDPOINT_NAME`). An entry's
commands use the names of knowledge/README.md, which the bot fills from a paste. Which value a
flag takes depends on the command group: `-n` names an endpoint in `az ml online-endpoint` but a
registry in `az acr`.
"""

from __future__ import annotations

import re
import shlex

_COMMON = {"-g": "resource-group", "--resource-group": "resource-group", "-w": "workspace-name",
           "--workspace-name": "workspace-name", "--workspace": "workspace-name", "--subscription": "subscription-id",
           "--instance-type": "instance-type"}
# (words after the tool) -> flag -> placeholder; the longest matching prefix wins.
_GROUPS: dict[tuple[str, ...], dict[str, str]] = {
    ("az", "ml", "online-endpoint"): {"-n": "endpoint-name", "--name": "endpoint-name"},
    ("az", "ml", "batch-endpoint"): {"-n": "endpoint-name", "--name": "endpoint-name"},
    ("az", "ml", "endpoint"): {"-n": "endpoint-name", "--name": "endpoint-name", "-d": "deployment-name",
                               "--deployment": "deployment-name", "--deployment-name": "deployment-name"},
    ("az", "ml", "online-deployment"): {"-n": "deployment-name", "--name": "deployment-name",
                                        "-e": "endpoint-name", "--endpoint-name": "endpoint-name",
                                        "--endpoint": "endpoint-name"},
    ("az", "ml", "model"): {"-n": "model-name", "--name": "model-name", "-v": "model-version",
                            "--version": "model-version"},
    ("az", "ml", "code"): {"-n": "code-name", "--name": "code-name", "-v": "code-version", "--version": "code-version"},
    ("az", "ml", "environment"): {"-n": "environment-name", "--name": "environment-name",
                                  "-v": "environment-version", "--version": "environment-version"},
    ("az", "ml", "workspace"): {"-n": "workspace-name", "--name": "workspace-name"},
    ("az", "acr"): {"-n": "registry-name", "--name": "registry-name", "-r": "registry-name",
                    "--registry": "registry-name", "--repository": "image-repository", "--image": "image",
                    "-t": "image"},
    ("az", "storage", "blob"): {"--account-name": "storage-account", "--container-name": "container-name",
                                "-c": "container-name", "-n": "blob-path", "--name": "blob-path"},
    ("az", "storage", "account"): {"-n": "storage-account", "--name": "storage-account"},
    ("az", "ml"): {"-e": "endpoint-name", "--endpoint-name": "endpoint-name",
                   "--deployment-name": "deployment-name"},
}
# Other spellings of the README's placeholder names.
_SYNONYMS = {"endpoint": "endpoint-name", "endpointname": "endpoint-name", "ep-name": "endpoint-name",
             "deployment": "deployment-name", "deploymentname": "deployment-name", "rg": "resource-group",
             "resource-group-name": "resource-group", "resourcegroup": "resource-group", "group": "resource-group",
             "workspace": "workspace-name", "ws": "workspace-name", "workspacename": "workspace-name",
             "subscription": "subscription-id", "sub-name": "subscription-id", "sub-id": "subscription-id",
             "subscription-name": "subscription-id", "subscriptionid": "subscription-id", "model": "model-name",
             "registry": "registry-name", "acr-name": "registry-name", "scoring-url": "scoring-uri",
             "scoring-endpoint": "scoring-uri", "location": "region", "sku": "instance-type"}
_ANGLE = re.compile(r"<([^<>]{1,60})>")
_SHELL_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]{1,40})\}?")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_EXTENSION = re.compile(r"\.(?:ya?ml|json|py|txt|csv|pkl)$", re.I)
_VALUE_RULES = (
    (re.compile(r"https://[A-Za-z0-9-]+\.[a-z0-9]+\.inference\.ml\.azure\.com/score\b"), "<scoring-uri>"),
    (re.compile(r"https://[a-z0-9]+\.blob\.core\.windows\.net/[^\s\"']+"), "<blob-url>"),
    (re.compile(r"\b[a-z0-9]+\.azurecr\.io/[A-Za-z0-9_./-]+(?::[A-Za-z0-9_.-]+)?"), "<image>"),
    (re.compile(r"\bStandard_[A-Z][A-Za-z0-9_]+\b"), "<instance-type>"),
)
CLI_TOOLS = ("az", "kubectl", "docker", "curl", "azcopy")


def placeholder_name(raw: str) -> str:
    """`endpoint name`, `ENDPOINT_NAME`, `endpointName`, `spec_file.yaml` -> endpoint-name, ..., spec-file."""
    name = _CAMEL.sub("-", _EXTENSION.sub("", raw.strip()))
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "value"
    if not name[0].isalpha():
        name = "value-" + name
    return _SYNONYMS.get(name, name)


def normalise_placeholders(text: str) -> str:
    """Only the `<Any Style>` placeholders of a text (a code snippet) in the README's spelling."""
    return _ANGLE.sub(lambda m: f"<{placeholder_name(m.group(1))}>", text)


def _normalise_token(token: str) -> str:
    token = _ANGLE.sub(lambda m: f"<{placeholder_name(m.group(1))}>", token)
    token = _SHELL_VAR.sub(lambda m: f"<{placeholder_name(m.group(1))}>", token)
    for regex, placeholder in _VALUE_RULES:
        token = regex.sub(placeholder, token)
    return token


def _flags_for(words: list[str]) -> dict[str, str]:
    best: tuple[str, ...] = ()
    for group in _GROUPS:
        if tuple(words[:len(group)]) == group and len(group) > len(best):
            best = group
    flags = dict(_COMMON) if words[:1] == ["az"] else {}
    flags.update(_GROUPS.get(best, {}))
    return flags


def to_template(command: str) -> str:
    """One command line with every example value and placeholder style turned into `<name>`."""
    command = normalise_placeholders(command)  # first: `<resource group>` must stay one word
    try:
        tokens = shlex.split(command, posix=False)
    except ValueError:  # unbalanced quotes: keep the words as they are
        tokens = command.split()
    words = [t for t in tokens if not t.startswith("-")]
    flags = _flags_for(words[:4])
    out: list[str] = []
    expect: str | None = None
    for token in tokens:
        if expect is not None and not token.startswith("-"):
            out.append(f"<{expect}>")
            expect = None
            continue
        expect = None
        flag, eq, value = token.partition("=")
        if token.startswith("-") and eq and flag in flags:
            out.append(f"{flag}=<{flags[flag]}>")
            continue
        if token in flags:
            expect = flags[token]
        out.append(_normalise_token(token))
    return " ".join(out)


def commands_in_block(text: str, info: str) -> list[str]:
    """The commands of a fenced block: one per line, continuations joined, comments and prompts dropped."""
    if info in ("python", "py"):
        code = text.strip("\n")
        return [code] if code.strip() else []
    commands: list[str] = []
    pending = ""
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:]
        if not line or line.startswith("#"):
            if pending:
                commands.append(pending)
                pending = ""
            continue
        continued = line.endswith("\\") or line.endswith("`")
        body = line.rstrip("\\`").strip()
        pending = f"{pending} {body}".strip()
        if not continued:
            commands.append(pending)
            pending = ""
    if pending:
        commands.append(pending)
    return commands


def is_inline_command(code: str) -> bool:
    """Inline code that is a whole command (`az acr repository show-tags -n x ...`), not a word or flag."""
    words = code.split()
    return len(words) >= 4 and words[0] in CLI_TOOLS
