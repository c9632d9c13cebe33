"""What an alert message says: in German too, and never more than the sender meant (no @channel by text)."""

from __future__ import annotations

from dataclasses import replace

from bot.alerts.model import AlertLink
from bot.alerts.records import AlertRecord
from bot.alerts.text import alert_entities, alert_text
from bot.alerts.views import MAX_LINK_BUTTONS, AlertMessages, with_entities
from bot.db.tables import utcnow
from bot.engine.diagnose import diagnose
from tests.alert_helpers import endpoint_alert
from tests.fake_slack import _strings, elements


def record(alert, **changes) -> AlertRecord:
    now = utcnow()
    base = AlertRecord(id=7, key=alert.key, generation=1, status="firing", alert=alert, channel="C1", route="default",
                       mentions=(), message_ts=None, previous_id=None, count=3, first_seen=now, last_seen=now,
                       resolved_at=None, acked_by=None, acked_at=None, diagnosis_id=None)
    return replace(base, **changes)


def message(index, renderer, alert, *, lang="en", **changes):
    diagnosis = with_entities(diagnose(alert_text(alert), index, lang=lang), alert_entities(alert))
    return AlertMessages(renderer, lang=lang).message(record(alert, **changes), diagnosis)


def seen(reply) -> str:
    return "\n".join([reply.text, *_strings(reply.blocks)])


def test_a_german_alert_message(shipped_index, renderer):
    reply = message(shipped_index, renderer, endpoint_alert(), lang="de")
    assert "Ausgelöst: fraud-ep" in seen(reply) and "Übernehmen" in seen(reply)
    assert "Meldungen" in seen(reply)


def mrkdwn_texts(value) -> list[str]:
    """Every text Slack reads as mrkdwn (where <!channel> would notify); plain_text shows it literally."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            return [value.get("text", "")]
        return [t for item in value.values() for t in mrkdwn_texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in mrkdwn_texts(item)]
    return []


def test_text_from_the_sender_cannot_mention_anyone(shipped_index, renderer):
    alert = replace(endpoint_alert(title="<!channel> wake up"), summary="see <!here> and <@U0BOSS>")
    reply = message(shipped_index, renderer, alert)
    text = "\n".join([reply.text, *mrkdwn_texts(reply.blocks)])
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt; wake up" in reply.text


def test_a_route_s_mention_leads_the_message(shipped_index, renderer):
    reply = message(shipped_index, renderer, endpoint_alert(), mentions=("<!subteam^S0ONCALL1>",))
    assert reply.text.startswith("<!subteam^S0ONCALL1> Firing:")


def test_links_become_buttons_beside_the_guide_but_not_too_many(shipped_index, renderer):
    links = tuple(AlertLink(f"Dashboard {n}", f"https://grafana.example.com/d/{n}") for n in range(10))
    reply = message(shipped_index, renderer, endpoint_alert(links=links))
    urls = [e["url"] for _, e in elements(reply.blocks) if "url" in e]
    assert urls[:MAX_LINK_BUTTONS] == [link.url for link in links[:MAX_LINK_BUTTONS]]
    assert len(urls) == MAX_LINK_BUTTONS + 1 and "learn.microsoft.com" in urls[-1]


def test_resolved_and_acknowledged_messages_offer_no_acknowledge_button(shipped_index, renderer):
    now = utcnow()
    resolved = message(shipped_index, renderer, endpoint_alert(), status="resolved", resolved_at=now)
    acked = message(shipped_index, renderer, endpoint_alert(), acked_by="U0ONCALL", acked_at=now)
    assert not elements(resolved.blocks, "alert_ack") and "Resolved: fraud-ep" in seen(resolved)
    assert not elements(acked.blocks, "alert_ack") and "Acknowledged by <@U0ONCALL>" in seen(acked)


def test_an_alert_nothing_matches_says_so_in_alert_terms(shipped_index, renderer):
    alert = replace(endpoint_alert(title="Nightly batch window opened"), summary="The batch window is open.",
                    labels={}, values=(), resource=None)
    reply = message(shipped_index, renderer, alert)
    text = seen(reply)
    assert "No knowledge-base entry matches this alert" in text
    assert "Paste" not in text and "paste" not in text


def test_alerts_the_sender_left_out_are_shown(shipped_index, renderer):
    reply = message(shipped_index, renderer, replace(endpoint_alert(), source="alertmanager", truncated=7))
    assert "7 more alerts of this notification were left out by Alertmanager (truncatedAlerts)" in seen(reply)
    assert "left out" not in seen(message(shipped_index, renderer, endpoint_alert()))


def test_sender_text_is_escaped_in_severity_and_values(shipped_index, renderer):
    alert = replace(endpoint_alert(), severity="<!channel>",
                    values=("p99 <!channel> & <https://evil.example|click>: 5",))
    for text in mrkdwn_texts(message(shipped_index, renderer, alert).blocks):
        assert "<!channel>" not in text and "<https://evil" not in text
