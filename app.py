"""tsgbot composition root and command line.

    python app.py diagnose "TEXT" | - [--json] [--lang en|de] [--top N]
    python app.py diagnose --batch cases.jsonl [--log]
    python app.py kb sync | check | test | stats | list [--guide NAME]
    python app.py kb import GUIDE.md --guide NAME [--lang en|de] [--source URL] [--dir DIR] [--dry-run]
    python app.py kb review ID... | --guide NAME
    python app.py kb feedback [--status S] [--json] | kb feedback accept|reject ID... [--by NAME]
    python app.py bench [--quick]
    python app.py serve
    python app.py worker
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.settings import Settings


def _read_input(arg: str) -> str:
    if arg == "-":
        from bot.engine.text import decode_paste

        return decode_paste(sys.stdin.buffer.read())
    return arg


def cmd_diagnose(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_runtime import open_cli_runtime
    from bot.engine.diagnose import diagnose

    if args.log and not args.batch:
        print("diagnose: --log goes with --batch (a single diagnosis is always logged)", file=sys.stderr)
        return 2
    if args.batch is None and args.text is None:
        print("diagnose: give the text to diagnose, '-' to read it from standard input, "
              "or --batch FILE", file=sys.stderr)
        return 2
    runtime = open_cli_runtime(settings)
    try:
        if args.batch:
            return _diagnose_batch(runtime, Path(args.batch), lang=args.lang, top=args.top, log=args.log)
        diagnosis = diagnose(_read_input(args.text), runtime.index, lang=args.lang, top=args.top)
        runtime.log_diagnoses([diagnosis], surface="cli")
        if args.json:
            print(json.dumps(diagnosis_json(diagnosis, args.lang, runtime.index), ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(runtime.renderer.text(diagnosis, args.lang))
        return 0
    finally:
        runtime.close()


def diagnosis_json(diagnosis, lang: str | None, index) -> dict:
    lang = lang or diagnosis.extraction.language
    return {
        "decision": diagnosis.decision,
        "matches": [
            {"id": m.entry.id, "title": m.entry.title.get(lang), "guide": m.entry.guide, "score": m.score,
             "evidence": [{"signal": e.signal, "text": e.text, "line": e.line, "weight": e.weight}
                          for e in m.evidence]}
            for m in diagnosis.matches
        ],
        "entities": diagnosis.extraction.entities,
        "codes": codes_found(diagnosis, index),
        "statuses": [status for status, _ in diagnosis.extraction.status],
        "language": diagnosis.extraction.language,
        "notes": list(diagnosis.extraction.notes),
        # The reply's "What decides" line: what would tell the candidates of a close call apart.
        "decides": diagnosis.decides.get(lang) if diagnosis.decides else None,
        "elapsed_ms": round(diagnosis.elapsed_ms, 3),
    }


def codes_found(diagnosis, index) -> list[str]:
    """Every error code of the paste, in the order it names them: the code-shaped tokens the
    extraction saw ("(OutOfQuota)", ERR_1200) and the codes of the knowledge base written out as
    plain words (ResourceNotReady, ImagePullFailed), each once, in the knowledge base's spelling."""
    from bot.engine.paste import word_set

    lower = diagnosis.extraction.text.lower()
    found: dict[str, int] = {}
    for code, _line in diagnosis.extraction.codes:
        found.setdefault(code, lower.find(code.lower()))
    for lowered in word_set(lower) & index.codes_lower_forms.keys():
        for code in index.codes_lower_forms[lowered]:
            if code not in found:
                found[code] = lower.find(lowered)
    return sorted(found, key=lambda code: found[code])


def _diagnose_batch(runtime, path: Path, *, lang: str | None, top: int, log: bool) -> int:
    from bot.engine.diagnose import diagnose

    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"diagnose --batch: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    bad = 0
    diagnoses = []
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                if not isinstance(case, dict) or not isinstance(case.get("text"), str):
                    raise ValueError("needs an object with a string 'text'")
            except ValueError as exc:
                bad += 1
                print(json.dumps({"id": None, "line": number, "error": str(exc)}))
                print(f"{path}:{number}: skipped: {exc}", file=sys.stderr)
                continue
            diagnosis = diagnose(case["text"], runtime.index, lang=lang, top=top)
            if log:
                diagnoses.append(diagnosis)
            print(json.dumps({
                "id": case.get("id"),
                "decision": diagnosis.decision,
                "matches": [{"id": m.entry.id, "score": m.score} for m in diagnosis.matches],
                "elapsed_ms": round(diagnosis.elapsed_ms, 3),
            }, ensure_ascii=False))
    if log:  # a regression run over a corpus would otherwise fill kb stats' "gaps" with it
        runtime.log_diagnoses(diagnoses, surface="batch")
    return 1 if bad else 0


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    if args.action in ("check", "test") and not settings.knowledge_dir.is_dir():
        # Checking nothing would pass: say where it looked instead.
        print(f"kb {args.action}: {settings.knowledge_dir}: no such directory "
              f"(KNOWLEDGE_DIR, default: knowledge/ beside app.py)", file=sys.stderr)
        return 2
    if args.action == "check":
        from bot.kb.check import check_knowledge

        problems = check_knowledge(settings.knowledge_dir)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s)" if problems else "knowledge base OK", file=sys.stderr)
        return 1 if problems else 0
    if args.action == "test":
        return _kb_test(settings)
    if args.action == "stats":
        return _kb_stats(settings)
    if args.action == "list":
        from bot.catalog import run_list

        return run_list(settings, guide=args.guide)
    if args.action == "feedback":
        from bot.kb.feedback import run_feedback

        return run_feedback(args, settings)
    if args.targets and args.action not in ("import", "review"):
        print(f"kb {args.action}: unexpected argument(s): {' '.join(args.targets)}", file=sys.stderr)
        return 2
    if args.action == "import":
        from bot.kb.importer.run import run_import

        return run_import(args, settings)
    if args.action == "review":
        from bot.kb.review import run_review

        return run_review(args, settings)
    from dataclasses import replace

    from bot.kb.files import count_drafts
    from bot.runtime import sync_from_files

    report = sync_from_files(settings)
    print(replace(report, drafts=count_drafts(settings.knowledge_dir)).summary())
    return 0 if not report.problems else 1


def _kb_test(settings: Settings) -> int:
    """The files' entries, each against its own examples (before they are synced)."""
    from bot.engine.index import build_index
    from bot.kb.files import load_knowledge
    from bot.kb.guides import load_guide_files
    from bot.kb.selftest import run_examples

    loaded = load_knowledge(settings.knowledge_dir)
    guides, guide_problems = load_guide_files(settings.knowledge_dir)
    # A file that cannot be read or parsed is left out of the test: name it, or its examples
    # would silently not count ("59 of 59 land" with an entry missing).
    problems = [str(problem) for problem in (*loaded.problems, *guide_problems)]
    for problem in problems:
        print(problem)
    if not loaded.entries:
        print(f"{settings.knowledge_dir}: no entries found (entries/*.yaml)")
    results = run_examples(build_index(loaded.entries, guides))
    missed = [r for r in results if not r.lands]
    for result in missed:
        print(result)
    without = [e.id for e in loaded.entries if not e.examples]
    if without:
        print(f"entries without examples: {', '.join(without)}")
    summary = f"{len(results) - len(missed)} of {len(results)} examples land on their entry"
    if problems:
        summary += f"; {len(problems)} file problem(s) above, those files not tested (kb check)"
    print(summary, file=sys.stderr)
    return 1 if missed or problems or not loaded.entries else 0


def _kb_stats(settings: Settings) -> int:
    from bot.kb.stats import collect
    from bot.runtime import open_runtime

    runtime = open_runtime(settings)
    try:
        with runtime.sessions() as session:
            print("\n".join(collect(session).lines()))
    finally:
        runtime.engine.dispose()
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.kb_scale:
        from bot.kb.scalebench import run_scale_bench

        return run_scale_bench(sys.stdout, database_url=args.database_url)
    from bot.benchmark import run_benchmark
    from bot.kb.files import load_knowledge
    from bot.kb.guides import load_guide_files

    entries = load_knowledge(settings.knowledge_dir).entries
    guides, _ = load_guide_files(settings.knowledge_dir)
    run_benchmark(entries, guides, sys.stdout, quick=args.quick)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.serve import serve

    return serve(settings)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.standalone import run_worker

    return run_worker(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="tsgbot: Azure ML online-endpoint errors in, fixes out")
    sub = parser.add_subparsers(dest="command", required=True)

    d = sub.add_parser("diagnose", help="diagnose a pasted error, status code or log")
    d.add_argument("text", nargs="?", help="the text, or '-' for standard input")
    d.add_argument("--batch", metavar="FILE", help="JSON lines with 'id' and 'text'; one JSON result per line")
    d.add_argument("--log", action="store_true",
                   help="--batch: record the diagnoses in the diagnosis log (kb stats); off by default")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--lang", choices=("en", "de"), help="reply language (default: the paste's)")
    d.add_argument("--top", type=int, default=3, help="how many matches at most (default 3)")
    d.set_defaults(func=cmd_diagnose)

    k = sub.add_parser("kb", help="knowledge base: check, test and sync the files; stats from the log")
    k.add_argument("action", choices=("sync", "check", "test", "stats", "list", "import", "review", "feedback"))
    k.add_argument("targets", nargs="*", metavar="GUIDE.md|ID",
                   help="import: the Markdown guide; review: entry ids; feedback: accept|reject and candidate ids")
    k.add_argument("--guide", help="import: the guide's name (guides/NAME.yaml); review: every draft of that guide; "
                                   "list: only that guide's entries")
    k.add_argument("--lang", choices=("en", "de"), help="import: the guide's language (default: from the guide)")
    k.add_argument("--source", help="import: the guide's URL (relative links are resolved against it)")
    k.add_argument("--dir", help="import, review: the knowledge directory (default: KNOWLEDGE_DIR)")
    k.add_argument("--dry-run", action="store_true", help="import: write nothing, show what would be written")
    k.add_argument("--status", choices=("pending", "accepted", "rejected", "all"),
                   help="feedback: which candidates to list (default: pending)")
    k.add_argument("--json", action="store_true", help="feedback: machine-readable output")
    k.add_argument("--by", help="feedback accept/reject: who decided (default: cli:<login name>)")
    k.set_defaults(func=cmd_kb)

    b = sub.add_parser("bench", help="measure diagnosis latency (shipped, generated 10,000- and 50,000-entry bases)")
    b.add_argument("--quick", action="store_true", help="fewer repetitions")
    b.add_argument("--kb-scale", action="store_true",
                   help="import 50 generated guides (10,000 sections), sync them and time each step")
    b.add_argument("--database-url", help="--kb-scale: also sync into this database (e.g. PostgreSQL)")
    b.set_defaults(func=cmd_bench)

    s = sub.add_parser("serve", help="run the Slack app, /healthz, /readyz and /metrics over HTTP (gunicorn)")
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="deliver alert messages to Slack (beside servers run with DELIVERY_WORKER=off)")
    w.set_defaults(func=cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "top", 1) is not None and getattr(args, "top", 1) < 1:
        parser.error("--top must be at least 1")
    settings = Settings.from_env()
    try:
        # Before anything is redacted or rendered: detect-secrets' detectors and the compiled reply
        # templates from the user's cache, instead of importing detect-secrets and compiling anew.
        from bot.redaction_rules import install_cached_ruleset
        from bot.user_cache import install_template_cache

        install_cached_ruleset()
        install_template_cache()
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `diagnose --json ... | head`: the reader has gone, which is no error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # or the exit's flush fails again
        return 0
    except Exception as exc:  # the one place that turns a failure into a message, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            print(f"tsgbot: database {settings.safe_database_url}: {exc.__class__.__name__}: "
                  f"{str(exc).splitlines()[0]}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    sys.exit(main())
