"""The words of alert messages, in English and German."""

from __future__ import annotations

_EN = {
    "firing": "Firing", "resolved": "Resolved", "severity": "Severity", "source": "Source",
    "count": "Notifications", "first_seen": "First", "last_seen": "Last", "resolved_at": "Resolved",
    "endpoint": "Endpoint", "deployment": "Deployment", "values": "Values", "acknowledge": "Acknowledge",
    "acked_by": "Acknowledged by {user} {when}", "guide": "Troubleshooting guide",
    "still_firing": ":repeat: Still firing: {count} notifications since {first}; the last {last}.",
    "resolved_reply": ":white_check_mark: Resolved {when}, after {duration}.",
    "refired_reply": ":rotating_light: Fired again: {link}.", "new_message": "the new message",
    "earlier": "Fired before; the earlier thread: {link}.", "earlier_link": "earlier alert",
    "diagnosis": "What tsgbot makes of it", "none": "—",
    "source_names": {"alertmanager": "Alertmanager", "azure-monitor": "Azure Monitor", "grafana": "Grafana",
                     "datadog": "Datadog", "generic": "Webhook"},
    "storm_title": "Alert storm: {count} alerts", "storm_text": "Alert storm in this channel: {count} alerts",
    "storm_since": "Since {when}; {resolved} resolved. Each alert is in the thread.",
    "by_rule": "By rule", "by_endpoint": "By endpoint", "by_diagnosis": "By diagnosis",
    "no_endpoint": "no endpoint named", "no_diagnosis": "no knowledge-base entry", "others": "others",
    "truncated": "{count} more alerts of this notification were left out by {source} (truncatedAlerts).",
    "no_match_title": "No knowledge-base entry matches this alert",
    "no_match_body": "tsgbot found no troubleshooting entry for what this alert says. Its values, labels and "
                     "links are above; once the cause is known, add it to the knowledge base so the next "
                     "alert like it is diagnosed.",
}
_DE = {
    "firing": "Ausgelöst", "resolved": "Behoben", "severity": "Schweregrad", "source": "Quelle",
    "count": "Meldungen", "first_seen": "Erste", "last_seen": "Letzte", "resolved_at": "Behoben",
    "endpoint": "Endpunkt", "deployment": "Bereitstellung", "values": "Werte", "acknowledge": "Übernehmen",
    "acked_by": "Übernommen von {user} {when}", "guide": "Leitfaden zur Problembehandlung",
    "still_firing": ":repeat: Weiterhin ausgelöst: {count} Meldungen seit {first}; die letzte {last}.",
    "resolved_reply": ":white_check_mark: Behoben {when}, nach {duration}.",
    "refired_reply": ":rotating_light: Erneut ausgelöst: {link}.", "new_message": "die neue Nachricht",
    "earlier": "Schon einmal ausgelöst; der frühere Thread: {link}.", "earlier_link": "früherer Alarm",
    "diagnosis": "Was tsgbot daraus liest", "none": "—",
    "source_names": {"alertmanager": "Alertmanager", "azure-monitor": "Azure Monitor", "grafana": "Grafana",
                     "datadog": "Datadog", "generic": "Webhook"},
    "storm_title": "Alarmsturm: {count} Alarme", "storm_text": "Alarmsturm in diesem Kanal: {count} Alarme",
    "storm_since": "Seit {when}; {resolved} behoben. Jeder Alarm steht im Thread.",
    "by_rule": "Nach Regel", "by_endpoint": "Nach Endpunkt", "by_diagnosis": "Nach Diagnose",
    "no_endpoint": "kein Endpunkt genannt", "no_diagnosis": "kein Eintrag der Wissensbasis", "others": "weitere",
    "truncated": "{count} weitere Alarme dieser Meldung hat {source} weggelassen (truncatedAlerts).",
    "no_match_title": "Kein Eintrag der Wissensbasis passt zu diesem Alarm",
    "no_match_body": "tsgbot hat keinen Eintrag zur Problembehandlung für das gefunden, was dieser Alarm meldet. "
                     "Werte, Labels und Links stehen oben; ist die Ursache bekannt, trag sie in die Wissensbasis "
                     "ein, damit der nächste Alarm dieser Art diagnostiziert wird.",
}


def alert_labels(lang: str) -> dict:
    return _DE if lang == "de" else _EN


def duration(seconds: float, lang: str) -> str:
    """'3 min', '2 h 5 min', '1 d 4 h': how long an alert fired."""
    minutes = max(0, int(seconds // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} {'T' if lang == 'de' else 'd'} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else ("unter 1 min" if lang == "de" else "under 1 min")
