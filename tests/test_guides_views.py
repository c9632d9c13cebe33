"""Several guides as a person sees them: each match names its guide (terminal, Slack, --json), and the
entry list can be narrowed to one guide (`/troubleshoot list <guide>`, `app.py kb list --guide`)."""

from __future__ import annotations

import json

import pytest

from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from bot.kb.sync import sync_knowledge
from bot.replies.render import Renderer
from bot.slack.command import make_slash_command
from tests.cli import run_app
from tests.guides_kb import AKS, MOE_ENTRIES, OTHER_ENTRIES, OTHER_GUIDES
from tests.slack_fakes import World, texts

KUBECTL_503 = "$ kubectl port-forward svc/model 8080:80\ncurl localhost:8080/score -> 503 Service Unavailable"
BOTH_503 = "kubectl exec probe -- curl https://fraud.westeurope.inference.ml.azure.com/score -> 503 Service Unavailable"
AKS_TITLE = "Troubleshooting model inference on AKS"
MOE_TITLE = "Troubleshooting managed online endpoints deployment and scoring"


@pytest.fixture(scope="module")
def guides(shipped_guides):
    return [*shipped_guides, *OTHER_GUIDES]


@pytest.fixture(scope="module")
def entries(knowledge_root):
    return [*load_knowledge(knowledge_root).entries, *MOE_ENTRIES, *OTHER_ENTRIES]


@pytest.fixture(scope="module")
def index(entries, guides):
    return build_index(entries, guides)


@pytest.fixture(scope="module")
def renderer(guides):
    return Renderer(guides=guides)


def slash(index, renderer, text: str) -> dict:
    world = World.build(index, renderer)
    make_slash_command(world.answerer())(ack=world.ack, command={"text": text, "user_id": "U1", "channel_id": "C1"})
    return world.ack.last


def test_the_terminal_answer_names_the_guide_of_the_match_and_of_each_runner_up(index, renderer):
    text = renderer.text(diagnose(KUBECTL_503, index))
    assert text.splitlines()[1] == f"Guide: {AKS_TITLE} (aks-inference)"
    assert "https://example.org/aks-inference#aks_503" in text
    assert renderer.text(diagnose(KUBECTL_503, index), "de").splitlines()[1].startswith(
        "Leitfaden: Problembehandlung für Inferenz auf AKS")
    # A paste naming both services is a close call between their 503 entries; each names its guide.
    both = diagnose(BOTH_503, index)
    top, runner_up = both.matches[0], both.matches[1]
    assert {top.entry.id, runner_up.entry.id} == {"MOE_503", "AKS_503"}
    titles = {"managed-online-endpoints": MOE_TITLE, AKS: AKS_TITLE}
    close = renderer.text(both)
    assert close.splitlines()[1] == f"Guide: {titles[top.entry.guide]} ({top.entry.guide})"
    percent = round(runner_up.score * 100)
    assert (f"  - {runner_up.entry.id} title  [{runner_up.entry.id}, {runner_up.entry.guide}, {percent}%]"
            in close.splitlines())


def test_slack_names_the_guide_under_the_match_and_beside_each_runner_up(index, renderer):
    both = diagnose(BOTH_503, index)
    top, runner_up = both.matches[0], both.matches[1]
    titles = {"managed-online-endpoints": MOE_TITLE, AKS: AKS_TITLE}
    reply = renderer.slack(both, diagnosis_id=7)
    context = next(b for b in reply.blocks if b["type"] == "context")["elements"][0]["text"]
    assert context.startswith(f"`{top.entry.id}` · Guide: {titles[top.entry.guide]} · "
                              f"confidence {round(top.score * 100)}%")
    # the runner-up's guide beside it
    assert (f"• {runner_up.entry.id} title (`{runner_up.entry.id}`, {runner_up.entry.guide}, "
            f"{round(runner_up.score * 100)}%)") in texts(reply.blocks)
    more = renderer.slack_more(both)
    guide_lines = [b["elements"][0]["text"] for b in more.blocks if b["type"] == "context"]
    # each runner-up's guide, in their order (the model may add an entry of ours after the two)
    assert guide_lines[1:] == [f"Guide: {titles[m.entry.guide]} (`{m.entry.guide}`)" for m in both.matches[1:]]
    assert guide_lines[1] == f"Guide: {titles[runner_up.entry.guide]} (`{runner_up.entry.guide}`)"


def test_the_json_answer_has_each_matchs_guide(migrated_url, session_factory, entries, guides):
    with session_factory.begin() as session:
        sync_knowledge(session, entries, guides)
    result = run_app("diagnose", "--json", BOTH_503, database_url=migrated_url)
    assert result.returncode == 0, result.stderr
    matches = json.loads(result.stdout)["matches"]
    assert {(m["id"], m["guide"]) for m in matches} >= {("MOE_503", "managed-online-endpoints"),
                                                        ("AKS_503", AKS)}


def test_kb_list_shows_one_guides_entries_from_the_database(migrated_url, session_factory, entries, guides):
    with session_factory.begin() as session:
        sync_knowledge(session, entries, guides)
    result = run_app("kb", "list", "--guide", "AKS-Inference", database_url=migrated_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert [line.split()[0] for line in lines] == ["AKS_429", "AKS_502", "AKS_503"]
    assert lines[0].split()[1:3] == ["scoring-status", AKS] and lines[0].endswith("AKS_429 title")
    assert "3 entries in 1 guide(s)" in result.stderr.decode()
    everything = run_app("kb", "list", database_url=migrated_url)
    assert len(everything.stdout.decode().splitlines()) == len(entries)


def test_kb_list_names_the_guides_when_the_guide_is_unknown(migrated_url, session_factory, entries, guides):
    with session_factory.begin() as session:
        sync_knowledge(session, entries, guides)
    result = run_app("kb", "list", "--guide", "aks", database_url=migrated_url)
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().strip() == (
        "kb list: there is no guide 'aks'; the guides: aks-inference, app-service, managed-online-endpoints")


def test_slack_list_of_one_guide(index, renderer):
    ack = slash(index, renderer, "list aks-inference")
    assert ack["text"] == f"{AKS_TITLE}: 3 entries"
    body = texts(ack["blocks"])
    assert "`AKS_503`" in body and "`ERR_1200`" not in body and "`APPSVC_503`" not in body
    german = slash(index, renderer, "de liste AKS-INFERENCE")
    assert german["text"] == "Problembehandlung für Inferenz auf AKS: 3 Einträge"


def test_slack_list_without_a_guide_groups_by_guide_when_there_are_several(index, renderer, entries):
    ack = slash(index, renderer, "list")
    assert ack["text"] == f"Knowledge base: {len(entries)} entries"
    body = texts(ack["blocks"])
    for heading in (f"*{AKS_TITLE} (`aks-inference`)* (3)", f"*{MOE_TITLE} (`managed-online-endpoints`)* (19)"):
        assert heading in body
    assert body.index("`AKS_503`") < body.index("`APPSVC_503`") < body.index("`ERR_1200`")


def test_slack_list_of_an_unknown_guide_names_the_guides(index, renderer):
    ack = slash(index, renderer, "list aks")
    assert ack["text"] == ("There is no guide `aks`. The guides: `aks-inference`, `app-service`, "
                           "`managed-online-endpoints`.")


def test_a_python_error_starting_with_list_is_still_diagnosed(index, renderer):
    world = World.build(index, renderer)
    make_slash_command(world.answerer())(ack=world.ack, command={"text": "list index out of range in score.py",
                                                                 "user_id": "U1", "channel_id": "C1"})
    assert len(world.service.diagnosed) == 1
