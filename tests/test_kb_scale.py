"""The `bench --kb-scale` pipeline, small: 5 generated guides, 200 entries, checked for correctness."""

from __future__ import annotations

import io

from bot.db.engine import make_engine, make_sessionmaker
from bot.engine.diagnose import diagnose
from bot.kb.check import check_knowledge
from bot.kb.files import load_knowledge
from bot.kb.importer.run import ExistingKnowledge
from bot.kb.review import mark_reviewed
from bot.kb.scalebench import generate_guides, import_all, paste_for, run_scale_bench
from bot.runtime import load_index, sync_from_files
from bot.settings import Settings


def test_generated_guides_import_review_sync_and_diagnose(tmp_path, db_url):
    made = generate_guides(tmp_path / "md", guides=5, sections=200)
    assert len(made) == 200
    root = tmp_path / "knowledge"
    root.mkdir()
    _, written, problems = import_all(tmp_path / "md", root)
    assert (written, problems) == (200, [])
    assert check_knowledge(root) == []
    assert len(load_knowledge(root).drafts) == 200

    known = ExistingKnowledge.scan(root)
    assert all(mark_reviewed(root, guide=f"scale-{g:02d}", out=io.StringIO(), known=known) == 0 for g in range(5))
    loaded = load_knowledge(root)
    assert (len(loaded.entries), loaded.drafts) == (200, ())

    report = sync_from_files(Settings(database_url=db_url, knowledge_dir=root))
    assert (len(report.added), report.problems) == (200, ())
    engine = make_engine(db_url)
    try:
        index, _ = load_index(make_sessionmaker(engine))
    finally:
        engine.dispose()
    assert len(index.entries) == 200
    for section in (s for s in made if s.code):
        top = diagnose(paste_for(section), index).top
        assert top is not None and section.code in top.entry.signals.codes, section


def test_ids_of_status_rows_repeated_across_guides_stay_unique(tmp_path):
    generate_guides(tmp_path / "md", guides=3, sections=120)
    root = tmp_path / "knowledge"
    root.mkdir()
    import_all(tmp_path / "md", root)
    ids = [p.stem for p in (root / "entries").glob("*.yaml")]
    assert len(ids) == 120
    assert any(i.startswith("scale-01-HTTP_") for i in ids)  # a second guide's HTTP_400 gets its name in front


def test_the_bench_prints_each_step_against_its_target(tmp_path):
    out = io.StringIO()
    assert run_scale_bench(out, guides=2, sections=40, runs=10) == 0
    table = out.getvalue()
    for step in ("| import |", "| review |", "| sync (SQLite) |", "| index (SQLite) |", "| diagnose p99 (SQLite) |"):
        assert step in table
    assert "10/10 on the right entry" in table
