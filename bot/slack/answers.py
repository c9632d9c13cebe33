"""From what a person sent to the reply: help, the list, a direct look-up, or a recorded diagnosis.

Every surface (slash command, mention, DM, shortcut) answers through `Answerer.answer`, so they
behave alike; the listeners only decide where the reply goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.replies.render import Note, SlackReply
from bot.slack.intent import Intent, parse
from bot.slack.ports import DiagnosisService, DiagnosisUnavailable, Metrics, Recorded

PRIVATE_SURFACES = ("slash", "dm")  # answers only the asker sees: the slash command's, a direct message's


@dataclass(frozen=True)
class Answer:
    reply: SlackReply
    lang: str  # the reply's language
    recorded: Recorded | None = None  # set when a diagnosis was made (and recorded)


class Answerer:
    def __init__(self, service: DiagnosisService, metrics: Metrics, *, command: str = "/troubleshoot",
                 maintainers: frozenset[str] = frozenset()):
        self.service = service
        self.metrics = metrics
        self.command = command
        self.maintainers = maintainers  # Slack user ids who may accept or reject feedback examples

    @property
    def renderer(self):
        return self.service.renderer

    def answer(self, text: str, *, surface: str, user_id: str | None, channel_id: str | None,
               commands: bool = True, context: str = "", attachments: Sequence[str] = (),
               notes: Sequence[Note] = (), share: bool = True, asked_by: str | None = None) -> Answer:
        """The reply to `text` (already cleaned of Slack markup).

        `commands`: whether `help`, `list`, `de ...` and bare codes are understood (not for a message
        someone else wrote). `context` (a thread's earlier messages) and `attachments` (file texts)
        are diagnosed together with the text; with either, a bare code is part of the paste, not a
        look-up. `notes` go under a diagnosis (or under the help when nothing was left to diagnose).
        """
        intent = parse(text) if commands else Intent("diagnose", None, text.strip())
        more = bool(context.strip() or any(a.strip() for a in attachments))
        if intent.kind == "help" and (intent.text or not more):
            return self._help(intent.reply_lang, () if intent.text else notes)
        if intent.kind == "list":
            reply = self.renderer.slack_list(self.service.entries(), intent.reply_lang, guide=intent.text or None)
            return Answer(reply, intent.reply_lang)
        if intent.kind == "review" and commands:
            if surface not in PRIVATE_SURFACES:  # the list quotes other people's pastes: never in a channel
                return Answer(self.renderer.slack_notice("review_privately", intent.reply_lang, command=self.command),
                              intent.reply_lang)
            return Answer(self.review(user_id, intent.reply_lang), intent.reply_lang)
        if intent.kind == "lookup" and not more:
            found = self.service.lookup(intent.text)
            if found:
                return Answer(self.renderer.slack_entries(found, intent.reply_lang, query=intent.text),
                              intent.reply_lang)
        paste = "\n\n".join(part for part in (context, intent.text, *attachments) if part.strip())
        if not paste.strip():
            return self._help(intent.reply_lang, notes)
        # The service records the diagnosis and counts it in the metrics (surface, decision, entry, time).
        try:
            recorded = self.service.diagnose(paste, surface=surface, user_id=user_id, channel_id=channel_id,
                                             lang=intent.lang)
        except DiagnosisUnavailable as exc:  # a heavy paste met a full pool or its time limit
            lang = intent.lang or intent.reply_lang
            return Answer(self.renderer.slack_notice(exc.reason, lang, size=f"{len(paste) // 1000} KB"), lang)
        diagnosis = recorded.diagnosis
        lang = intent.lang or diagnosis.extraction.language
        reply = recorded.render_with(self.renderer).slack(diagnosis, lang, diagnosis_id=recorded.diagnosis_id,
                                                          share=share, asked_by=asked_by, notes=notes)
        return Answer(reply, lang, recorded)

    def may_review(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.maintainers

    def review(self, user_id: str | None, lang: str, *, outcomes: Sequence[object] = ()) -> SlackReply:
        """The pending candidate examples with Accept / Reject buttons; for others a polite refusal."""
        if not self.may_review(user_id):
            return self.renderer.slack_notice("review_maintainers_only", lang, command=self.command)
        items, total = self.service.review_items()
        entries = {item.entry_id: self.service.entry(item.entry_id) for item in items}
        return self.renderer.slack_review(items, total, lang, outcomes=outcomes,
                                          entries={k: v for k, v in entries.items() if v is not None})

    def _help(self, lang: str, notes: Sequence[Note]) -> Answer:
        reply = self.renderer.slack_help(lang, command=self.command)
        for key, values in reversed(list(notes)):
            reply = self.renderer.with_note(reply, key, lang, **values)
        return Answer(reply, lang)
