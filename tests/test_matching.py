"""Ranking and decisions, on a small knowledge base written for these tests."""

from __future__ import annotations

import pytest

from bot.engine.diagnose import diagnose


def ids(diagnosis):
    return [m.entry.id for m in diagnosis.matches]


def test_an_error_code_alone_is_a_confident_answer(mini_index):
    d = diagnose("Deployment failed: (OutOfQuota) something", mini_index)
    assert d.decision == "match"
    assert ids(d)[0] == "QUOTA"
    assert d.top.evidence[0].signal == "code"
    assert d.top.evidence[0].line == 1


def test_codes_typed_in_lower_case_still_count(mini_index):
    d = diagnose("we got outofquota again", mini_index)
    assert ids(d)[0] == "QUOTA"


def test_a_bare_status_is_a_close_call_between_its_entries_with_what_decides(mini_index):
    d = diagnose("HTTP/1.1 429 Too Many Requests", mini_index)
    assert d.decision == "close_call"
    assert set(ids(d)) == {"RATE", "PENDING"}
    assert [s for s, _ in d.extraction.status] == [429]
    assert "429" in d.decides.en and "response body" in d.decides.en
    assert "429" in d.decides.de and "Antworttext" in d.decides.de


@pytest.mark.parametrize("paste", [
    "kubectl logs api-7f4 | grep 429",
    "curl https://api.openai.com/v1/chat/completions -> HTTP/1.1 429 Too Many Requests",
])
def test_a_status_from_another_service_is_no_match(mini_index, paste):
    d = diagnose(paste, mini_index)
    assert d.decision == "no_match", [(m.entry.id, m.score) for m in d.matches]
    assert d.decides is None


def test_a_status_from_the_service_is_a_close_call_between_entries_sharing_it(mini_index):
    d = diagnose("POST https://fraud.westeurope.inference.ml.azure.com/score -> HTTP/1.1 429 Too Many Requests",
                 mini_index)
    assert d.decision == "close_call"
    assert set(ids(d)[:2]) == {"RATE", "PENDING"}


def test_the_text_tells_two_entries_with_the_same_status_apart(mini_index):
    d = diagnose("HTTP/1.1 429 Too Many Requests\n{\"message\": \"Too many pending requests\"}\n"
                 "url: https://fraud.westeurope.inference.ml.azure.com/score", mini_index)
    assert d.decision == "match"
    assert ids(d)[0] == "PENDING"
    assert d.top.evidence[0].line == 2


def test_another_service_named_weakens_generic_evidence(mini_index):
    d = diagnose("openai.RateLimitError from api.openai.com: HTTP 429 rate limit exceeded", mini_index)
    assert d.decision == "no_match"


def test_a_code_stays_strong_whatever_else_is_named(mini_index):
    d = diagnose("kubectl logs ... (ResourceNotReady) liveness probe failed", mini_index)
    assert ids(d)[0] == "CRASH"
    assert d.decision == "match"


def test_fuzzy_symptoms_survive_typos_and_word_order(mini_index):
    d = diagnose("too many pending requets on my online endpoint", mini_index)
    assert ids(d)[0] == "PENDING"
    assert any(ev.signal == "symptom" for ev in d.top.evidence)


def test_german_description_matches(mini_index):
    d = diagnose("Unser Container stürzt direkt beim Start ab (az ml online-deployment create)", mini_index)
    assert ids(d)[0] == "CRASH"
    assert d.extraction.language == "de"


def test_cause_hints_put_the_likely_cause_first(mini_index):
    d = diagnose("too many pending requests even though autoscale should scale out", mini_index)
    assert d.top.causes[0].title.en == "autoscale too slow"
    d = diagnose("too many pending requests, max_concurrent_requests_per_instance=1", mini_index)
    assert d.top.causes[0].title.en == "concurrency too low"


def test_scores_stay_within_zero_and_one(mini_index):
    text = ("ERR_1100 OutOfQuota not enough quota ran out of cores quota in the region az ml "
            "Kontingent reicht nicht") * 3
    d = diagnose(text, mini_index)
    assert all(0.0 <= m.score <= 1.0 for m in d.matches)


def test_unrelated_paste_is_no_match(mini_index):
    d = diagnose("Traceback (most recent call last):\n  File \"etl.py\", line 12\nKeyError: 'customer_id'",
                 mini_index)
    assert d.decision == "no_match"
    assert d.matches == ()


def test_inner_words_are_whole_words_of_any_text_containing_the_literal():
    from bot.engine.markers import inner_word
    from bot.engine.paste import word_set

    assert inner_word("api.openai.com") == "openai"
    assert inner_word("(internalservererror) internal error") == "internalservererror"
    assert inner_word("endpoint") == ""  # could be glued to its neighbours: endpoint_name
    text = "POST https://api.openai.com/v1/chat -> 429"
    assert inner_word("api.openai.com") in word_set(text.lower())


def test_a_long_log_yields_every_word_once_whatever_piece_it_falls_in():
    import re

    from bot.engine.paste import word_set

    # Words of every length, so that some straddle each place the text is cut into pieces
    lines = [f"2026-11-29T10:{n % 60:02d} worker_{n} request_id=ab{n * 7919}cd status=429 took {n % 997} ms"
             for n in range(3000)]
    text = "\n".join(lines).lower()
    assert len(text) > 100_000
    assert word_set(text) == set(re.findall(r"\w+", text))
    assert word_set("") == set()


def test_a_setting_shared_with_an_entry_of_another_status_does_not_outweigh_the_stated_status(shipped_index):
    # request_timeout_ms belongs to the 408 entry too; the paste states 429s, not a 408
    paste = ("load test against our endpoint: request_settings has max_concurrent_requests_per_instance: 1 and "
             "request_timeout_ms: 3000\n"
             "POST https://fraud-ep.eastus.inference.ml.azure.com/score -> 429 "
             "{\"message\": \"Too many pending requests\"}\n"
             "POST https://fraud-ep.eastus.inference.ml.azure.com/score -> 200 (402 ms)")
    d = diagnose(paste, shipped_index)
    assert d.decision == "match" and d.matches[0].entry.id == "HTTP_429_TOO_MANY_PENDING", d.matches[:2]
    timeout = diagnose("our endpoint answers 408 after request_timeout_ms: 3000 on every slow request", shipped_index)
    assert timeout.matches[0].entry.id == "HTTP_408"


def test_marker_words_count_in_their_plural_and_german_case_forms_but_only_as_whole_words():
    from bot.engine.markers import MarkerSet
    from bot.engine.paste import word_set

    ours = MarkerSet(["online endpoint", "Online-Bereitstellung", "azureml"])
    theirs = MarkerSet(["container app", "kubectl"])

    def first(markers, text):
        lower = text.lower()
        found = markers.first(lower, word_set(lower))
        return found and found[0]

    assert first(ours, "our online endpoints return 401 since yesterday") == "online endpoint"
    assert first(ours, "unsere Online-Bereitstellungen liefern 401") == "online-bereitstellung"
    assert first(ours, "the azureml's logs") == "azureml"
    assert first(ours, "an online endpointless design") is None
    # "container app" is not "container application": the last word is whole, or an inflected form
    assert first(theirs, "Your container application crashed") is None
    assert first(theirs, "two container apps answer 503") == "container app"
