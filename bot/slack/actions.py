"""The buttons under a diagnosis: share it, see the runner-ups, say whether it was right.

Every button's value is `{"d": <diagnosis id>, "lang": "en"|"de"}`; the entry select after "Wrong
match" carries the entry id as its value and the diagnosis id in its block_id (`feedback_pick:<id>`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.slack.answers import Answerer
from bot.slack.background import INLINE, Background
from bot.slack.errors import send
from bot.slack.ports import DiagnosisService, Metrics

SHARE = "share_diagnosis"
OTHERS = "other_matches"
SOLVED = "feedback_solved"
WRONG = "feedback_wrong"
PICK = "feedback_pick_entry"
ACCEPT = "feedback_accept"  # a maintainer's review of a candidate example: value {"c": candidate id, "lang"}
REJECT = "feedback_reject"
ACTION_IDS = (SHARE, OTHERS, SOLVED, WRONG, PICK, ACCEPT, REJECT)


def button_value(action: Mapping) -> tuple[int, str | None]:
    """(diagnosis id, language) from a button's JSON value."""
    value = json.loads(action.get("value") or "")
    if not isinstance(value, dict) or not isinstance(value.get("d"), int):
        raise ValueError(f"unexpected button value: {action.get('value')!r}")
    lang = value.get("lang")
    return value["d"], lang if lang in ("en", "de") else None


def candidate_value(action: Mapping) -> tuple[int, str]:
    """(candidate id, language) from a review button's JSON value."""
    value = json.loads(action.get("value") or "")
    if not isinstance(value, dict) or not isinstance(value.get("c"), int):
        raise ValueError(f"unexpected button value: {action.get('value')!r}")
    return value["c"], value.get("lang") if value.get("lang") in ("en", "de") else "en"


def make_action_listeners(service: DiagnosisService, metrics: Metrics, *, background: Background = INLINE,
                          answers: Answerer | None = None) -> dict[str, Callable[..., None]]:
    """action_id -> listener. Each acknowledges at once and does the rest (posting to the
    response_url) in the background. `answers` knows the maintainers who may review feedback."""
    answers = answers or Answerer(service, metrics)

    def later(work: Callable[..., None]) -> Callable[..., None]:
        """The Bolt listener for `work(body, action, respond, logger)`: ack, then work in the background."""

        def listener(ack, body, action, respond, client, logger, context=None) -> None:
            ack()
            background.run(lambda: work(body, action, respond, logger), body=body, client=client, logger=logger,
                           respond=respond, context=context)

        listener.__name__ = listener.__qualname__ = work.__name__
        return listener

    def share_diagnosis(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        diagnosis_id, lang = button_value(action)
        recorded = service.recorded(diagnosis_id, lang=lang)
        if recorded is None:
            return _gone(respond, lang, logger)
        reply = recorded.render_with(service.renderer).slack(recorded.diagnosis, lang, diagnosis_id=diagnosis_id,
                                                             shared_by=_user(body))
        send(respond, metrics, logger, response_type="in_channel", replace_original=False, text=reply.text,
             blocks=reply.blocks)

    def other_matches(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        diagnosis_id, lang = button_value(action)
        recorded = service.recorded(diagnosis_id, lang=lang)
        if recorded is None:
            return _gone(respond, lang, logger)
        reply = recorded.render_with(service.renderer).slack_more(recorded.diagnosis, lang)
        send(respond, metrics, logger, response_type="ephemeral", replace_original=False, text=reply.text,
             blocks=reply.blocks)

    def feedback_solved(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        _feedback(body, action, respond, logger, verdict="solved")

    def feedback_wrong(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        _feedback(body, action, respond, logger, verdict="wrong_match")

    def feedback_pick_entry(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        block_id = str(action.get("block_id") or "")
        if not block_id.startswith("feedback_pick:"):
            raise ValueError(f"unexpected block_id for {PICK}: {block_id!r}")
        diagnosis_id = int(block_id.split(":", 1)[1])
        entry_id = str((action.get("selected_option") or {}).get("value") or "")
        user = _user(body)
        picked = service.entry(entry_id)
        service.record_feedback(diagnosis_id=diagnosis_id, user_id=user, verdict="wrong_match",
                                correct_entry_id=picked.id if picked else entry_id or None)
        blocks, text, lang = _message(body, diagnosis_id, _lang_in(body))
        if picked is None:  # removed from the knowledge base since the select was shown
            logger.warning("feedback for diagnosis %s names unknown entry %r", diagnosis_id, entry_id)
        blocks = service.renderer.slack_feedback(blocks, lang, diagnosis_id=diagnosis_id, user_id=user,
                                         verdict="wrong_match", picked=picked or entry_id)
        send(respond, metrics, logger, replace_original=True, text=text, blocks=blocks)

    def _feedback(body: Mapping, action: Mapping, respond: Any, logger: Any, *, verdict: str) -> None:
        diagnosis_id, lang = button_value(action)
        user = _user(body)
        service.record_feedback(diagnosis_id=diagnosis_id, user_id=user, verdict=verdict)
        blocks, text, lang = _message(body, diagnosis_id, lang)
        blocks = service.renderer.slack_feedback(blocks, lang, diagnosis_id=diagnosis_id, user_id=user, verdict=verdict,
                                         entries=service.entries() if verdict == "wrong_match" else ())
        send(respond, metrics, logger, replace_original=True, text=text, blocks=blocks)

    def feedback_accept(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        _review(body, action, respond, logger, accept=True)

    def feedback_reject(body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        _review(body, action, respond, logger, accept=False)

    def _review(body: Mapping, action: Mapping, respond: Any, logger: Any, *, accept: bool) -> None:
        candidate_id, lang = candidate_value(action)
        user = _user(body)
        if not answers.may_review(user):  # checked here too: a button can be replayed by anyone who sees it
            notice = service.renderer.slack_notice("review_maintainers_only", lang, command=answers.command)
            send(respond, metrics, logger, response_type="ephemeral", replace_original=False, text=notice.text,
                 blocks=notice.blocks)
            return
        outcomes = service.review([candidate_id], accept=accept, by=user)
        logger.info("feedback candidate %s %s by %s", candidate_id, outcomes[0].outcome if outcomes else "?", user)
        reply = answers.review(user, lang, outcomes=outcomes)
        send(respond, metrics, logger, response_type="ephemeral", replace_original=True, text=reply.text,
             blocks=reply.blocks)

    def _message(body: Mapping, diagnosis_id: int, lang: str | None) -> tuple[list[dict], str, str]:
        """The message the button sits in: its blocks as Slack sent them, or, for an ephemeral message
        (Slack does not send those back), the diagnosis rendered again."""
        message = body.get("message")
        if isinstance(message, Mapping) and message.get("blocks"):
            return list(message["blocks"]), str(message.get("text") or ""), lang or "en"
        recorded = service.recorded(diagnosis_id, lang=lang)
        if recorded is None:
            return [], "", lang or "en"
        lang = lang or recorded.diagnosis.extraction.language
        reply = recorded.render_with(service.renderer).slack(recorded.diagnosis, lang, diagnosis_id=diagnosis_id)
        return reply.blocks, reply.text, lang

    def _gone(respond: Any, lang: str | None, logger: Any) -> None:
        notice = service.renderer.slack_notice("gone", lang or "en")
        send(respond, metrics, logger, response_type="ephemeral", replace_original=False, text=notice.text,
             blocks=notice.blocks)

    return {SHARE: later(share_diagnosis), OTHERS: later(other_matches), SOLVED: later(feedback_solved),
            WRONG: later(feedback_wrong), PICK: later(feedback_pick_entry), ACCEPT: later(feedback_accept),
            REJECT: later(feedback_reject)}


def _user(body: Mapping) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _lang_in(body: Mapping) -> str | None:
    """The language of the message's buttons, where Slack sent the message back."""
    message = body.get("message")
    blocks: Sequence = (message.get("blocks") or ()) if isinstance(message, Mapping) else ()
    for block in blocks:
        for element in (block.get("elements") or ()) if isinstance(block, Mapping) else ():
            if isinstance(element, Mapping) and element.get("type") == "button":
                try:
                    return button_value(element)[1]
                except ValueError:
                    continue
    return None
