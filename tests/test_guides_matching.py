"""Several guides side by side: the words of a paste decide which guide's entry answers a shared status."""

from __future__ import annotations

import pytest

from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from tests.guides_kb import AKS, APP_SERVICE, MOE, MOE_ENTRIES, OTHER_ENTRIES, OTHER_GUIDES

UNAVAILABLE = "503 Service Unavailable"


@pytest.fixture(scope="module")
def index(knowledge_root, shipped_guides):
    entries = [*load_knowledge(knowledge_root).entries, *MOE_ENTRIES, *OTHER_ENTRIES]
    return build_index(entries, [*shipped_guides, *OTHER_GUIDES])


def answer(index, paste: str) -> tuple[str, str, str]:
    """(decision, top entry id, its guide) of a paste."""
    d = diagnose(paste, index)
    return d.decision, d.top.entry.id if d.top else "", d.top.entry.guide if d.top else ""


@pytest.mark.parametrize(("paste", "entry", "guide"), [
    (f"POST https://fraud.westeurope.inference.ml.azure.com/score -> HTTP/1.1 {UNAVAILABLE}", "MOE_503", MOE),
    (f"az ml online-endpoint invoke -n fraud-ep -r sample.json\n{UNAVAILABLE}", "MOE_503", MOE),
    (f"$ kubectl port-forward svc/model 8080:80\ncurl localhost:8080/score -> {UNAVAILABLE}", "AKS_503", AKS),
    (f"curl https://fraud-api.azurewebsites.net/score returned {UNAVAILABLE}", "APPSVC_503", APP_SERVICE),
])
def test_the_same_503_goes_to_the_guide_the_paste_names(index, paste, entry, guide):
    assert answer(index, paste) == ("match", entry, guide)


def test_a_429_follows_the_context_too(index):
    assert answer(index, "az aks get-credentials -g rg -n prod; the model answers 429 Too Many Requests") == (
        "match", "AKS_429", AKS)
    decision, top, guide = answer(index, "https://x.westeurope.inference.ml.azure.com/score answered HTTP 429")
    assert guide == MOE and top.startswith("HTTP_429")  # ours: a close call between our two 429 entries
    d = diagnose("https://x.westeurope.inference.ml.azure.com/score answered HTTP 429", index)
    assert {m.entry.guide for m in d.matches} == {MOE}


@pytest.mark.parametrize("paste", [UNAVAILABLE, f"HTTP/1.1 {UNAVAILABLE}", "the service says 503 Service Unavailable"])
def test_a_503_without_context_is_no_confident_answer(index, paste):
    d = diagnose(paste, index)
    assert d.decision != "match", [(m.entry.id, m.score) for m in d.matches]


def test_a_paste_naming_two_services_is_a_close_call_between_their_guides(index):
    d = diagnose(f"kubectl exec probe -- curl https://fraud.westeurope.inference.ml.azure.com/score -> {UNAVAILABLE}",
                 index)
    assert d.decision == "close_call"
    assert {m.entry.guide for m in d.matches[:2]} == {MOE, AKS}


def test_another_guides_marker_does_not_add_confidence_to_ours(index):
    ours = diagnose("ERR_1200 failed to pull image for deployment blue", index).top
    with_kubectl = diagnose("ERR_1200 failed to pull image for deployment blue; kubectl describe pod", index).top
    assert with_kubectl.entry.id == ours.entry.id == "ERR_1200"  # an error code stays strong
    assert not any(ev.signal == "context" for ev in with_kubectl.evidence)


def test_a_strong_message_of_one_guide_wins_with_that_guides_context(index):
    assert answer(index, "kubectl logs model-7f4: 502 Bad Gateway: upstream connect error") == (
        "match", "AKS_502", AKS)
