"""The learned part of matching: a TF-IDF text model fit from the knowledge base when the index is built.

Every entry contributes documents: a profile (titles, codes, phrases, symptoms), each of its
examples and each confirmed paste (accepted feedback). (The summaries, prose about the error rather
than the error's words, made answers worse when they were documents too.) A paste is scored against every document
by cosine similarity over word stems; an entry's model score is its best document's.
A confirmed paste the user pastes again therefore lands on its entry with a similarity near 1.

Pure Python on purpose: fitting is one pass over the documents (no optimiser), a query is a few
dictionary look-ups per word, and importing it costs nothing (numpy or scikit-learn would cost
0.1-1 s per CLI start). Words the model does not know are mapped to a known word with the same
letter 4-grams, which catches typos ("contianer") and German compounds ("Onlineendpunkt").
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.model import ConfirmedExample, Entry
from bot.engine.words import STOP_WORDS, stem

# Words; and three- or four-digit numbers, which are statuses and error numbers (429, 2200).
_TOKEN = re.compile(r"[a-zäöüß][a-zäöüß0-9]*|(?<![0-9])[0-9]{3,4}(?![0-9])")
MAX_WORD = 32
# The model reads at most this much of a paste: all of a short one; of a long one the head, the
# tail and the lines that say error (where the telling words stand), so a 1 MB log costs as a few KB.
READ_WHOLE_UP_TO = 4000
READ_HEAD = 1500
READ_TAIL = 1500
READ_ERROR_LINES = 1500
_ERROR_WORDS = ("error", "exception", "failed", "fehler", "traceback")
MAX_QUERY_FEATURES = 300  # the heaviest features of a paste decide; the rest only cost time
# A word in more than this share of the entries says little about which it is (counted above 50
# entries): in a 10,000-entry base, dropping them also keeps a query from walking long lists.
MAX_DF_SHARE = 0.05
TYPO_MIN_SHARE = 0.6  # share of a word's letter 4-grams a known word must have to stand in for it
TYPO_TEXT_LIMIT = 2000  # typos come from hand-typed messages, not from logs


@dataclass(frozen=True)
class ModelDoc:
    entry: int  # index into the entries
    kind: str  # profile | example | confirmed
    text: str


@dataclass(frozen=True)
class EntryScore:
    entry: int
    similarity: float  # cosine with the entry's best document, in [0, 1]
    doc: int  # that document


@dataclass(frozen=True)
class Query:
    text: str
    weights: dict[str, float]  # feature -> normalised tf-idf weight
    words: dict[str, str | None]  # word -> its stem as the model reads it
    typos: bool


@dataclass
class TextModel:
    docs: tuple[ModelDoc, ...]
    idf: dict[str, float]
    postings: dict[str, list[tuple[int, float]]]  # feature -> (doc, weight)
    gram_words: dict[str, list[str]]  # letter 4-gram -> known stems containing it

    def query(self, text: str) -> Query:
        """Read a paste (or what the model reads of it) once, for scoring and for explaining."""
        typos = len(text) <= TYPO_TEXT_LIMIT
        words: dict[str, str | None] = {}
        counts = self._features(text, words, typos=typos)
        weights = {f: _tf(c) * self.idf[f] for f, c in counts.items() if f in self.idf}
        if len(weights) > MAX_QUERY_FEATURES:
            weights = dict(sorted(weights.items(), key=lambda fw: -fw[1])[:MAX_QUERY_FEATURES])
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return Query(text, {f: w / norm for f, w in weights.items()} if norm else {}, words, typos)

    def score(self, query: Query | str, *, limit: int = 8) -> list[EntryScore]:
        """Entries by their best document's cosine with the text, best first."""
        weights = (self.query(query) if isinstance(query, str) else query).weights
        if not weights:
            return []
        dots: dict[int, float] = defaultdict(float)
        for feature, weight in weights.items():
            for doc, doc_weight in self.postings.get(feature, ()):
                dots[doc] += weight * doc_weight
        best: dict[int, tuple[float, int]] = {}
        for doc, dot in dots.items():
            entry = self.docs[doc].entry
            if entry not in best or dot > best[entry][0]:
                best[entry] = (dot, doc)
        ranked = heapq.nsmallest(limit, best.items(), key=lambda item: (-item[1][0], item[0]))
        return [EntryScore(entry, min(1.0, round(sim, 4)), doc) for entry, (sim, doc) in ranked]

    def doc_weights(self, doc: int) -> dict[str, float]:
        """A document's normalised tf-idf vector (kept only in the postings; rebuilt for the one shown)."""
        counts = _count(_stems(self.docs[doc].text[:READ_WHOLE_UP_TO]))
        weights = {f: _tf(c) * self.idf[f] for f, c in counts.items() if f in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}

    def line_weights(self, query: Query, doc: int) -> list[tuple[float, int]]:
        """(share of the similarity, line number) for the lines of the query's text that weigh for a
        document, by the words the two share."""
        doc_weights = self.doc_weights(doc)
        shared = {f: w * doc_weights[f] for f, w in query.weights.items() if f in doc_weights}
        surface: dict[str, list[str]] = defaultdict(list)  # shared stem -> the text's words with it
        for word, st in query.words.items():
            if st in shared:
                surface[st].append(word)
        found = []
        for number, line in enumerate(query.text.lower().split("\n"), 1):
            share = sum(weight for st, weight in shared.items() if any(w in line for w in surface[st]))
            if share > 0:
                found.append((share, number))
        return sorted(found, key=lambda item: (-item[0], item[1]))

    def _features(self, text: str, words: dict[str, str | None], *, typos: bool) -> Counter:
        """Stem counts; `words` remembers each word's stem (None: not a feature)."""
        stems = []
        for word in _TOKEN.findall(text.lower()):
            st = words.get(word, "")
            if st == "":
                st = words[word] = self._stem_of(word, typos=typos)
            if st is not None:
                stems.append(st)
        return _count(stems)

    def _stem_of(self, word: str, *, typos: bool) -> str | None:
        st = _plain_stem(word)
        if st is not None and typos and st not in self.idf and len(word) >= 6 and word.isalpha():
            st = self._known_like(word) or st
        return st

    def _known_like(self, word: str) -> str | None:
        """A known stem sharing most of the word's letter 4-grams (a typo, or the tail of a compound)."""
        grams = _grams(word)
        votes: Counter = Counter()
        for gram in grams:
            votes.update(self.gram_words.get(gram, ()))
        if not votes:
            return None
        best, shared = max(votes.items(), key=lambda kv: (kv[1], -abs(len(kv[0]) - len(word)), kv[0]))
        return best if shared >= TYPO_MIN_SHARE * min(len(grams), len(_grams(best))) and shared >= 2 else None


def _grams(word: str) -> list[str]:
    return [word[i: i + 4] for i in range(len(word) - 3)]


def _count(stems: list[str]) -> Counter:
    # Word pairs were tried as features too; they made answers worse on real pastes and doubled the fit.
    return Counter(stems)


_HASHLIKE = re.compile(r"(?:[a-zäöüß]*\d){3}")  # three digits or more in a word: an id or hash, not a word


@lru_cache(maxsize=65536)
def _plain_stem(word: str) -> str | None:
    """The stem the model uses for a word; None for stop words, ids and hashes."""
    if len(word) > MAX_WORD or word in STOP_WORDS or (len(word) > 5 and _HASHLIKE.match(word)):
        return None
    return stem(word)


def _stems(text: str) -> list[str]:
    return [st for w in _TOKEN.findall(text.lower()) if (st := _plain_stem(w)) is not None]


def training_documents(entries: tuple[Entry, ...], confirmed: tuple[ConfirmedExample, ...],
                       by_id: dict[str, int]) -> list[tuple[int, str, str]]:
    """(entry, kind, text) for every document the model learns from."""
    docs: list[tuple[int, str, str]] = []
    for i, entry in enumerate(entries):
        s = entry.signals
        profile = [entry.title.en, entry.title.de, *s.codes, *s.phrases, *s.symptoms]
        docs.append((i, "profile", "\n".join(profile)))
        docs.extend((i, "example", example) for example in entry.examples)
    docs.extend((by_id[c.entry_id], "confirmed", c.text) for c in confirmed if c.entry_id in by_id)
    return docs


def fit_text_model(entries: tuple[Entry, ...], confirmed: tuple[ConfirmedExample, ...],
                   by_id: dict[str, int]) -> TextModel:
    """Fit the model: deterministic, one pass over the documents."""
    raw = training_documents(entries, confirmed, by_id)
    counted = []
    stem_cache: dict[str, list[str]] = {}
    for entry, kind, text in raw:
        cut = text[:READ_WHOLE_UP_TO]
        stems = stem_cache.get(cut)
        if stems is None:
            stems = stem_cache[cut] = _stems(cut)
        counted.append((entry, kind, text, _count(stems)))
    # Document frequency counts entries, not documents: a word every entry's texts use ("endpoint",
    # "https") cannot tell entries apart, however few documents it stands in.
    entry_features: dict[int, set[str]] = defaultdict(set)
    for entry, _kind, _text, counts in counted:
        entry_features[entry].update(counts.keys())
    df: Counter = Counter()
    for features in entry_features.values():
        df.update(features)
    n = len(entry_features)
    cap = max(50, MAX_DF_SHARE * n)
    idf = {f: math.log((1 + n) / (1 + c)) for f, c in df.items() if c <= cap and c < n}
    docs = []
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for k, (entry, kind, text, counts) in enumerate(counted):
        weights = [(f, _tf(c) * idf[f]) for f, c in counts.items() if f in idf]
        norm = math.sqrt(sum(w * w for _, w in weights)) or 1.0
        docs.append(ModelDoc(entry, kind, text))
        for f, w in weights:
            postings[f].append((k, w / norm))
    gram_words: dict[str, list[str]] = defaultdict(list)
    for f in idf:
        if len(f) >= 6 and f.isalpha():
            for gram in set(_grams(f)):
                gram_words[gram].append(f)
    return TextModel(tuple(docs), idf, postings, gram_words)


_TF_TABLE = tuple(1.0 + math.log(c) if c else 0.0 for c in range(64))


def _tf(count: int) -> float:
    """Sublinear term frequency: a word said ten times is not ten times the evidence."""
    return _TF_TABLE[count] if count < 64 else 1.0 + math.log(count)


def model_text(text: str, lower: str) -> str:
    """What the model reads of a paste: a short paste whole; of a long one the head, the error lines
    up to a budget, and the tail."""
    if len(text) <= READ_WHOLE_UP_TO:
        return text
    head = text[:READ_HEAD]
    tail = text[-READ_TAIL:]
    picked: list[str] = []
    budget = READ_ERROR_LINES
    for word in _ERROR_WORDS:
        pos = lower.find(word, READ_HEAD)
        tries = 0
        while 0 <= pos < len(text) - READ_TAIL and budget > 0 and tries < 8:
            start = lower.rfind("\n", 0, pos) + 1
            end = lower.find("\n", pos)
            end = end if end >= 0 else len(text)
            line = text[start: min(end, start + 400)]
            picked.append(line)
            budget -= len(line)
            pos, tries = lower.find(word, end), tries + 1
    return "\n".join([head, *picked, tail])
