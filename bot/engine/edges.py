"""Honest answers at the edges: a bare HTTP status is a close call between its entries, not "no match".

"429" alone, or "we get 401s" with no service named, fits this knowledge base's entries for that
status, but just as well another service. Saying "no match" and asking for the status code the
user already gave helps no one; listing the entries with one line on what would decide does.
A paste that names another service (Kubernetes, Azure OpenAI, App Service ...) still gets no match.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.fusion import STRONG, guide_context
from bot.engine.index import KnowledgeIndex
from bot.engine.model import Evidence, Localized, Match
from bot.engine.paste import Paste
from bot.engine.words import STOP_WORDS, WORD_RE

BARE_UP_TO = 300  # characters: a paste this short that only states a status ...
OTHER_WORDS_UP_TO = 4  # ... with at most this many words besides it
# Words that say no more than "an HTTP status came back" (in English and German).
_STATUS_TALK = frozenset(
    "http https status code codes error errors response responses request requests call calls api service "
    "returns returned return returning getting receive received receiving see seeing always again now "
    "since today suddenly sometimes lot lots fehler antwort antworten anfrage anfragen gibt liefert "
    "bekomme bekommen erhalte erhalten zurück zurueck immer plötzlich manchmal endpoint endpunkt "
    "client server reason phrase ok unauthorized unauthorised too many not found forbidden bad gateway "
    "timeout payload large internal failed dependency service unavailable "
    # the Azure SDK's fixed text: "azure.core.exceptions.HttpResponseError: Operation returned an invalid status"
    "azure core exceptions httpresponseerror clientauthenticationerror resourcenotfounderror operation invalid "
    "content".split()
)
W_BARE = 0.3
SCORE_CAP = 0.5  # a bare status is never more than an even chance for any one entry


@dataclass(frozen=True)
class StatusCall:
    matches: tuple[Match, ...]
    decides: Localized


def bare_status_call(index: KnowledgeIndex, paste: Paste, statuses: list[tuple[int, int]], *,
                     ranked_by_probability: list[Match]) -> StatusCall | None:
    """A close call between the entries of the paste's first known status, or None when the paste is
    more than a status, names another service, or no entry knows the status."""
    if len(paste.text.strip()) > BARE_UP_TO:
        return None
    numbers = {str(status) for status, _ in statuses}
    other = [w for w in WORD_RE.findall(paste.lower)
             if w not in numbers and w not in STOP_WORDS and w not in _STATUS_TALK and not w.rstrip("s").isdigit()]
    if len(other) > OTHER_WORDS_UP_TO:
        return None
    if any(ev.signal in STRONG for m in ranked_by_probability for ev in m.evidence):
        return None
    for status, line in statuses:
        entries = index.status_entries.get(status, [])
        if not entries:
            continue
        if guide_context(index, paste, index.context_of(entries[0])).foreign:
            return None  # the status came from the service the paste names
        fused = {m.entry.id: m for m in ranked_by_probability}
        found = []
        for entry_i in entries:
            entry = index.entries[entry_i]
            match = fused.get(entry.id)
            score = min(SCORE_CAP, match.score if match else 0.0) or round(SCORE_CAP / len(entries), 3)
            evidence = match.evidence if match else (Evidence("status", f"HTTP {status}", line, W_BARE),)
            found.append(Match(entry, round(score, 3), evidence, entry.causes))
        found.sort(key=lambda m: -m.score)
        return StatusCall(tuple(found), _decides(status, len(found)))
    return None


def status_decides(statuses: list[tuple[int, int]], kept: list[Match]) -> Localized | None:
    """For a close call that rests on a status alone (the paste names the service but not which of
    the status's entries it is): the line on what decides."""
    if not statuses or not kept:
        return None
    kinds = {ev.signal for ev in kept[0].evidence}
    if not kinds or not kinds <= {"status", "context", "model"}:
        return None
    status = next((s for s, _ in statuses if s in kept[0].entry.signals.status), None)
    if status is None:
        return None
    count = sum(1 for m in kept if status in m.entry.signals.status)
    if count < 2:
        return None
    return Localized(
        en=(f"Both fit an HTTP {status} from this service; the message in the response body decides "
            f"(paste it, or the client's whole error)."),
        de=(f"Beide passen zu HTTP {status} von diesem Dienst; die Meldung im Antworttext entscheidet "
            f"(bitte sie einfügen oder den ganzen Fehler des Clients)."),
    )


def _decides(status: int, count: int) -> Localized:
    which_en = "which of these it is" if count > 1 else "whether this is it"
    which_de = "welcher dieser Fälle es ist" if count > 1 else "ob es dieser Fall ist"
    return Localized(
        en=(f"HTTP {status} alone does not say {which_en}: the message in the response body and the "
            f"service that answered decide (an Azure ML online endpoint answers at "
            f"https://<endpoint>.<region>.inference.ml.azure.com). Paste the whole response or the client's error."),
        de=(f"HTTP {status} allein sagt nicht, {which_de}: Entscheidend sind die Meldung im Antworttext und "
            f"der Dienst, der geantwortet hat (ein Azure-ML-Onlineendpunkt antwortet unter "
            f"https://<endpoint>.<region>.inference.ml.azure.com). Bitte die ganze Antwort oder den Fehler "
            f"des Clients einfügen."),
    )
