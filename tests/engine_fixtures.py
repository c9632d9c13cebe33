"""Fixtures for the pure engine: indexes of the shipped and of a hand-written knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.replies.render import Renderer
from tests.mini_kb import ENTRIES, GUIDE

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def shipped_guides():
    guides, problems = load_guide_files(KNOWLEDGE)
    assert not problems, problems
    return guides


@pytest.fixture(scope="session")
def shipped_index(shipped_guides):
    return build_index(load_knowledge(KNOWLEDGE).entries, shipped_guides)


@pytest.fixture(scope="session")
def mini_index():
    return build_index(ENTRIES, [GUIDE])


@pytest.fixture(scope="session")
def renderer(shipped_guides):
    return Renderer(guide_sources={g.name: g.source for g in shipped_guides})
