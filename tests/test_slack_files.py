"""Downloading attached files over real HTTP (127.0.0.1): the bot token, the size cap, the log's tail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.slack.files import http_download, is_text, read_files
from tests.slack_fakes import FakeClient, FakeMetrics

BODY = b"".join(b"line %05d of the deployment log\n" % n for n in range(2000)) + b"ERR_1200 ImagePullFailed\n"


class _Files(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Files.seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                            "range": self.headers.get("Range")})
        if self.headers.get("Authorization") != "Bearer xoxb-test-token":
            return self._send(200, b"<html>sign in</html>", "text/html")
        if self.path == "/forbidden":
            return self._send(403, b"no", "text/plain")
        rng = self.headers.get("Range")
        if rng and self.path == "/ranged" and rng.startswith("bytes=-"):
            return self._send(206, BODY[-int(rng[7:]):], "text/plain")
        return self._send(200, BODY, "text/plain; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    _Files.seen = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_file_is_fetched_with_the_bot_token(server):
    got = http_download(f"{server}/deploy.log", token="xoxb-test-token")
    assert got.data == BODY and got.partial == ""
    assert _Files.seen[0]["auth"] == "Bearer xoxb-test-token"


def test_a_large_file_is_cut_to_the_cap(server):
    got = http_download(f"{server}/deploy.log", token="xoxb-test-token", max_bytes=1000)
    assert len(got.data) == 1000 and got.partial == "head"


def test_when_slack_gives_the_size_the_last_part_is_read(server):
    got = http_download(f"{server}/ranged", token="xoxb-test-token", max_bytes=1000, size=len(BODY))
    assert got.partial == "tail" and got.data.endswith(b"ERR_1200 ImagePullFailed\n")
    assert _Files.seen[0]["range"] == "bytes=-1000"


def test_read_files_turns_failures_into_notes(server):
    client = FakeClient()
    client.base_url = f"{server}/api/"
    files = [
        {"id": "F1", "name": "ok.log", "filetype": "text", "url_private_download": f"{server}/deploy.log"},
        {"id": "F2", "name": "no.log", "filetype": "text", "url_private_download": f"{server}/forbidden"},
        {"id": "F3", "name": "tail.log", "filetype": "text", "size": len(BODY),
         "url_private_download": f"{server}/ranged"},
    ]
    found = read_files(files, client=client, metrics=FakeMetrics(), max_bytes=1000)
    assert found.texts[0].startswith("line 00000") and found.texts[1].endswith("ImagePullFailed\n")
    assert ("file_failed", {"name": "no.log", "reason": "HTTP 403"}) in found.notes
    assert ("file_cut_head", {"name": "ok.log", "size": "1000 bytes"}) in found.notes
    assert ("file_cut_tail", {"name": "tail.log", "size": "1000 bytes"}) in found.notes


def test_a_sign_in_page_is_not_taken_for_the_log(server):
    client = FakeClient()
    client.base_url = f"{server}/api/"
    client.token = "xoxb-wrong"
    found = read_files([{"id": "F1", "name": "a.log", "filetype": "text", "url_private": f"{server}/a.log"}],
                       client=client, metrics=FakeMetrics())
    assert not found.texts
    assert found.notes[0][0] == "file_failed" and "web page" in found.notes[0][1]["reason"]


def test_which_files_are_text():
    assert is_text({"mode": "snippet", "filetype": "python"})
    assert is_text({"mimetype": "text/plain"})
    assert is_text({"mimetype": "application/json"})
    assert is_text({"filetype": "yaml"})
    assert not is_text({"mimetype": "image/png", "filetype": "png"})
    assert not is_text({"mimetype": "application/zip", "filetype": "zip"})
