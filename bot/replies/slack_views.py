"""Slack views other than a diagnosis: look-ups, help, the entry list, App Home, feedback, notices.

A mixin of `bot.replies.render.Renderer`: it uses the renderer's templates (`_blocks`) and entry views.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.engine.model import KINDS, Entry
from bot.replies.labels import labels
from bot.replies.slack_blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    SlackReply,
    clip,
    context_block,
    limit_blocks,
    mrkdwn,
    note_text,
    slack_date,
)

FEEDBACK_BLOCKS = ("feedback:", "feedback_pick:", "feedback_thanks:")
MAX_REVIEW_ITEMS = 20  # two blocks each, within Slack's 50
REVIEW_EXCERPT = 300
MAX_HOME_BLOCKS = 100
MAX_HOME_KB_BLOCKS = 60
MAX_OPTIONS = 100


class SlackViews:
    def slack_entry(self, entry: Entry, lang: str = "en") -> SlackReply:
        """One entry as a direct look-up shows it: summary, causes, steps and commands with placeholders."""
        return self.slack_entries([entry], lang)

    def slack_entries(self, entries: Sequence[Entry], lang: str = "en", *, query: str | None = None) -> SlackReply:
        """Entries found by a direct look-up (`/troubleshoot 429` finds two), within Slack's limits."""
        t = labels(lang)
        views = [self.entry_view(entry, lang) for entry in entries]
        blocks = self._blocks("slack/entry.json.j2", {"t": t, "entries": views, "query": query or ""})
        text = "; ".join(f"{v['id']}: {v['title']}" for v in views)
        return SlackReply(text=clip(text, MAX_SECTION), blocks=limit_blocks(blocks, MAX_BLOCKS))

    def slack_help(self, lang: str = "en", *, command: str = "/troubleshoot") -> SlackReply:
        """Usage: the slash command's forms, mentions, DMs, the shortcut, feedback."""
        t = labels(lang)
        blocks = self._blocks("slack/help.json.j2", {"t": t, "command": command})
        return SlackReply(text=t["help_title"], blocks=blocks)

    def slack_list(self, entries: Sequence[Entry], lang: str = "en", *, guide: str | None = None) -> SlackReply:
        """The knowledge base's entries: grouped by kind, or by guide when there are several guides.

        With `guide` (a guide's name, any case) only that guide's entries, by kind; an unknown name
        gets a notice listing the guides there are.
        """
        t = labels(lang)
        if guide:
            wanted = guide.strip().lower()
            known = sorted({e.guide for e in entries} | set(getattr(self, "guides", {})))
            name = next((g for g in known if g.lower() == wanted), None)
            if name is None:
                return self.slack_notice("list_unknown_guide", lang, guide=guide.strip(),
                                         known=", ".join(f"`{g}`" for g in known) or "-")
            entries = [e for e in entries if e.guide == name]
            title = t["list_title_guide"].format(count=len(entries), guide=self._guide_title(name, lang))
            groups = self._groups(entries, lang)
        elif len({e.guide for e in entries}) > 1:
            title = t["list_title"].format(count=len(entries))
            groups = self._guide_groups(entries, lang)
        else:
            title = t["list_title"].format(count=len(entries))
            groups = self._groups(entries, lang)
        groups, more = _trim(groups, MAX_BLOCKS - 2)
        blocks = self._blocks("slack/list.json.j2", {"t": t, "title": title, "groups": groups, "more": more})
        return SlackReply(text=title, blocks=blocks)

    def slack_home(self, entries: Sequence[Entry], history: Sequence[object], lang: str = "en", *,
                   command: str = "/troubleshoot") -> dict:
        """The App Home view: what the bot does, how to use it, the knowledge base, the viewer's history.

        `history` items have the attributes of `bot.slack.ports.PastDiagnosis`.
        """
        t = labels(lang)
        titles = {entry.id: entry.title.get(lang) for entry in entries}
        past = [{
            "when": slack_date(item.created_at),
            "surface": t.get(f"surface_{item.surface}", item.surface),
            "decision": t.get(item.decision, item.decision),
            "entry": item.top_entry_id or "",
            "title": titles.get(item.top_entry_id or "", ""),
            "percent": round(item.top_score * 100) if item.top_score is not None else None,
            "excerpt": clip(" ".join(item.excerpt.split()), 200),
        } for item in history]
        groups, more = _trim(self._groups(entries, lang), MAX_HOME_KB_BLOCKS)
        blocks = self._blocks("slack/home.json.j2", {
            "t": t, "command": command, "count": len(entries), "groups": groups, "more": more, "history": past,
        })
        return {"type": "home", "blocks": limit_blocks(blocks, MAX_HOME_BLOCKS)}

    def slack_feedback(self, blocks: Sequence[dict], lang: str = "en", *, diagnosis_id: int, user_id: str,
                       verdict: str, entries: Sequence[Entry] = (), picked: Entry | str | None = None) -> list[dict]:
        """A diagnosis message's blocks after feedback: the feedback row becomes a thank-you; after
        "Wrong match" a select of entries (`feedback_pick_entry`) asks for the right one, and once
        `picked` (an entry, or the id of one no longer known) a thank-you names it."""
        t = labels(lang)
        kept = [b for b in blocks if not str(b.get("block_id", "")).startswith(FEEDBACK_BLOCKS)]
        options = [{"text": clip(e.title.get(lang), 75), "value": e.id, "description": clip(e.id, 75)}
                   for e in entries[:MAX_OPTIONS]]
        new = self._blocks("slack/feedback.json.j2", {
            "t": t, "diagnosis_id": diagnosis_id, "user": f"<@{mrkdwn(user_id)}>", "verdict": verdict,
            "options": options if verdict == "wrong_match" and picked is None else [],
            "picked": (None if picked is None else {"id": picked, "title": picked} if isinstance(picked, str)
                       else {"id": picked.id, "title": picked.title.get(lang)}),
        })
        return limit_blocks(kept, MAX_BLOCKS - len(new)) + new

    def slack_review(self, items: Sequence[object], total: int, lang: str = "en", *,
                     entries: dict[str, Entry] | None = None, outcomes: Sequence[object] = ()) -> SlackReply:
        """Candidate examples for a maintainer, each with Accept / Reject; `outcomes` (of the last
        decision, `bot.slack.ports.ReviewOutcome`) are said on top. `items` are `ReviewItem`s."""
        t = labels(lang)
        entries = entries or {}
        views = []
        for item in list(items)[:MAX_REVIEW_ITEMS]:
            entry = entries.get(item.entry_id)
            users = ", ".join(f"<@{mrkdwn(u)}>" for u in item.reporters[:3]) or "-"
            if len(item.reporters) > 3:
                users += f" +{len(item.reporters) - 3}"
            answer = (f"`{mrkdwn(item.today_entry_id)}` ({t.get(item.today_decision, item.today_decision)})"
                      if item.today_entry_id else t["review_no_match"])
            views.append({
                "id": item.candidate_id, "entry_id": item.entry_id,
                "title": entry.title.get(lang) if entry else "",
                "reported": t["review_reported"].format(count=item.count, users=users,
                                                        verdict=t.get(f"review_verdict_{item.verdict}", item.verdict)),
                "today": t["review_today"].format(answer=answer),
                "excerpt": clip(" ".join(item.text.split()), REVIEW_EXCERPT),
                "value": json.dumps({"c": item.candidate_id, "lang": lang}, separators=(",", ":")),
            })
        notes = [_outcome_text(t, o) for o in outcomes]
        blocks = self._blocks("slack/review.json.j2", {"t": t, "items": views, "total": total, "notes": notes,
                                                       "more": max(total - len(views), 0)})
        return SlackReply(text=t["review_title"].format(count=total), blocks=limit_blocks(blocks, MAX_BLOCKS))

    def slack_notice(self, key: str, lang: str = "en", **values: object) -> SlackReply:
        """A one-line message: a labels key filled with values (escaped for mrkdwn)."""
        text = note_text(labels(lang), key, values)
        return SlackReply(text=clip(text, MAX_SECTION),
                          blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}])

    def slack_apology(self, ref: str, lang: str = "en") -> SlackReply:
        """The one short message a user gets when something failed; `ref` finds the details in the log."""
        return self.slack_notice("apology", lang, ref=ref)

    def with_note(self, reply: SlackReply, key: str, lang: str = "en", **values: object) -> SlackReply:
        """The reply with one more context line on top (e.g. why an answer came privately)."""
        note = context_block(note_text(labels(lang), key, values))
        return SlackReply(text=reply.text, blocks=[note] + limit_blocks(list(reply.blocks), MAX_BLOCKS - 1))

    def _groups(self, entries: Sequence[Entry], lang: str) -> list[dict]:
        """Entries by kind (in KINDS order, unknown kinds last), as section-sized chunks of lines."""
        t = labels(lang)
        groups = []
        for kind in _kinds(entries):
            lines = [f"• `{mrkdwn(e.id)}` {mrkdwn(e.title.get(lang))}" for e in entries if e.kind == kind]
            groups.append({"label": t.get(f"kind_{kind}", kind), "count": len(lines),
                           "chunks": _chunks(lines, MAX_SECTION - 200)})
        return groups

    def _guide_groups(self, entries: Sequence[Entry], lang: str) -> list[dict]:
        """Entries by guide (by name), each guide's by kind, as section-sized chunks of lines."""
        t = labels(lang)
        order = {kind: n for n, kind in enumerate(_kinds(entries))}
        groups = []
        for name in sorted({e.guide for e in entries}):
            mine = sorted((e for e in entries if e.guide == name), key=lambda e: order[e.kind])
            lines = [f"• `{mrkdwn(e.id)}` {mrkdwn(e.title.get(lang))} _({t.get(f'kind_{e.kind}', e.kind)})_"
                     for e in mine]
            groups.append({"label": f"{mrkdwn(self._guide_title(name, lang))} (`{mrkdwn(name)}`)",
                           "count": len(lines), "chunks": _chunks(lines, MAX_SECTION - 200)})
        return groups

    def _guide_title(self, name: str, lang: str) -> str:
        title = getattr(self, "guide_title", None)  # the renderer's, which knows the guides
        return title(name, lang) if title is not None else name


def _outcome_text(t: dict[str, str], outcome) -> str:
    """One line saying what an accept or reject did (mrkdwn)."""
    key = f"review_done_{outcome.outcome if outcome.outcome in ('accepted', 'rejected') else outcome.code}"
    status = t.get(f"status_{outcome.status}", outcome.status or "")
    return note_text(t, key if key in t else "review_done_unknown",
                     {"id": outcome.candidate_id, "entry": outcome.entry_id or "", "status": status})


def _kinds(entries: Sequence[Entry]) -> list[str]:
    """The kinds of `entries` in KINDS order, unknown kinds last."""
    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted({e.kind for e in entries}, key=lambda k: (order.get(k, len(order)), k))


def _chunks(lines: list[str], limit: int) -> list[dict]:
    """Lines joined into texts of at most `limit` characters: [{"text", "count"}]."""
    chunks: list[dict] = []
    for line in lines:
        line = clip(line, limit)
        if chunks and len(chunks[-1]["text"]) + 1 + len(line) <= limit:
            chunks[-1] = {"text": chunks[-1]["text"] + "\n" + line, "count": chunks[-1]["count"] + 1}
        else:
            chunks.append({"text": line, "count": 1})
    return chunks


def _trim(groups: list[dict], budget: int) -> tuple[list[dict], int]:
    """Keep whole chunks (one section block each) while they fit in `budget` blocks; count the lines left out."""
    kept: list[dict] = []
    used = more = 0
    for group in groups:
        chunks = []
        for chunk in group["chunks"]:
            if used < budget:
                chunks.append(chunk)
                used += 1
            else:
                more += chunk["count"]
        if chunks:
            kept.append({**group, "chunks": chunks})
    return kept, more
