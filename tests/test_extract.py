"""What the extractor reads out of a paste: statuses only where they are statuses, entities, codes."""

from __future__ import annotations

import pytest

from bot.engine.extract import extract_codes, extract_entities, extract_statuses, stated_statuses


@pytest.mark.parametrize("text, expected", [
    ("HTTP/1.1 429 Too Many Requests\nRetry-After: 1", [429]),
    ('{"error": {"status": 424, "message": "Model Error"}}', [424]),
    ('{"statusCode":413,"message":"too big"}', [413]),
    ("HTTP Error 413: Payload Too Large", [413]),
    ("Status: 404 Not Found", [404]),
    ("my endpoint returns 429s under load", [429]),
    ("we get a lot of 429 errors since Monday", [429]),
    ("Mein Endpunkt gibt 408 zurück", [408]),
    ("azure.core.exceptions.HttpResponseError: Operation returned an invalid status 'Unauthorized'", [401]),
    ("429", [429]),
    ("INFO POST /score 200 OK\nERROR POST /score 500 Internal Server Error", [500]),
    # Triton's client puts the status in brackets after the exception's name
    ("tritonclient.utils.InferenceServerException: [408] an exception occurred in the client", [408]),
    ("requests are rejected with 429 by the endpoint", [429]),
    ("Wir sehen lauter 429er Fehler", [429]),
    ("seit heute nur 500er-Antworten vom Endpunkt", [500]),
    ("a burst of 404-errors on /score", [404]),
    ("Bilder über 2 MB werden vom Endpunkt mit 413 abgelehnt", [413]),
    # a status opening the message, words after it
    ("404 when calling https://fraud-ep.eastus.inference.ml.azure.com/score", [404]),
    # a reason phrase that names one status, without its number
    ("Internal server error when invoking the endpoint with az ml online-endpoint invoke", [500]),
    ("getting Too Many Requests from the scoring endpoint", [429]),
    # "from" and the service after the number
    ('{"detail": "Authentication failed"} 401 from my online endpoint since the key rotation', [401]),
    ("lauter 429er vom Endpunkt seit dem Lasttest", [429]),
    ("calls to the scoring uri fail with 500 since the update", [500]),
    # access log lines: the inference server's and uvicorn's
    ("2025-03-01 12:00:00,000 I [15] azmlinfsrv - POST /score 500 3.1ms", [500]),
    ('INFO: 10.0.0.4:5555 - "POST /predict HTTP/1.1" 500 Internal Server Error', [500]),
    # ... but the status the client got stays the focus beside the container's own view
    ("HTTPError: 424 Client Error: Failed Dependency for url: https://x/score\n(get-logs: POST /score 500)", [424]),
    # a load tester's summary (hey): the failures are the focus
    ("Status code distribution:\n  [200]\t11562 responses\n  [429]\t8438 responses", [429]),
])
def test_statuses_stated_as_http_are_found(text, expected):
    assert [code for code, _ in extract_statuses(text)] == expected


@pytest.mark.parametrize("text", [
    "latency=500ms p95=408ms p99=429ms",
    "listening on 0.0.0.0:5001, worker pid 424",
    "File \"score.py\", line 429, in run",
    "================ 429 passed, 2 skipped in 12.3s ================",
    "azureml-inference-server-http 1.424.0 started; 10.0.0.200 connected",
    "2024-04-29 13:42:08.424 INFO batch done",
    "exit code 500",
    "got 500 requests in 3 s",
    "took 413 seconds",
    "values = scores[500]",
    "OSError: [Errno 111] Connection refused",
    "the change was rejected with 3 warnings",
    "500 rows loaded into the feature table",
    "429 tests passed, 2 skipped",
    "we copied 500 from the old table into the service",
    "(InternalServerError) the operation failed",  # a code, not the reason phrase
    "FileNotFoundError: model.pkl not found",
])
def test_numbers_that_are_not_statuses_are_ignored(text):
    assert extract_statuses(text) == []


def test_status_line_number_is_where_it_was_said():
    text = "starting\nloading model\n< HTTP/1.1 408 Request Timeout\n"
    assert extract_statuses(text) == [(408, 3)]


def test_entities_from_scoring_uri_cli_and_resource_ids():
    text = (
        "az ml online-deployment get-logs -e fraud-ep -n blue -g rg-ml -w ws-prod --lines 100\n"
        "curl https://fraud-ep.westeurope.inference.ml.azure.com/score -H 'azureml-model-deployment: green'\n"
        "Failed to pull myacr123.azurecr.io/azureml/azureml_92a0:latest\n"
        "https://foobar.blob.core.windows.net/models-1/WebUpload/x/GaussianNB.pkl\n"
        "instance_type: Standard_DS3_v2  x-request-id: 3f2a9c1e-1111-2222-3333-444455556666\n"
        "Model Error: original-code=503\n"
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/RG-X/providers/"
        "Microsoft.MachineLearningServices/workspaces/ws1/onlineEndpoints/ep1\n"
        "model: azureml:churn-model:3\n"
    )
    entities = extract_entities(text, text.lower())
    assert entities["endpoint-name"] == "fraud-ep"
    assert entities["deployment-name"] == "blue"  # the first mention wins
    assert entities["resource-group"] == "rg-ml"
    assert entities["workspace-name"] == "ws-prod"
    assert entities["region"] == "westeurope"
    assert entities["scoring-uri"] == "https://fraud-ep.westeurope.inference.ml.azure.com/score"
    assert entities["registry-name"] == "myacr123"
    assert entities["image-repository"] == "azureml/azureml_92a0"
    assert entities["image-tag"] == "latest"
    assert entities["storage-account"] == "foobar"
    assert entities["container-name"] == "models-1"
    assert entities["blob-path"] == "WebUpload/x/GaussianNB.pkl"
    assert entities["instance-type"] == "Standard_DS3_v2"
    assert entities["request-id"] == "3f2a9c1e-1111-2222-3333-444455556666"
    assert entities["original-status"] == "503"
    assert entities["subscription-id"] == "11111111-2222-3333-4444-555555555555"
    assert entities["model-name"] == "churn-model"
    assert entities["model-version"] == "3"


def test_entities_buried_in_a_long_log_are_read_as_in_a_short_paste():
    from bot.engine.paste import word_set

    short = ("az ml online-deployment get-logs -e fraud-ep -n blue -g rg-ml -w ws-prod\n"
             "Failed to pull myacr123.azurecr.io/azureml/azureml_92a0:latest\n"
             "Model Error: original-code=503\n")
    noise = "".join(f"2026-11-29 10:{n % 60:02d}:00 INFO worker {n} handled batch in {n % 900} ms\n"
                    for n in range(2000))
    long = noise + short + noise
    assert len(long) > 100_000
    expected = extract_entities(short, short.lower())
    assert extract_entities(long, long.lower()) == expected
    assert extract_entities(long, long.lower(), word_set(long.lower())) == expected
    assert expected["registry-name"] == "myacr123" and expected["endpoint-name"] == "fraud-ep"


def test_placeholders_in_pasted_commands_are_not_taken_as_names():
    text = "az ml online-endpoint show -n <endpoint-name> -g $RG"
    assert extract_entities(text, text.lower()) == {}


def test_error_codes_in_sdk_json_and_guide_forms():
    text = '(OutOfQuota) Not enough quota\n{"code": "BadArgument"}\nCode: ResourceNotReady\nERR_1200'
    assert [code for code, _ in extract_codes(text)] == ["OutOfQuota", "BadArgument", "ResourceNotReady", "ERR_1200"]


def test_curl_and_requests_error_forms():
    assert extract_statuses("curl: (22) The requested URL returned error: 424") == [(424, 1)]
    assert extract_statuses("HTTPError('429 Client Error: Too Many Requests for url: /score')") == [(429, 1)]
    assert extract_statuses('curl -w "%{http_code}" https://x/score\n401') == [(401, 2)]
    assert extract_statuses("Unser Endpunkt gibt nach ca. einer Stunde 401 zurück") == [(401, 1)]


def test_a_reason_phrase_before_the_number_states_a_status():
    assert extract_statuses("(None) Failed Dependency 424") == [(424, 1)]
    assert extract_statuses("Request Entity Too Large (413)") == [(413, 1)]
    assert extract_statuses("failed dependency for 3 tasks") == []


@pytest.mark.parametrize("text, endpoint, deployment", [
    ("Hallo, beim Erstellen der Bereitstellung blue für den Endpunkt churn-ep kommt OutOfQuota", "churn-ep", "blue"),
    ("deployment green-v2 of endpoint fraud-ep crashed: ResourceNotReady", "fraud-ep", "green-v2"),
    ("the deployment green failed on endpoint 'ep1'", "ep1", "green"),
])
def test_unquoted_deployment_names_in_prose(text, endpoint, deployment):
    entities = extract_entities(text, text.lower())
    assert (entities.get("endpoint-name"), entities.get("deployment-name")) == (endpoint, deployment)


@pytest.mark.parametrize("text", [
    "the deployment failed with OutOfQuota",
    "deployment create failed",
    "our deployment is stuck",
])
def test_ordinary_words_after_deployment_are_not_names(text):
    assert "deployment-name" not in extract_entities(text, text.lower())


def test_successes_among_failures_are_stated_but_not_the_focus():
    text = "the API returns a 200 status code even for bad input; how do I return 400?"
    assert extract_statuses(text) == [(400, 1)]
    assert stated_statuses(text) == [(200, 1), (400, 1)]
