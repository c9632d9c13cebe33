"""`python app.py bench --kb-scale`: the knowledge-base pipeline on 50 guides with 10,000 sections.

Generates Markdown guides (deterministic), imports them into an empty knowledge directory, marks
them reviewed, syncs them into a fresh SQLite database (and a throwaway PostgreSQL database next
to `--database-url` / TEST_DATABASE_URL), builds the index from the database as a server does,
and times diagnoses of a 10 KB paste (wall clock, with the thread's CPU time beside it, as the
machine is shared). Everything lives in a temporary directory.
"""

from __future__ import annotations

import gc
import io
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.benchmark import percentiles
from bot.db.scratch import throwaway_postgres
from bot.kb.importer.run import ExistingKnowledge, import_guide

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "dra", "pol", "qui", "ster", "gam", "bel",
              "tor", "vin", "shu", "mar", "ex", "ion", "lat", "pre", "cor", "dun", "fel", "hal", "jor")
_VERBS = ("cannot reach", "failed to load", "rejected", "timed out waiting for", "could not mount",
          "lost connection to", "refused", "did not find")
TARGETS = {"import": 30_000.0, "sync": 30_000.0, "index": 2_000.0, "diagnose p99": 25.0}


@dataclass(frozen=True)
class GeneratedSection:
    guide: str
    anchor: str
    code: str  # the error code it names ("" for status rows and how-tos)
    message: str  # a message the section quotes, which a paste can contain


@dataclass
class Timings:
    rows: list[tuple[str, str, float, float | None]] = field(default_factory=list)  # step, detail, ms, target

    def add(self, step: str, detail: str, ms: float, target: float | None = None) -> None:
        self.rows.append((step, detail, ms, target))

    def table(self) -> str:
        lines = ["| step | detail | ms | target ms | within |", "|---|---|---|---|---|"]
        for step, detail, ms, target in self.rows:
            verdict = "" if target is None else ("yes" if ms <= target else "NO")
            lines.append(f"| {step} | {detail} | {ms:,.1f} | {'' if target is None else f'{target:,.0f}'} "
                         f"| {verdict} |")
        return "\n".join(lines)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def generate_guides(directory: Path, *, guides: int = 50, sections: int = 10_000,
                    seed: int = 11) -> list[GeneratedSection]:
    """Write `guides` Markdown guides holding `sections` entries' worth of sections in total.

    Per guide: a chapter of error-code sections (`### ERR_nnnn: message`), a status-code table
    and how-to sections with steps and commands; the returned list says what each one is.
    """
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    made: list[GeneratedSection] = []
    per_guide = [sections // guides + (1 if g < sections % guides else 0) for g in range(guides)]
    code_number = 0
    for g, count in enumerate(per_guide):
        name = f"scale-{g:02d}"
        rows = min(count // 5, 40)
        howtos = count // 5
        codes = count - rows - howtos
        out = [f"# Scale guide {g}: troubleshooting widget service {g}", "",
               "Generated for measuring the knowledge-base pipeline.", "", "## Common deployment errors", "",
               "The errors a deployment reports in its status.", ""]
        for _ in range(codes):
            code_number += 1
            pascal = f"{_word(rng).capitalize()}{_word(rng).capitalize()}Fault{code_number}"
            code = f"ERR_{1000 + code_number}" if code_number % 2 else pascal
            message = f"{rng.choice(_VERBS)} {_word(rng)} {_word(rng)} {_word(rng)}"
            out += [f"### {code}: {message.capitalize()}", "",
                    f"The deployment of `{_word(rng)}` stops because the {_word(rng)} service {message}.", "",
                    f"- Check the {_word(rng)} settings of the deployment.",
                    f"- Restart the {_word(rng)} worker.", "",
                    "```azurecli",
                    f"az ml online-deployment get-logs -e my-endpoint-{g} -n blue --resource-group rg-{g} --lines 100",
                    "```", ""]
            made.append(GeneratedSection(name, "", code, message))
        out += ["## HTTP status codes", "", "| Status | Reason | Meaning |", "|---|---|---|"]
        statuses = (400, 401, 403, 404, 408, 409, 413, 424, 429, 500, 502, 503, 504)
        for r in range(rows):
            status = statuses[r % len(statuses)]
            reason = f"{_word(rng)} {_word(rng)} {_word(rng)} {r}"
            out.append(f"| {status} | {reason.capitalize()} | The {_word(rng)} of the widget {_word(rng)} failed. |")
            made.append(GeneratedSection(name, "http-status-codes", "", reason))
        out.append("")
        for h in range(howtos):
            title = f"How to {_word(rng)} the {_word(rng)} {h}"
            out += [f"## {title}", "", f"Use this when the {_word(rng)} needs a {_word(rng)}.", "",
                    f"1. Open the {_word(rng)} page.", f"2. Set `{_word(rng)}_{_word(rng)}` to {h}.", "",
                    "```bash", f"az ml online-endpoint show -n endpoint-{h} -g rg-{g}", "```", ""]
            made.append(GeneratedSection(name, "", "", title))
        (directory / f"{name}.md").write_text("\n".join(out), encoding="utf-8")
    return made


def paste_for(section: GeneratedSection, size: int = 10_000) -> str:
    """A log of about `size` characters with the section's error line two thirds of the way in."""
    from bot.benchmark import make_log

    lines = make_log(size).split("\n")
    lines.insert(len(lines) * 2 // 3, f"2026-11-24T07:13:01.500Z ERROR deployment blue: ({section.code}) "
                                      f"{section.message}")
    return "\n".join(lines)[:size + 200]


def import_all(guide_dir: Path, root: Path) -> tuple[int, int, list[str]]:
    """Import every guide of `guide_dir` into `root`: (sections, drafts written, problems)."""
    known = ExistingKnowledge.scan(root)
    sections = written = 0
    problems: list[str] = []
    for path in sorted(guide_dir.glob("*.md")):
        report = import_guide(path, guide=path.stem, root=root, out=io.StringIO(), known=known, show_diffs=False)
        sections += report.sections
        written += len(report.written)
        problems += report.problems
    return sections, written, problems


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def sync_and_index(root: Path, url: str, label: str, timings: Timings, made: list[GeneratedSection], *,
                   runs: int, check: bool = True):
    """Sync `root` into `url`, build the index from it, time diagnoses; returns the index."""
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.engine.diagnose import diagnose
    from bot.runtime import load_index, sync_from_files
    from bot.settings import Settings

    started = time.perf_counter()
    report = sync_from_files(Settings(database_url=url, knowledge_dir=root))
    timings.add(f"sync ({label})", f"{len(report.added)} added, {len(report.problems)} problems", _ms(started),
                TARGETS["sync"])
    engine = make_engine(url)
    try:
        builds, cpu = [], []
        index = None
        for _ in range(3):  # the median of three: one build on a busy machine says little
            index = None  # a server builds the new index beside the old one; here, start clean
            gc.collect()
            started, started_cpu = time.perf_counter(), time.thread_time()
            index, _ = load_index(make_sessionmaker(engine))
            cpu.append((time.thread_time() - started_cpu) * 1000)
            builds.append(_ms(started))
        timings.add(f"index ({label})", f"{len(index.entries)} entries from the database, median of 3 "
                    f"({', '.join(f'{ms:,.0f}' for ms in builds)}; cpu {statistics.median(cpu):,.0f})",
                    statistics.median(builds), TARGETS["index"])
    finally:
        engine.dispose()
    coded = [s for s in made if s.code]
    rng = random.Random(5)
    picks = [rng.choice(coded) for _ in range(runs)]
    samples, cpu_samples, landed = [], [], 0
    for section in picks:
        text = paste_for(section)
        started, started_cpu = time.perf_counter(), time.thread_time()
        diagnosis = diagnose(text, index)
        cpu_samples.append((time.thread_time() - started_cpu) * 1000)
        samples.append(_ms(started))
        landed += bool(diagnosis.top and section.code in diagnosis.top.entry.signals.codes)
    p50, p99 = percentiles(samples)
    cpu50, cpu99 = percentiles(cpu_samples)
    timings.add(f"diagnose p50 ({label})", f"10 KB paste, {runs} runs, {landed}/{runs} on the right entry; "
                f"cpu {cpu50:.1f}", p50)
    timings.add(f"diagnose p99 ({label})", f"10 KB paste; cpu {cpu99:.1f}", p99, TARGETS["diagnose p99"])
    if check and landed != runs:
        raise AssertionError(f"only {landed} of {runs} pastes landed on their entry")
    return index


def run_scale_bench(out: TextIO, *, database_url: str | None = None, guides: int = 50, sections: int = 10_000,
                    runs: int = 200) -> int:
    """Run the pipeline and print the timings table; 0 when every step is within its target."""
    from bot.kb.review import mark_reviewed

    database_url = database_url or os.environ.get("TEST_DATABASE_URL")
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="tsgbot-kbscale-") as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        made = generate_guides(tmp_path / "guides-md", guides=guides, sections=sections)
        timings.add("generate", f"{guides} guides, {len(made)} sections", _ms(started))
        root = tmp_path / "knowledge"
        root.mkdir()
        started = time.perf_counter()
        found, written, problems = import_all(tmp_path / "guides-md", root)
        timings.add("import", f"{found} sections, {written} drafts written, {len(problems)} problems",
                    _ms(started), TARGETS["import"])
        started = time.perf_counter()
        sink = io.StringIO()
        known = ExistingKnowledge.scan(root)
        failed = sum(mark_reviewed(root, guide=f"scale-{g:02d}", out=sink, known=known) for g in range(guides))
        timings.add("review", f"{guides} guides marked reviewed, {failed} failed", _ms(started))
        sync_and_index(root, f"sqlite:///{tmp_path / 'scale.db'}", "SQLite", timings, made, runs=runs, check=False)
        if database_url and database_url.startswith("postgresql"):
            try:
                with throwaway_postgres(database_url) as pg_url:
                    sync_and_index(root, pg_url, "PostgreSQL", timings, made, runs=runs, check=False)
            except Exception as exc:  # a missing server is reported in the table, not as a traceback
                timings.add("PostgreSQL", f"skipped: {exc.__class__.__name__}: {str(exc).splitlines()[0]}", 0.0)
    out.write(timings.table() + "\n")
    missed = [row for row in timings.rows if row[3] is not None and row[2] > row[3]]
    return 1 if missed or problems else 0
