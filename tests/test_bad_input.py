"""Bad input gets an answer, never a traceback: empty, binary, invalid UTF-8, huge and crafted pastes."""

from __future__ import annotations

import random

from bot.engine.diagnose import diagnose
from bot.engine.text import MAX_CHARS


def test_empty_and_blank_pastes_are_an_empty_diagnosis(mini_index):
    for text in ("", "   ", "\n\n\t", b""):
        d = diagnose(text, mini_index)
        assert d.decision == "no_match" and d.empty_input


def test_invalid_utf8_is_decoded_with_replacement_and_still_diagnosed(mini_index):
    raw = b"\xff\xfe\xfd garbage \x80\x81 then (OutOfQuota) in westeurope \xc3\x28"
    d = diagnose(raw, mini_index)
    assert "\ufffd" in d.extraction.text
    assert d.top.entry.id == "QUOTA"


def test_binary_with_nul_bytes_is_cleaned(mini_index):
    rng = random.Random(1)
    raw = bytes(rng.randrange(256) for _ in range(50_000)) + b"\nERR_1100\n"
    d = diagnose(raw, mini_index)
    assert "\x00" not in d.extraction.text
    assert d.top.entry.id == "QUOTA"


def test_utf16_paste_is_read(mini_index):
    d = diagnose("Fehler: (OutOfQuota) Kontingent".encode("utf-16"), mini_index)
    assert d.top.entry.id == "QUOTA"


def test_oversized_paste_keeps_head_and_tail_and_says_so(mini_index):
    filler = "INFO nothing to see here\n" * ((MAX_CHARS // 25) + 20_000)
    text = "first line: ERR_1100\n" + filler + "last line: liveness probe failed\n"
    d = diagnose(text, mini_index)
    assert len(d.extraction.text) <= MAX_CHARS + 100
    assert any("dropped" in note for note in d.extraction.notes)
    found = {m.entry.id for m in d.matches}
    assert {"QUOTA", "CRASH"} <= found


def test_crafted_inputs_finish(mini_index):
    crafted = [
        "a" * 1_000_000,  # one 1 MB line
        "x\n" * 100_000,  # 100,000 lines
        "(" * 200_000 + ")" * 200_000,  # nested brackets
        "[{" * 100_000 + "429" + "}]" * 100_000,
        "HTTP " * 200_000,
        ("too many " * 50_000),
        "\u00e4\u00f6\u00fc\u0130" * 100_000,  # letters whose lower case changes length
    ]
    for text in crafted:
        d = diagnose(text, mini_index)
        assert d.decision in ("match", "close_call", "no_match")


def test_unknown_codes_are_no_match_not_a_guess(mini_index):
    d = diagnose("ERR_9999 ERR_0001 SomethingNobodyKnows", mini_index)
    assert d.decision == "no_match"
