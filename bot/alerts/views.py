"""Alert messages for Slack: the message that tracks an alert, and the notes in its thread.

The message is the alert's facts (status, severity, counts, first/last seen, values), then the same
diagnosis blocks every other surface shows (commands filled from the alert's endpoint, deployment,
resource group...), then buttons: Acknowledge, the alert's own runbook/dashboard links and the guide.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from bot.alerts.labels import alert_labels, duration
from bot.alerts.model import AlertLink
from bot.alerts.records import AlertRecord
from bot.alerts.storm import OTHERS, StormCounts
from bot.engine.model import Diagnosis
from bot.replies.render import Renderer
from bot.replies.slack_blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    SlackReply,
    clip,
    fit_block,
    limit_blocks,
    mrkdwn,
    slack_date,
)

MAX_LINK_BUTTONS = 4  # beside Acknowledge and the guide; Slack allows 25 elements, readers fewer


def with_entities(diagnosis: Diagnosis, entities: dict[str, str]) -> Diagnosis:
    """The diagnosis with the alert's own names (labels, resource ids) filling its commands first."""
    if not entities:
        return diagnosis
    merged = {**diagnosis.extraction.entities, **entities}
    return replace(diagnosis, extraction=replace(diagnosis.extraction, entities=merged))


class AlertMessages:
    def __init__(self, renderer: Renderer, *, lang: str = "en") -> None:
        self.renderer = renderer
        self.lang = lang
        self.t = alert_labels(lang)

    def message(self, record: AlertRecord, diagnosis: Diagnosis, *, earlier_link: str | None = None) -> SlackReply:
        """The message of an alert as it stands now (posted first, then edited in place)."""
        t, alert = self.t, record.alert
        resolved = record.status == "resolved"
        view = self.renderer.view(diagnosis, self.lang)
        top = view["matches"][0] if view["matches"] and diagnosis.decision != "no_match" else None
        links = list(alert.links[:MAX_LINK_BUTTONS])
        if top and top["guide_url"]:
            links.append(AlertLink(t["guide"], top["guide_url"]))
        entities = diagnosis.extraction.entities
        data = {
            "t": t, "alert_id": record.id, "title": alert.title or record.key, "resolved": resolved,
            "severity": alert.severity, "source": t["source_names"].get(alert.source, alert.source),
            "count": record.count, "first_seen": slack_date(record.first_seen),
            "last_seen": slack_date(record.last_seen),
            "resolved_at": slack_date(record.resolved_at) if record.resolved_at else "",
            "endpoint": entities.get("endpoint-name", ""), "deployment": entities.get("deployment-name", ""),
            "summary": alert.summary, "values": list(alert.values), "mentions": list(record.mentions),
            "acked": (t["acked_by"].format(user=f"<@{mrkdwn(record.acked_by)}>", when=slack_date(record.acked_at))
                      if record.acked_by and record.acked_at else ""),
            "earlier": t["earlier"].format(link=f"<{earlier_link}|{t['earlier_link']}>") if earlier_link else "",
            "can_ack": not resolved and not record.acked_by, "links": links,
            "truncated": (t["truncated"].format(count=alert.truncated, source=t["source_names"].get(
                alert.source, alert.source)) if alert.truncated else ""),
        }
        parts = json.loads(self.renderer.env.get_template("slack/alert.json.j2").render(data))
        head = [fit_block(b) for b in parts["head"]]
        actions = [fit_block(b) for b in parts["actions"]]
        body = (self._no_match() if diagnosis.decision == "no_match" or diagnosis.empty_input
                else self.renderer.slack(diagnosis, self.lang, actions=False).blocks)
        blocks = head + limit_blocks(body, MAX_BLOCKS - len(head) - len(actions)) + actions
        status = t["resolved"] if resolved else t["firing"]
        likely = f" — {top['title']}" if top else ""
        mentions = " ".join(record.mentions)
        # The fallback is read as mrkdwn too: a title saying <!channel> must not notify anyone.
        text = f"{mentions + ' ' if mentions else ''}{status}: {mrkdwn(alert.title)}{mrkdwn(likely)}"
        return SlackReply(text=clip(text, MAX_SECTION), blocks=blocks)

    def _no_match(self) -> list[dict]:
        """Said in alert terms: the chat's advice (paste the full error...) means nothing to an alert."""
        text = f"*{self.t['no_match_title']}*\n{self.t['no_match_body']}"
        return [{"type": "section", "block_id": "alert_no_match", "text": {"type": "mrkdwn", "text": text}}]

    def top_title(self, diagnosis: Diagnosis) -> str | None:
        """The title of the entry the diagnosis settled on; None when nothing matched."""
        if diagnosis.decision == "no_match" or not diagnosis.matches:
            return None
        return self.renderer.view(diagnosis, self.lang)["matches"][0]["title"]

    def still_firing(self, record: AlertRecord) -> str:
        return self.t["still_firing"].format(count=record.count, first=slack_date(record.first_seen),
                                             last=slack_date(record.last_seen))

    def resolved(self, record: AlertRecord, *, now: datetime) -> str:
        ended = record.resolved_at or now
        return self.t["resolved_reply"].format(when=slack_date(ended), duration=duration(
            (ended - record.first_seen).total_seconds(), self.lang))

    def refired(self, link: str | None) -> str:
        target = f"<{link}|{self.t['new_message']}>" if link else self.t["new_message"]
        return self.t["refired_reply"].format(link=target)

    def storm_summary(self, counts: StormCounts, *, since: datetime) -> SlackReply:
        """The summary message of an alert storm (posted once, then edited in place as alerts go in)."""
        t = self.t

        def lines(facet: str, empty: str) -> list[str]:
            out = []
            for value, count in counts.facets.get(facet, ()):
                name = t["others"] if value == OTHERS else (value or empty)
                out.append(f"• {mrkdwn(clip(name, 80))}: {count}")
            return out

        data = {"t": t, "total": counts.total, "resolved": counts.resolved, "since": slack_date(since),
                "rules": lines("rule", t["none"]), "endpoints": lines("endpoint", t["no_endpoint"]),
                "diagnoses": lines("diagnosis", t["no_diagnosis"])}
        blocks = [fit_block(b) for b in json.loads(
            self.renderer.env.get_template("slack/alert_storm.json.j2").render(data))]
        top = counts.facets.get("rule") or []
        lead = f" ({mrkdwn(clip(top[0][0], 80))}: {top[0][1]})" if top and top[0][0] != OTHERS else ""
        return SlackReply(text=clip(t["storm_text"].format(count=counts.total) + lead, MAX_SECTION), blocks=blocks)
