"""The learned part of ranking on the shipped knowledge base: real error forms, look-alikes, bare
statuses, accepted feedback, and the evidence a model-driven answer shows.

The pastes are written for these tests around error lines the service prints (facts); none is
copied from a public thread.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.diagnose import diagnose
from bot.engine.extract import focus_statuses, stated_statuses
from bot.engine.index import build_index
from bot.engine.matching import rank
from bot.engine.model import ConfirmedExample
from bot.engine.paste import Paste


def answer(index, paste: str) -> tuple[str, str | None]:
    d = diagnose(paste, index)
    return d.decision, d.top.entry.id if d.top and d.decision != "no_match" else None


@pytest.mark.parametrize(("paste", "entry"), [
    # No "Azure ML" word, but the sample's variables and the inference server's paths say it.
    ('$ curl -i -X POST $SCORING_URI -H "Authorization: Bearer $ENDPOINT_KEY" -d @request.json\n'
     "HTTP/1.1 401 Unauthorized\nwww-authenticate: Bearer", "HTTP_401"),
    ("ValueError: Model path does not exist: /var/azureml-app/azureml-models/loan-xgb/3/model/loan.json",
     "ERR_2200"),
    ("our MLflow deployment fails while the container starts: ModuleNotFoundError: No module named 'catboost'",
     "ERR_2200"),
    ("ERROR: (BadArgument) Endpoint identity does not have pull permission on the registry.", "ERR_1200"),
    ("Exception Details: (ModelNotFound) Model container with name: fraud-gbm not found.", "ERR_1300"),
    ("A required package azureml-inference-server-http is missing.", "ERR_2200"),
    ("LocalEndpointImageBuildError: building the image for the local deployment failed", "deploy-locally"),
])
def test_real_error_forms_land_on_their_entry(shipped_index, paste, entry):
    decision, top = answer(shipped_index, paste)
    assert (decision in ("match", "close_call"), top) == (True, entry)


@pytest.mark.parametrize("paste", [
    # Kubernetes pulling from an ACR, with kubectl's short alias
    "k get pods -n shop\nNAME                      READY   STATUS             RESTARTS   AGE\n"
    "cart-6d8f9c7b5-2xkqz      0/1     ImagePullBackOff   0          12m\n\n"
    'Failed to pull image "shopacr.azurecr.io/cart:1.4": rpc error: code = Unknown desc = failed to resolve '
    'reference "shopacr.azurecr.io/cart:1.4": unauthorized: authentication required',
    # Kubernetes probe events
    "75s Warning Unhealthy pod/cart-6d8f9c7b5-2xkqz  Readiness probe failed: HTTP probe failed with statuscode: 503\n"
    "40s Warning Unhealthy pod/cart-6d8f9c7b5-2xkqz  Liveness probe failed: HTTP probe failed with statuscode: 503",
    # Azure OpenAI
    "openai.RateLimitError: Error code: 429 - {'error': {'code': '429', 'message': 'Requests to the "
    "ChatCompletions_Create Operation under Azure OpenAI API version 2024-06-01 have exceeded token rate limit'}}",
    "401 - Access denied due to invalid subscription key or wrong API endpoint (Azure OpenAI resource)",
    # App Service
    "Our App Service web app returns 413 Request Entity Too Large for uploads above 30 MB",
    # A batch endpoint, with az ml
    "az ml batch-endpoint invoke --name nightly-scoring --input azureml:sales:3\n"
    "No valid deployments to route to. Please check that the endpoint has at least one deployment",
])
def test_look_alikes_from_other_services_get_no_match(shipped_index, paste):
    d = diagnose(paste, shipped_index)
    assert d.decision == "no_match", [(m.entry.id, m.score) for m in d.matches]


@pytest.mark.parametrize(("paste", "entries"), [
    ("429", {"HTTP_429_RATE_LIMIT", "HTTP_429_TOO_MANY_PENDING"}),
    ("we keep getting 429", {"HTTP_429_RATE_LIMIT", "HTTP_429_TOO_MANY_PENDING"}),
    ("401", {"HTTP_401"}),
    # the Azure SDK's own words around a status name no service
    ("azure.core.exceptions.HttpResponseError: Operation returned an invalid status 'Request Entity Too Large'",
     {"HTTP_413"}),
])
def test_a_bare_status_is_a_close_call_with_a_line_on_what_decides(shipped_index, paste, entries):
    d = diagnose(paste, shipped_index)
    assert d.decision == "close_call"
    assert {m.entry.id for m in d.matches} == entries
    assert d.decides is not None and "response body" in d.decides.en and "Antworttext" in d.decides.de


def test_a_status_of_this_service_that_fits_two_entries_says_what_decides(shipped_index):
    d = diagnose("unser Online-Endpunkt fraud-ep gibt 429 zurück", shipped_index)
    assert d.decision == "close_call"
    assert {m.entry.id for m in d.matches[:2]} == {"HTTP_429_RATE_LIMIT", "HTTP_429_TOO_MANY_PENDING"}
    assert d.decides is not None and "429" in d.decides.de
    assert d.extraction.entities["endpoint-name"] == "fraud-ep"


def test_probabilities_leave_room_for_none_of_these(shipped_index):
    for paste in ("429", "ResourceNotReady: User container has crashed or terminated", "hello world"):
        d = diagnose(paste, shipped_index)
        assert 0.0 <= sum(m.score for m in d.matches) <= 1.0
        assert all(0.0 <= m.score <= 1.0 for m in d.matches)


def test_a_paste_near_a_confirmed_one_lands_on_its_entry_and_says_so(shipped_index):
    # A maintainer confirmed this paste for HTTP_413; nothing in the entry's own signals says so.
    confirmed = ("batch job stops: scoring call rejected, body of 2.4 MB, the gateway said the payload "
                 "exceeds what the deployment accepts; sending 1,000 rows instead works")
    paste = confirmed.replace("2.4 MB", "2.7 MB").replace("1,000", "800")
    before = diagnose(paste, shipped_index)
    assert before.top is None or before.top.entry.id != "HTTP_413" or before.decision == "no_match"

    index = build_index(shipped_index.entries, list(shipped_index.guides.values()),
                        confirmed=[ConfirmedExample("HTTP_413", confirmed)])
    after = diagnose(paste, index)
    assert after.decision in ("match", "close_call") and after.top.entry.id == "HTTP_413"
    resembles = [ev for ev in after.top.evidence if ev.signal == "confirmed"]
    assert resembles and resembles[0].text.startswith("batch job stops")


def test_confirmed_examples_of_unknown_entries_are_ignored(shipped_index):
    index = build_index(shipped_index.entries, list(shipped_index.guides.values()),
                        confirmed=[ConfirmedExample("NO_SUCH_ENTRY", "whatever was pasted")])
    assert index.confirmed == ()
    assert all(doc.kind != "confirmed" for doc in index.text_model.docs)


def test_a_model_driven_answer_shows_the_lines_that_weighed_most(shipped_index):
    paste = ("2026-11-29 10:00:01 INFO starting\n"
             "2026-11-29 10:00:02 INFO loading weights\n"
             "the scoring container of our online deployment crashes while it starts, init() cannot import xgboost\n"
             "2026-11-29 10:00:03 INFO done")
    d = diagnose(paste, shipped_index)
    assert d.top.entry.id == "ERR_2200"
    lines = [ev for ev in d.top.evidence if ev.signal == "model"]
    assert lines and lines[0].line == 3 and "xgboost" in lines[0].text


def test_a_path_in_the_container_is_a_line_the_model_can_show(shipped_index):
    # The lines that weighed most are bare paths: no spaces, but telling words
    paste = ("Fehler 7 - das Modell lag woanders\n"
             "FileNotFoundError: model file missing:\n"
             "/var/azureml-app/azureml-models/iris-classifier/1/model.joblib\n"
             "gefunden unter:\n"
             "/var/azureml-app/azureml-models/iris-classifier/1/model_output/model.joblib")
    d = diagnose(paste, shipped_index)
    assert d.decision != "no_match" and d.top.entry.id == "ERR_2200"
    assert any(ev.signal == "model" and "/var/azureml-app/" in ev.text for ev in d.top.evidence)


def test_the_model_reads_a_huge_paste_around_its_error_lines(shipped_index):
    filler = "".join(f"2026-11-29T10:{n % 60:02d}:00Z INFO request {n} scored in 12 ms\n" for n in range(12_000))
    error = "ValueError: Model path does not exist: /var/azureml-app/azureml-models/churn/2/model.pkl\n"
    paste = filler[: len(filler) // 2] + error + filler[len(filler) // 2:]
    d = diagnose(paste, shipped_index)
    assert d.top.entry.id == "ERR_2200"
    line = paste.count("\n", 0, paste.index("ValueError")) + 1
    assert any(ev.line == line for ev in d.top.evidence)


def test_fitting_is_deterministic(shipped_index):
    again = build_index(shipped_index.entries, list(shipped_index.guides.values()))
    paste = "container keeps restarting after I changed init() to load the tokenizer"
    first, second = diagnose(paste, shipped_index), diagnose(paste, again)
    assert [(m.entry.id, m.score) for m in first.matches] == [(m.entry.id, m.score) for m in second.matches]


def test_an_index_without_a_text_model_still_answers_from_the_signals(shipped_index):
    bare = replace(shipped_index, text_model=None)
    decision, top = answer(bare, "ERROR: (ResourceNotReady) User container has crashed or terminated")
    assert decision in ("match", "close_call") and top == "ERR_2200"


def test_a_client_side_path_error_is_not_a_crashed_container(shipped_index):
    # "does not exist" for a local path the SDK validates is no model missing inside the container
    d = diagnose("azure.ai.ml.exceptions.ValidationException: Model path does not exist: ./model", shipped_index)
    assert d.top is None or d.top.entry.id != "ERR_2200" or d.decision == "no_match"


@pytest.mark.parametrize("question, entry", [
    ("how do I increase max_concurrent_requests_per_instance on my online deployment?", "HTTP_429_TOO_MANY_PENDING"),
    ("how do I get the logs of my online deployment?", "get-container-logs"),
])
def test_a_question_lands_on_what_it_asks_about_not_on_its_question_words(shipped_index, question, entry):
    d = diagnose(question, shipped_index)
    assert d.decision != "no_match"
    assert d.matches[0].entry.id == entry



def test_a_200_stated_beside_a_failure_still_counts_in_symptoms_about_200s(shipped_index):
    # The paste is about its 500s (the focus), but "200 but slow" is still what it says of the rest.
    text = "Most calls to the online endpoint return 200 but slow (4 s), a few return 500."
    paste = Paste(text, text.lower())
    stated = stated_statuses(text, text.lower())
    assert focus_statuses(stated) == [(500, 1)]
    ranked = rank(shipped_index, paste, focus_statuses(stated), limit=8, stated=stated)
    evidence = {(e.signal, e.text) for m in ranked if m.entry.id == "HTTP_200" for e in m.evidence}
    assert ("symptom", "200 but slow") in evidence
    assert diagnose(text, shipped_index).matches[0].entry.id == "HTTP_500"
