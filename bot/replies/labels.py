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
        "guide": "Guide",
        "other_candidates": "Other candidates",
        "missing_values": "Fill in",
        "line": "line",
        "evidence_code": "error code",
        "evidence_status": "status",
        "evidence_phrase": "message",
        "evidence_pattern": "message",
        "evidence_symptom": "sounds like",
        "evidence_context": "Azure ML context",
        "evidence_model": "resembles the entry's examples",
        "evidence_confirmed": "like a confirmed paste",
        # Not the confirmed paste itself: it may come from another person's private conversation.
        "confirmed_paste": "one a maintainer confirmed for this entry, {percent}% alike",
        "decides": "What decides",
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
        # Slack surface
        "share": "Share in channel",
        "other_matches": "Other matches",
        "more": "More",
        "more_title": "More",
        "solved": "Solved it",
        "wrong": "Wrong match",
        "shared_by": "Shared by {user}",
        "asked_by": "Diagnosis asked for by {user}",
        "thanks_solved": "Thanks {user}, glad it helped. Marked as solved.",
        "thanks_wrong": "Thanks {user}, noted as a wrong match. Which entry would have been right?",
        "thanks_picked": "Thanks {user}, noted: `{entry}` ({title}) is the right entry.",
        "pick_placeholder": "Pick the right entry",
        "others_title": "Other matches",
        "no_others": "No other entry of the troubleshooting guide came close.",
        "gone": "That diagnosis is no longer available. Send the paste again and I will diagnose it anew.",
        "busy": "Too many long pastes are being diagnosed right now, so I did not diagnose this one ({size}). "
                "Please send it again in a minute, or only the lines around the error.",
        "too_slow": "This paste ({size}) took too long to diagnose, so I stopped. Please send only the lines "
                    "around the error (the error message and a few lines before it).",
        "apology": "Sorry, something went wrong on my side. Please try again; if it keeps failing, "
                   "give the admins of this bot the reference `{ref}`.",
        "private_fallback": "I am not in this channel, so only you see this answer. Invite me to answer in "
                            "the thread next time.",
        "file_cut_head": "Only the first {size} of `{name}` were read.",
        "file_cut_tail": "Only the last {size} of `{name}` were read.",
        "file_failed": "I could not read `{name}`: {reason}.",
        "file_skipped": "`{name}` is not a text file; I can only read text, logs and snippets.",
        "file_too_many": "Only the first {count} files were read.",
        "context_used": "Diagnosed together with {count} earlier message(s) of this thread.",
        "context_cut": "Earlier messages of this thread were cut to the most recent {size}.",
        "cause": "Possible cause",
        "lookup_results": "{count} entries for `{query}`",
        "kind": "kind",
        "help_title": "How to use tsgbot",
        "help_intro": "I recognise errors, HTTP status codes and logs of Azure Machine Learning managed online "
                      "endpoints and answer with the likely cause, what to check and ready-to-copy commands "
                      "filled in with the names from your paste.",
        "help_slash": "diagnose a paste; only you see the answer, \"Share in channel\" posts it for everyone",
        "help_lookup": "look up an error code or status code directly",
        "help_list": "the entries of the knowledge base (`list <guide>`: those of one guide)",
        "help_lang": "answer in German (`en` for English)",
        "help_mention": "Mention me in a channel with a log (inline, in a code block or as an attached text "
                        "file or snippet): I answer in the thread. Mention me again in the thread with more "
                        "log and I diagnose it together with the earlier messages.",
        "help_dm": "Send me a direct message with a log: same answer, no mention needed.",
        "help_shortcut": "On any message: *More actions* (⋮) → *Diagnose this*.",
        "help_feedback": "Tell me with *Solved it* or *Wrong match* whether an answer was right. The knowledge "
                         "base's maintainers review what you report (`feedback`); accepted answers change for "
                         "everyone.",
        "list_title": "Knowledge base: {count} entries",
        "list_title_guide": "{guide}: {count} entries",
        "list_unknown_guide": "There is no guide `{guide}`. The guides: {known}.",
        "list_more": "… and {count} more.",
        "kind_how-to": "How-to",
        "kind_deployment-error": "Deployment errors",
        "kind_scoring-status": "Scoring status codes",
        "home_title": "tsgbot: Azure ML online endpoint troubleshooting",
        "home_how": "How to use it",
        "home_kb": "Knowledge base",
        "home_history": "Your last diagnoses",
        "home_no_history": "None yet. Try `{command} ERR_1200` or mention me with a log.",
        "surface_slash": "slash command",
        "surface_mention": "mention",
        "surface_dm": "direct message",
        "surface_shortcut": "shortcut",
        # Feedback review (maintainers)
        "review_title": "Feedback to review: {count}",
        "review_intro": "Pastes people marked with *Solved it* or *Wrong match → the right entry*. Nothing "
                        "changes answers until you accept it; accepted pastes become examples the knowledge "
                        "base learns from, on every server within seconds.",
        "review_privately": "Feedback is reviewed privately: send `{command} feedback`, or `feedback` in a "
                            "direct message to me.",
        "review_accept": "Accept",
        "review_reject": "Reject",
        "review_empty": "Nothing to review: no feedback is waiting.",
        "review_more": "… and {count} more: `python app.py kb feedback` lists them all.",
        "review_reported": "reported {count}× ({verdict}) by {users}",
        "review_today": "answered today: {answer}",
        "review_no_match": "no match",
        "review_verdict_solved": "solved it",
        "review_verdict_wrong_match": "wrong match",
        "review_maintainers_only": "Only the knowledge base's maintainers can review feedback (ask an admin "
                                   "to add you to `KB_MAINTAINERS`). Your *Solved it* and *Wrong match* "
                                   "clicks are recorded for them.",
        "review_done_accepted": "Accepted #{id}: pastes like it now land on `{entry}` (all servers within "
                                "seconds).",
        "review_done_rejected": "Rejected #{id}: it will not come back for review.",
        "review_done_already": "#{id} was already {status}.",
        "review_done_unknown": "There is no candidate #{id} (any more).",
        "review_done_entry_gone": "Could not accept #{id}: the entry `{entry}` is no longer in the knowledge "
                                  "base. Reject it, or restore the entry and sync.",
        "status_accepted": "accepted",
        "status_rejected": "rejected",
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
        "guide": "Leitfaden",
        "other_candidates": "Weitere Kandidaten",
        "missing_values": "Noch einzusetzen",
        "line": "Zeile",
        "evidence_code": "Fehlercode",
        "evidence_status": "Status",
        "evidence_phrase": "Meldung",
        "evidence_pattern": "Meldung",
        "evidence_symptom": "klingt nach",
        "evidence_context": "Azure-ML-Kontext",
        "evidence_model": "ähnelt den Beispielen des Eintrags",
        "evidence_confirmed": "wie ein bestätigter Text",
        "confirmed_paste": "einer, den ein Maintainer für diesen Eintrag bestätigt hat, zu {percent} % gleich",
        "decides": "Was entscheidet",
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
        # Slack surface
        "share": "Im Kanal teilen",
        "other_matches": "Andere Treffer",
        "more": "Mehr",
        "more_title": "Mehr",
        "solved": "Gelöst",
        "wrong": "Falscher Treffer",
        "shared_by": "Geteilt von {user}",
        "asked_by": "Diagnose angefordert von {user}",
        "thanks_solved": "Danke {user}, schön, dass es geholfen hat. Als gelöst vermerkt.",
        "thanks_wrong": "Danke {user}, als falscher Treffer vermerkt. Welcher Eintrag wäre richtig gewesen?",
        "thanks_picked": "Danke {user}, vermerkt: `{entry}` ({title}) ist der richtige Eintrag.",
        "pick_placeholder": "Richtigen Eintrag wählen",
        "others_title": "Andere Treffer",
        "no_others": "Kein anderer Eintrag des Troubleshooting-Leitfadens kam in Frage.",
        "gone": "Diese Diagnose ist nicht mehr verfügbar. Schick den Text noch einmal, dann diagnostiziere "
                "ich ihn neu.",
        "busy": "Gerade werden zu viele lange Texte diagnostiziert, deshalb habe ich diesen ({size}) nicht "
                "diagnostiziert. Schick ihn in einer Minute noch einmal, oder nur die Zeilen um den Fehler.",
        "too_slow": "Die Diagnose dieses Texts ({size}) hat zu lange gedauert, deshalb habe ich abgebrochen. "
                    "Schick bitte nur die Zeilen um den Fehler (die Fehlermeldung und ein paar Zeilen davor).",
        "apology": "Entschuldigung, bei mir ist etwas schiefgegangen. Bitte versuch es noch einmal; wenn es "
                   "weiter fehlschlägt, gib den Admins dieses Bots die Referenz `{ref}`.",
        "private_fallback": "Ich bin nicht in diesem Kanal, daher siehst nur du diese Antwort. Lade mich ein, "
                            "dann antworte ich im Thread.",
        "file_cut_head": "Von `{name}` wurden nur die ersten {size} gelesen.",
        "file_cut_tail": "Von `{name}` wurden nur die letzten {size} gelesen.",
        "file_failed": "`{name}` konnte ich nicht lesen: {reason}.",
        "file_skipped": "`{name}` ist keine Textdatei; ich lese nur Text, Protokolle und Snippets.",
        "file_too_many": "Nur die ersten {count} Dateien wurden gelesen.",
        "context_used": "Zusammen mit {count} früheren Nachricht(en) dieses Threads diagnostiziert.",
        "context_cut": "Frühere Nachrichten dieses Threads wurden auf die letzten {size} gekürzt.",
        "cause": "Mögliche Ursache",
        "lookup_results": "{count} Einträge für `{query}`",
        "kind": "Art",
        "help_title": "So nutzt du tsgbot",
        "help_intro": "Ich erkenne Fehler, HTTP-Statuscodes und Protokolle verwalteter Azure-ML-Onlineendpunkte "
                      "und antworte mit der wahrscheinlichen Ursache, den Prüfschritten und kopierfertigen "
                      "Befehlen, ausgefüllt mit den Namen aus deinem Text.",
        "help_slash": "Text diagnostizieren; nur du siehst die Antwort, „Im Kanal teilen“ zeigt sie allen",
        "help_lookup": "einen Fehlercode oder Statuscode direkt nachschlagen",
        "help_list": "die Einträge der Wissensbasis (`list <Leitfaden>`: die eines Leitfadens)",
        "help_lang": "auf Deutsch antworten (`en` für Englisch)",
        "help_mention": "Erwähne mich in einem Kanal mit einem Protokoll (im Text, in einem Codeblock oder als "
                        "angehängte Textdatei oder Snippet): Ich antworte im Thread. Erwähne mich dort erneut "
                        "mit mehr Protokoll, dann diagnostiziere ich es zusammen mit den früheren Nachrichten.",
        "help_dm": "Schick mir eine Direktnachricht mit einem Protokoll: gleiche Antwort, ohne Erwähnung.",
        "help_shortcut": "An jeder Nachricht: *Weitere Aktionen* (⋮) → *Diagnose this*.",
        "help_feedback": "Sag mir mit *Gelöst* oder *Falscher Treffer*, ob eine Antwort gestimmt hat. Die "
                         "Betreuer der Wissensbasis prüfen deine Meldungen (`feedback`); angenommene ändern die "
                         "Antworten für alle.",
        "list_title": "Wissensbasis: {count} Einträge",
        "list_title_guide": "{guide}: {count} Einträge",
        "list_unknown_guide": "Einen Leitfaden `{guide}` gibt es nicht. Die Leitfäden: {known}.",
        "list_more": "… und {count} weitere.",
        "kind_how-to": "Anleitungen",
        "kind_deployment-error": "Bereitstellungsfehler",
        "kind_scoring-status": "Statuscodes beim Scoring",
        "home_title": "tsgbot: Troubleshooting für Azure-ML-Onlineendpunkte",
        "home_how": "So nutzt du ihn",
        "home_kb": "Wissensbasis",
        "home_history": "Deine letzten Diagnosen",
        "home_no_history": "Noch keine. Probier `{command} ERR_1200` oder erwähne mich mit einem Protokoll.",
        "surface_slash": "Slash-Befehl",
        "surface_mention": "Erwähnung",
        "surface_dm": "Direktnachricht",
        "surface_shortcut": "Shortcut",
        # Feedback review (maintainers)
        "review_title": "Rückmeldungen zu prüfen: {count}",
        "review_intro": "Texte, die jemand mit *Gelöst* oder *Falscher Treffer → richtiger Eintrag* markiert "
                        "hat. Antworten ändern sich erst, wenn du annimmst; angenommene Texte werden Beispiele, "
                        "aus denen die Wissensbasis lernt, auf allen Servern binnen Sekunden.",
        "review_privately": "Rückmeldungen werden privat geprüft: schick `{command} feedback` oder `feedback` "
                            "als Direktnachricht an mich.",
        "review_accept": "Annehmen",
        "review_reject": "Ablehnen",
        "review_empty": "Nichts zu prüfen: keine Rückmeldung wartet.",
        "review_more": "… und {count} weitere: `python app.py kb feedback` listet alle.",
        "review_reported": "{count}× gemeldet ({verdict}) von {users}",
        "review_today": "heutige Antwort: {answer}",
        "review_no_match": "kein Treffer",
        "review_verdict_solved": "gelöst",
        "review_verdict_wrong_match": "falscher Treffer",
        "review_maintainers_only": "Nur die Betreuer der Wissensbasis können Rückmeldungen prüfen (ein Admin "
                                   "kann dich zu `KB_MAINTAINERS` hinzufügen). Deine Klicks auf *Gelöst* und "
                                   "*Falscher Treffer* werden für sie gespeichert.",
        "review_done_accepted": "#{id} angenommen: solche Texte landen jetzt bei `{entry}` (auf allen Servern "
                                "binnen Sekunden).",
        "review_done_rejected": "#{id} abgelehnt: kommt nicht wieder zur Prüfung.",
        "review_done_already": "#{id} war schon {status}.",
        "review_done_unknown": "Einen Kandidaten #{id} gibt es nicht (mehr).",
        "review_done_entry_gone": "#{id} konnte nicht angenommen werden: den Eintrag `{entry}` gibt es in der "
                                  "Wissensbasis nicht mehr. Lehne ihn ab oder stelle den Eintrag wieder her.",
        "status_accepted": "angenommen",
        "status_rejected": "abgelehnt",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])
