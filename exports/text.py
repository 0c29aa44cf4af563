"""Lemmas for reports: the Dutch pipeline's content lemmas with their parts of speech (or a
plain fallback), parsed once per distinct text and shared by everything in the report.

The TF-IDF vectors the report ranks quotes with are :mod:`analysis.tfidf`'s (all content
lemmas); the word clouds take the nouns and adjectives among the same lemmas
(:meth:`LemmaCache.cloud`), without the domain stop list :data:`CLOUD_STOP`.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence, Union

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
#: What a word cloud shows: nouns and adjectives (verbs and names say little about a theme).
CLOUD_POS = {"NOUN", "ADJ"}
#: Words too general to say anything about a theme in this kind of consultation.
EXTRA_STOP = {"gemeente", "mens", "wmo", "hebben", "zijn", "worden", "kunnen", "moeten", "gaan",
              "komen", "maken", "krijgen", "willen", "zullen", "laten", "doen", "geven", "vinden",
              "staan", "zien", "zeggen", "weten", "goed", "veel", "heel", "echt", "vaak", "keer",
              "steeds", "eigen", "ander", "nieuw", "groot", "klein"}
#: Words that fill a word cloud in any consultation of a municipality without saying anything
#: about the theme: light verbs and adverbs the tagger sometimes takes for nouns or adjectives
#: ("houden", "zitten", "ver"), the municipality and its residents, and vague nouns and
#: adjectives of time, amount and manner.
CLOUD_STOP = EXTRA_STOP | {
    "houden", "zitten", "ver", "liggen", "lopen", "zetten", "brengen", "nemen", "blijven", "raken", "horen",
    "gemeente", "gemeentelijk", "deventer", "inwoner", "burger", "mensen", "persoon", "iemand", "iets",
    "ding", "dingen", "manier", "soort", "beetje", "deel", "kant", "stuk", "punt", "geval", "idee", "sprake",
    "jaar", "maand", "week", "dag", "moment", "keer", "periode", "begin", "eind",
    "lang", "kort", "hoog", "laag", "oud", "jong", "zeker", "graag", "fijn", "prima", "mooi", "slecht",
    "belangrijk", "nodig", "mogelijk", "duidelijk", "moeilijk", "makkelijk", "snel", "weinig", "genoeg",
    "meer", "minder", "meeste", "hele", "heel", "enkel", "bepaald", "gewoon", "zelf", "elk", "ieder",
    "erg", "eerlijk", "evenveel", "hoogte", "draad",   # "eerlijk gezegd", "op de hoogte", "de rode draad"
    # verb stems the tagger takes for nouns in spoken Dutch ("ik krijg", "maak één plan")
    "krijg", "snap", "maak", "mis", "laat", "luister", "zeg", "vind", "weet", "denk", "hoop", "kom", "kijk",
    # the consultation itself
    "bijeenkomst", "wijkbijeenkomst", "wijkbijeenkoms", "vragenlijst", "deelnemer", "verslag",
}

#: A token as the lemmatiser gives it: (lemma, part of speech); the part of speech is "" when
#: unknown (the plain fallback), and a bare string is a lemma of unknown part of speech.
Token = Union[tuple[str, str], str]
Lemmatiser = Callable[[Sequence[str]], list[list[Token]]]


def spacy_lemmatiser(nlp=None) -> Lemmatiser:
    """Content lemmas (stop words removed) with their parts of speech, with the bundled
    Dutch pipeline (the parser is not needed and not run)."""
    def run(texts: Sequence[str]) -> list[list[str]]:
        model = nlp
        if model is None:
            from analysis.nlp import load

            model = load()
        disable = [p for p in ("parser",) if p in model.pipe_names]
        out = []
        with model.select_pipes(disable=disable):
            for doc in model.pipe(list(texts), batch_size=64):
                out.append([(lemma, tok.pos_) for tok in doc
                            if tok.pos_ in CONTENT_POS and not tok.is_stop and tok.is_alpha
                            and len(lemma := (tok.lemma_ or tok.text).lower()) > 2
                            and lemma not in EXTRA_STOP])
        return out
    return run


def simple_lemmatiser(texts: Sequence[str]) -> list[list[str]]:
    """A fallback without the NLP pipeline: lower-cased words, a short stop list."""
    import re

    stop = EXTRA_STOP | {"de", "het", "een", "en", "van", "in", "op", "te", "dat", "die", "is", "voor",
                         "met", "niet", "aan", "er", "als", "maar", "ook", "bij", "ik", "we", "wij",
                         "ze", "zij", "je", "mijn", "naar", "om", "of", "dan", "nog", "wel", "geen",
                         "meer", "wat", "door", "over", "tot", "uit", "al", "hun", "hem", "haar"}
    return [[w for w in re.findall(r"[a-zà-ÿ]+", t.lower()) if len(w) > 2 and w not in stop] for t in texts]


class LemmaCache:
    """Lemmatise each distinct text once (demo and survey answers repeat a lot); the quotes'
    TF-IDF vectors and the word clouds read the same lemmas."""

    def __init__(self, lemmatiser: Lemmatiser, store: "LemmaStore | None" = None):
        self.lemmatiser = lemmatiser
        self.store = store
        self.cache: dict[str, list[tuple[str, str]]] = {}
        self.parsed = 0      # texts the lemmatiser had to parse (not in the store)

    def prime(self, texts: Iterable[str]) -> None:
        todo = sorted({t for t in texts if t not in self.cache})
        if todo and self.store is not None:
            self.cache.update(self.store.get(todo))
            todo = [t for t in todo if t not in self.cache]
        if todo:
            new = {t: [(tok, "") if isinstance(tok, str) else tuple(tok) for tok in tokens]
                   for t, tokens in zip(todo, self.lemmatiser(todo))}
            self.cache.update(new)
            self.parsed += len(new)
            if self.store is not None:
                self.store.put(new)

    def tokens(self, text: str) -> list[tuple[str, str]]:
        if text not in self.cache:
            self.prime([text])
        return self.cache[text]

    def __call__(self, text: str) -> list[str]:
        """The content lemmas of ``text`` (every part of speech in :data:`CONTENT_POS`)."""
        return [lemma for lemma, _pos in self.tokens(text)]

    def cloud(self, text: str) -> list[str]:
        """The lemmas of ``text`` a word cloud shows: nouns and adjectives (any word when the
        part of speech is unknown), without :data:`CLOUD_STOP`."""
        return [lemma for lemma, pos in self.tokens(text)
                if (pos in CLOUD_POS or not pos) and lemma not in CLOUD_STOP]


def keyword_heads(keywords: Iterable[str]) -> set[str]:
    """The words of codebook keywords a word cloud weighs more: one-word keywords, and the
    last word of a phrase (its head in Dutch: "huishoudelijke hulp" -> "hulp"), lower case."""
    out = set()
    for k in keywords:
        words = k.lower().split()
        if words and len(words[-1]) > 2 and words[-1] not in CLOUD_STOP:
            out.add(words[-1])
    return out


def cloud_weight(lemma: str, keywords: set[str], factor: float) -> float:
    """``factor`` for a lemma that is a codebook keyword or a compound ending or starting in
    one of at least five letters ("mantelzorgondersteuning" for "mantelzorg"), else 1."""
    if lemma in keywords or any(len(k) >= 5 and (lemma.startswith(k) or lemma.endswith(k)) for k in keywords):
        return factor
    return 1.0


#: Bump when what the lemmatisers return changes (parts of speech kept, stop words), so that
#: lemmas stored by an earlier version are not used.
LEMMA_FORMAT = 1


def pipeline_id(model_dir=None) -> str:
    """What the stored lemmas depend on: the bundled pipeline's files (meta and config) and
    :data:`LEMMA_FORMAT`. Read without loading the pipeline."""
    import hashlib
    from pathlib import Path

    if model_dir is None:
        from analysis.nlp import MODEL_DIR as model_dir
    h = hashlib.sha1(f"lemmas {LEMMA_FORMAT}".encode())
    for name in ("meta.json", "config.cfg"):
        p = Path(model_dir) / name
        h.update(p.read_bytes() if p.is_file() else b"-")
    return h.hexdigest()[:16]


class LemmaStore:
    """The lemmas of texts kept between reports in a SQLite file (Python's ``sqlite3``), so
    that a report does not load the Dutch pipeline (about 180 MB and seconds of work) to
    parse texts it parsed before. Keyed by a hash of :func:`pipeline_id` and the text: a
    new pipeline or a changed text is parsed again. The report only lemmatises masked text,
    and keeps only the lemmas of the texts it used (:meth:`keep_only`), so nothing here
    outlives the texts or is more personal than the report itself; :meth:`clear` empties it.
    It also keeps the report's word cloud pictures (:meth:`pictures`), only those of the
    last report. One store per consultation."""

    def __init__(self, path, pipeline: str | None = None):
        from pathlib import Path

        self.path = Path(path)
        self.pipeline = pipeline or pipeline_id()

    def _key(self, text: str) -> str:
        import hashlib

        return hashlib.sha1(f"{self.pipeline}\0{text}".encode()).hexdigest()

    def _connect(self):
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(self.path), timeout=30)
        con.execute("CREATE TABLE IF NOT EXISTS lemmas (key TEXT PRIMARY KEY, tokens TEXT NOT NULL)")
        con.execute("CREATE TABLE IF NOT EXISTS pictures (key TEXT PRIMARY KEY, png BLOB NOT NULL)")
        return con

    # Word clouds are a pure function of their words' weights (:func:`picture_key`), and
    # placing the words is most of a warm report's model step: the report keeps the pictures
    # it drew here too, and only those (:meth:`keep_pictures`).

    def pictures(self, keys: Iterable[str]) -> dict[str, bytes]:
        keys = list(dict.fromkeys(keys))
        out: dict[str, bytes] = {}
        con = self._connect()
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                out.update(con.execute(f"SELECT key, png FROM pictures WHERE key IN ({','.join('?' * len(chunk))})",
                                       chunk).fetchall())
        finally:
            con.close()
        return out

    def put_pictures(self, pictures: dict[str, bytes]) -> None:
        con = self._connect()
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO pictures (key, png) VALUES (?, ?)", list(pictures.items()))
        finally:
            con.close()

    def keep_pictures(self, keys: Iterable[str]) -> int:
        """Forget every picture but ``keys``; the number removed."""
        con = self._connect()
        try:
            with con:
                con.execute("CREATE TEMP TABLE keep_pictures (key TEXT PRIMARY KEY)")
                con.executemany("INSERT INTO keep_pictures (key) VALUES (?)", [(k,) for k in set(keys)])
                return con.execute("DELETE FROM pictures WHERE key NOT IN (SELECT key FROM keep_pictures)").rowcount
        finally:
            con.close()

    def get(self, texts: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        import json

        keys = {self._key(t): t for t in texts}
        out: dict[str, list[tuple[str, str]]] = {}
        con = self._connect()
        try:
            todo = list(keys)
            for i in range(0, len(todo), 500):
                chunk = todo[i:i + 500]
                rows = con.execute(f"SELECT key, tokens FROM lemmas WHERE key IN ({','.join('?' * len(chunk))})",
                                   chunk)
                for key, tokens in rows:
                    out[keys[key]] = [tuple(tok) for tok in json.loads(tokens)]
        finally:
            con.close()
        return out

    def put(self, lemmas: dict[str, list[tuple[str, str]]]) -> None:
        import json

        con = self._connect()
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO lemmas (key, tokens) VALUES (?, ?)",
                                [(self._key(t), json.dumps(tokens, ensure_ascii=False)) for t, tokens in lemmas.items()])
        finally:
            con.close()

    def keep_only(self, texts: Iterable[str]) -> int:
        """Forget the lemmas of every text but ``texts`` (a report passes all it uses, so
        texts deleted since, by a retention purge for instance, leave the store too); the
        number of entries removed."""
        keys = [(self._key(t),) for t in set(texts)]
        con = self._connect()
        try:
            with con:
                con.execute("CREATE TEMP TABLE keep (key TEXT PRIMARY KEY)")
                con.executemany("INSERT INTO keep (key) VALUES (?)", keys)
                return con.execute("DELETE FROM lemmas WHERE key NOT IN (SELECT key FROM keep)").rowcount
        finally:
            con.close()

    def clear(self) -> None:
        con = self._connect()
        try:
            with con:
                con.execute("DELETE FROM lemmas")
                con.execute("DELETE FROM pictures")
        finally:
            con.close()
