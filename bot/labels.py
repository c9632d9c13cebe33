"""Fixed wording of replies, per language. Entry content lives in knowledge/, not here."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "match": "Likely match",
        "close_call": "Close call: one of these",
        "possible": "Possible match",
        "no_match": "No match in the troubleshooting guide",
        "confidence": "confidence",
        "why": "Why",
        "likely_cause": "Most likely cause",
        "other_causes": "Other possible causes",
        "steps": "What to check",
        "commands": "Commands",
        "guide_section": "Guide section",
        "other_candidates": "Other candidates",
        "missing_values": "Fill in",
        "line": "line",
        "evidence_code": "error code",
        "evidence_status": "status",
        "evidence_phrase": "message",
        "evidence_pattern": "message",
        "evidence_symptom": "sounds like",
        "evidence_context": "Azure ML context",
        "no_match_text": "I could not tie this paste to an entry of the troubleshooting guide.",
        "no_match_status": "I see HTTP {codes}, but nothing says an Azure ML online endpoint sent it. "
                           "If one did, ask for the status code alone (for example `{first}`).",
        "no_match_tips": "Paste the full error message or the last lines of the deployment log "
                         "(`az ml online-deployment get-logs`), including the error code if there is one.",
        "empty_title": "Paste an error and I will diagnose it",
        "empty_text": "Send me an error message, an HTTP status code or a log excerpt from an Azure ML "
                      "managed online endpoint, for example `ERR_1200`, `429 Too Many Requests` or the "
                      "output of `az ml online-deployment get-logs`. I answer with the likely cause, what "
                      "to check and the commands to run, filled in with the names from your paste.",
        "notes": "Note",
        "entities": "Found in the paste",
    },
    "de": {
        "match": "Wahrscheinlicher Treffer",
        "close_call": "Knappe Entscheidung: einer von diesen",
        "possible": "Möglicher Treffer",
        "no_match": "Kein Treffer im Troubleshooting-Leitfaden",
        "confidence": "Sicherheit",
        "why": "Warum",
        "likely_cause": "Wahrscheinlichste Ursache",
        "other_causes": "Weitere mögliche Ursachen",
        "steps": "Was zu prüfen ist",
        "commands": "Befehle",
        "guide_section": "Abschnitt im Leitfaden",
        "other_candidates": "Weitere Kandidaten",
        "missing_values": "Noch einzusetzen",
        "line": "Zeile",
        "evidence_code": "Fehlercode",
        "evidence_status": "Status",
        "evidence_phrase": "Meldung",
        "evidence_pattern": "Meldung",
        "evidence_symptom": "klingt nach",
        "evidence_context": "Azure-ML-Kontext",
        "no_match_text": "Diesen Text konnte ich keinem Eintrag des Troubleshooting-Leitfadens zuordnen.",
        "no_match_status": "Ich sehe HTTP {codes}, aber nichts deutet darauf hin, dass ein Azure-ML-"
                           "Onlineendpunkt ihn gesendet hat. Falls doch, frag nach dem Statuscode allein "
                           "(zum Beispiel `{first}`).",
        "no_match_tips": "Füge die vollständige Fehlermeldung oder die letzten Zeilen des Bereitstellungs"
                         "protokolls ein (`az ml online-deployment get-logs`), mit Fehlercode, falls es einen gibt.",
        "empty_title": "Füge einen Fehler ein, ich diagnostiziere ihn",
        "empty_text": "Schick mir eine Fehlermeldung, einen HTTP-Statuscode oder einen Protokollauszug eines "
                      "verwalteten Azure-ML-Onlineendpunkts, etwa `ERR_1200`, `429 Too Many Requests` oder die "
                      "Ausgabe von `az ml online-deployment get-logs`. Ich antworte mit der wahrscheinlichen "
                      "Ursache, den Prüfschritten und den passenden Befehlen, ausgefüllt mit den Namen aus "
                      "deinem Text.",
        "notes": "Hinweis",
        "entities": "Im Text gefunden",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])
