"""Candidate examples in the database: duplicates count, decisions stick, the version moves."""

from __future__ import annotations

from bot.db.entries import EntryRepository
from bot.db.examples import ExampleRepository
from bot.engine.model import ConfirmedExample

PASTE = "ERROR: container exited: No module named azureml_inference_server_http"


def test_the_same_paste_reported_again_is_one_candidate_with_a_count(session_factory):
    with session_factory.begin() as session:
        repo = ExampleRepository(session)
        ids = [repo.propose(entry_id="ERR_2200", text=text, verdict="wrong_match", user_id=user)
               for text, user in [(PASTE, "U1"), (PASTE.upper(), "U2"), ("  " + PASTE.replace(" ", "\n"), "U1"),
                                  (PASTE, "U3"), (PASTE, "U2")]]
        other = repo.propose(entry_id="ERR_1200", text=PASTE, verdict="wrong_match", user_id="U4")
    assert len(set(ids)) == 1 and other != ids[0]
    with session_factory() as session:
        [candidate] = [c for c in ExampleRepository(session).candidates() if c.entry_id == "ERR_2200"]
    assert (candidate.count, candidate.reporters, candidate.status) == (5, ("U1", "U2", "U3"), "pending")


def test_a_paste_redaction_emptied_is_not_a_candidate(session_factory):
    with session_factory.begin() as session:
        assert ExampleRepository(session).propose(entry_id="ERR_2200", text=" [REDACTED]\n",
                                                  verdict="solved", user_id="U1") is None
    with session_factory() as session:
        assert ExampleRepository(session).candidates(None) == []


def test_accept_makes_an_example_bumps_the_version_and_reject_never_brings_it_back(session_factory):
    with session_factory.begin() as session:
        repo = ExampleRepository(session)
        keep = repo.propose(entry_id="ERR_2200", text=PASTE, verdict="wrong_match", user_id="U1")
        drop = repo.propose(entry_id="ERR_1200", text="image pull failed for acr", verdict="solved", user_id="U1")
        before = EntryRepository(session).version()
    with session_factory.begin() as session:
        report = ExampleRepository(session).decide([keep], accept=True, by="cli:me", known_entries={"ERR_2200"})
        assert [d.outcome for d in report.decisions] == ["accepted"] and report.version == before + 1
        ExampleRepository(session).decide([drop], accept=False, by="cli:me", known_entries=set())
    with session_factory.begin() as session:
        ExampleRepository(session).propose(entry_id="ERR_1200", text="image pull failed for ACR", verdict="solved",
                                           user_id="U9")
    with session_factory() as session:
        repo = ExampleRepository(session)
        assert repo.accepted() == [ConfirmedExample("ERR_2200", PASTE)]
        assert repo.candidates() == []  # the rejected one, reported again, stays rejected
        assert [(c.id, c.count) for c in repo.candidates("rejected")] == [(drop, 2)]
        assert EntryRepository(session).version() == before + 2


def test_accepting_an_entry_that_is_gone_or_an_unknown_id_is_refused_and_changes_nothing(session_factory):
    with session_factory.begin() as session:
        gone = ExampleRepository(session).propose(entry_id="OLD_1", text=PASTE, verdict="solved", user_id="U1")
        before = EntryRepository(session).version()
    with session_factory.begin() as session:
        report = ExampleRepository(session).decide([gone, 999], accept=True, by="U1", known_entries={"ERR_2200"})
    assert [(d.outcome, d.reason.split(" ")[0]) for d in report.decisions] == [("refused", "entry"),
                                                                               ("refused", "no")]
    assert "OLD_1 is no longer in the knowledge base" in report.decisions[0].reason
    assert report.version is None
    with session_factory() as session:
        assert EntryRepository(session).version() == before
        assert ExampleRepository(session).accepted() == []
