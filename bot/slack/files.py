"""Text files and snippets attached to a message: looked up with `files.info`, downloaded with the bot token.

Only text is read (logs, JSON, YAML, code, snippets), at most MAX_BYTES of each file (the last part
when Slack says how large it is and the server supports ranges: errors sit at the end of a log).
What could not be read becomes a note in the reply, never a failure.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError

from bot.engine.redact import redact
from bot.engine.text import decode_paste
from bot.replies.render import Note
from bot.slack.errors import call
from bot.slack.ports import Metrics

MAX_BYTES = 1_048_576
MAX_FILES = 5
TIMEOUT = 10.0
TEXT_FILETYPES = frozenset(
    "text log json yaml yml python csv tsv xml javascript typescript shell bash sh powershell markdown diff "
    "ini toml dockerfile sql java go ruby rust c cpp csharp kotlin scala r php perl properties jsonl ndjson".split()
)
TEXT_MIMETYPES = frozenset((
    "application/json", "application/x-ndjson", "application/yaml", "application/x-yaml", "application/xml",
    "application/x-sh", "application/javascript", "application/x-python", "application/toml",
))
UNREADABLE_MODES = frozenset(("hidden_by_limit", "tombstone", "external"))


@dataclass(frozen=True)
class Download:
    data: bytes
    partial: str = ""  # "" (whole file), "head" or "tail": which part of a larger file this is
    content_type: str = ""


Downloader = Callable[..., Download]


@dataclass
class Attachments:
    """The text of the readable files, and notes about the rest."""

    texts: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def is_text(info: Mapping) -> bool:
    mimetype = str(info.get("mimetype") or "").lower().split(";")[0].strip()
    filetype = str(info.get("filetype") or "").lower()
    return (info.get("mode") == "snippet" or mimetype.startswith("text/") or mimetype in TEXT_MIMETYPES
            or filetype in TEXT_FILETYPES)


def read_files(files: Sequence[Mapping], *, client: Any, metrics: Metrics,
               download: Downloader | None = None, max_bytes: int = MAX_BYTES) -> Attachments:
    """Read the text files of a message (`event["files"]`); notes say what was cut, skipped or failed."""
    download = download or http_download
    found = Attachments()
    for number, brief in enumerate(f for f in files if isinstance(f, Mapping)):
        if number == MAX_FILES:
            found.notes.append(("file_too_many", {"count": MAX_FILES}))
            break
        info = _info(brief, client, metrics)
        name = str(info.get("name") or info.get("title") or info.get("id") or "file")
        if info.get("mode") in UNREADABLE_MODES:
            found.notes.append(("file_failed", {"name": name, "reason": f"Slack does not share it ({info['mode']})"}))
            continue
        if not is_text(info):
            found.notes.append(("file_skipped", {"name": name}))
            continue
        url = info.get("url_private_download") or info.get("url_private")
        if not url:
            found.notes.append(("file_failed", {"name": name, "reason": "no download URL"}))
            continue
        if not _trusted(str(url), client):
            found.notes.append(("file_failed", {"name": name, "reason": "not a Slack URL"}))
            continue
        size = info.get("size") if isinstance(info.get("size"), int) else None
        try:
            got = download(str(url), token=client.token, max_bytes=max_bytes, size=size)
        except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, HTTPError, timeouts
            found.notes.append(("file_failed", {"name": name, "reason": _reason(exc)}))
            continue
        if got.content_type.startswith("text/html") and str(info.get("filetype")) != "html":
            # Slack answers an unauthorised download with its sign-in page, not an error status.
            found.notes.append(("file_failed", {"name": name, "reason": "Slack answered with a web page "
                                                                        "(is the files:read scope granted?)"}))
            continue
        found.texts.append(redact(decode_paste(got.data)))  # secrets out as the file enters
        if got.partial:
            found.notes.append((f"file_cut_{got.partial}", {"name": name, "size": _size(max_bytes)}))
    return found


def http_download(url: str, *, token: str | None, max_bytes: int = MAX_BYTES, size: int | None = None,
                  timeout: float = TIMEOUT) -> Download:
    """GET a private file with the bot token: at most `max_bytes`, the last ones when the file is larger."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    tail = size is not None and size > max_bytes
    if tail:
        headers["Range"] = f"bytes=-{max_bytes}"
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # the URL passed _trusted
        data = response.read(max_bytes + 1)
        ranged = response.status == 206
        content_type = response.headers.get("Content-Type", "") or ""
    if ranged:
        return Download(data[-max_bytes:], "tail", content_type)
    if len(data) > max_bytes:
        return Download(data[:max_bytes], "head", content_type)
    return Download(data, "", content_type)


def _info(brief: Mapping, client: Any, metrics: Metrics) -> Mapping:
    """`files.info` for the full record; the event's own copy when that fails (it often has the URLs)."""
    file_id = brief.get("id")
    if not file_id:
        return brief
    try:
        response = call(metrics, client.files_info, file=file_id)
    except SlackApiError:
        return brief
    info = response.get("file") if hasattr(response, "get") else None
    return {**brief, **info} if isinstance(info, Mapping) else brief


def _trusted(url: str, client: Any) -> bool:
    """Send the bot token only to Slack itself (or the Web API host the client was pointed at)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    base = urlsplit(str(getattr(client, "base_url", "") or ""))
    return bool(base.hostname) and (parts.scheme, parts.hostname, parts.port) == (base.scheme, base.hostname,
                                                                                   base.port)


def _reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return exc.__class__.__name__ if not str(exc) else str(exc)[:120]


def _size(n: int) -> str:
    if n >= 1_048_576 and n % 1_048_576 == 0:
        return f"{n // 1_048_576} MiB"
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} bytes"
