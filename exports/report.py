"""Build the verkenning report model from plain input data (no Flask, no database)."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Callable

import numpy as np

from analysis.privacy import contains_personal_data, scrub
from analysis.tfidf import Tfidf, centroid_ranking
from exports.model import (
    MIN_CELL, SMALL, Chart, Divide, FindingSection, Quote, Report, ReportInput, SummaryChoice, Table,
    ThemeSection, pct, protect,
)
from exports.text import LemmaCache, cloud_weight, keyword_heads, spacy_lemmatiser

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december"]
KIND_LABELS = {"finding": "bevinding", "principle": "uitgangspunt", "scenario": "scenario"}
#: False discovery rate for "what divides opinion" (Benjamini-Hochberg).
ALPHA = 0.05
#: A difference must also be at least this many percentage points to be reported.
MIN_DIFFERENCE = 0.10
QUOTES_PER_THEME = 4
SUMMARY_SEGMENTS = 3
#: Quotes this similar (cosine of lemma vectors) to one already chosen are skipped.
NEAR_DUPLICATE = 0.7
#: A word cloud counts a lemma that is one of the theme's codebook keywords this many times.
KEYWORD_WEIGHT = 2.0
CLOUD_WORDS = 30
#: fewest fragments for a theme's word cloud: of fewer, a cloud shows a handful of loose words
MIN_CLOUD_SEGMENTS = 10

#: The steps reported to a progress callback, in order.
STEPS = ("lemma's", "thema's", "grafieken", "woordwolken", "verschillen", "bijlagen")


def dutch_date(d) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else ""


def _list(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the two-proportion z-test (pooled)."""
    if n1 == 0 or n2 == 0:
        return 1.0
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


#: Part of every kept picture's key: change it when exports.charts.word_cloud draws differently.
PICTURE_FORMAT = "word cloud 1: 320x150 x2, max font 45, DejaVu Sans, 5 dark colours"


@lru_cache(maxsize=1)
def _wordcloud_version() -> str:
    """The installed wordcloud package's version (read from its metadata once per process)."""
    from importlib import metadata

    try:
        return metadata.version("wordcloud")
    except metadata.PackageNotFoundError:   # pragma: no cover - a declared dependency
        return "-"


def picture_key(kind: str, weights: dict[str, float]) -> str:
    """The key a picture drawn from ``weights`` is kept under in the lemma store: the drawing
    code (:data:`PICTURE_FORMAT`, the wordcloud package's version) and the weights."""
    import hashlib
    import json

    payload = json.dumps([kind, PICTURE_FORMAT, _wordcloud_version(), sorted(weights.items())], ensure_ascii=False)
    return hashlib.sha1(payload.encode()).hexdigest()


def build_report(data: ReportInput, *, lemmatiser=None, with_charts: bool = True,
                 progress: Callable[[str], None] | None = None, lemma_store=None) -> Report:
    """The report model for ``data``; ``progress`` is called after each step in :data:`STEPS`.
    ``lemma_store`` (an :class:`exports.text.LemmaStore` for ``lemmatiser``, by default the
    Dutch pipeline's): lemmas kept from earlier reports, so that only new texts are parsed
    (the pipeline is loaded only if there are any)."""
    step = progress or (lambda _name: None)
    if lemmatiser is None:
        lemmatiser = spacy_lemmatiser()
    lemmas = LemmaCache(lemmatiser, store=lemma_store)
    codes = {c.key: c for c in data.codes}
    segments = {s.id: s for s in data.segments}
    coded = [s for s in data.segments if s.codes]
    lemmas.prime(s.text for s in coded)
    if lemma_store is not None:
        lemma_store.keep_only(s.text for s in coded)
    step("lemma's")

    respondents = {r.unit: r for r in data.respondents}
    n_respondents = len(respondents)
    hood_base = _ordered(Counter(r.neighbourhood for r in data.respondents if r.neighbourhood),
                         data.neighbourhood_order)
    group_base = _ordered(Counter(r.group for r in data.respondents if r.group), data.group_order)

    # --- themes -----------------------------------------------------------------
    by_code: dict[str, list] = defaultdict(list)
    for s in coded:
        for key in dict.fromkeys(s.codes):
            if key in codes:
                by_code[key].append(s)
    vectors = Tfidf().fit_transform([lemmas(s.text) for s in coded])   # unit rows: dot = cosine
    index = {s.id: i for i, s in enumerate(coded)}

    themes: list[ThemeSection] = []
    for key, segs in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), codes[kv[0]].label)):
        themes.append(_theme(codes[key], segs, respondents, n_respondents, hood_base, group_base,
                             vectors, index, lemmas, data.meetings))
    step("thema's")

    overview: list[Chart] = []
    if with_charts and themes:
        overview = _overview_charts(themes, hood_base, group_base)
    step("grafieken")
    if with_charts:
        keys = {t.key: picture_key("word cloud", t.cloud_weights) for t in themes
                if t.cloud_weights and t.n_segments >= MIN_CLOUD_SEGMENTS}
        pngs = lemma_store.pictures(keys.values()) if lemma_store is not None else {}
        drawn = {}
        for t in themes:
            key = keys.get(t.key)
            png = pngs.get(key) if key else None
            if key and png is None:
                from exports import charts  # wordcloud (and matplotlib): only for clouds not kept

                png = drawn[key] = charts.word_cloud(t.cloud_weights)
            if png:
                words = ", ".join(f"{w} ({n})" for w, n in t.top_words[:8])
                t.wordcloud = Chart(key=f"woordwolk-{t.key.lower()}", title=f"Woordwolk {t.label}",
                                    alt=f"Woordwolk bij het thema {t.label}. De grootste woorden, met hoe "
                                        f"vaak ze voorkomen: {words}.", png=png)
        if lemma_store is not None:
            if drawn:
                lemma_store.put_pictures({k: v for k, v in drawn.items() if v})
            lemma_store.keep_pictures(keys.values())
    step("woordwolken")

    divides = _divides(themes, by_code, respondents, codes)
    for t in themes:
        t.summary += _divides_in_words([d for d in divides if d.theme == t.label])
    n_tests = _n_tests(themes, hood_base, group_base)
    divides_note = (
        f"We vergelijken per thema het aandeel deelnemers aan de vragenlijst uit een groep of wijk dat het "
        f"thema noemt met het aandeel bij alle andere deelnemers. Een verschil noemen we hier als het "
        f"minstens {round(MIN_DIFFERENCE * 100)} procentpunten is en niet op toeval lijkt te berusten "
        f"(hoe we dat toetsen staat in bijlage B). "
        f"Groepen en wijken met minder dan {MIN_CELL} deelnemers vergelijken we niet. Dit hoofdstuk gaat over "
        f"hoe vaak een groep een thema noemt; wat mensen er precies over zeggen, staat bij de thema's.")
    step("verschillen")

    findings, scenarios = [], []
    by_key = {t.key: t for t in themes}
    for f in data.findings:
        support = [f"{by_key[k].label}: {_n(by_key[k].n_segments, 'fragment', 'fragmenten')}, "
                   f"{protect(by_key[k].n_respondents)} deelnemers aan de vragenlijst, "   # 1-4: "minder dan 5"
                   f"{_n(by_key[k].n_meetings, 'bijeenkomst', 'bijeenkomsten')}"
                   for k in f.codes if k in by_key]
        section = FindingSection(
            kind=KIND_LABELS.get(f.kind, f.kind), title=f.title, statement=f.statement,
            themes=[codes[k].label for k in f.codes if k in codes],
            evidence=[q for q in (_quote(segments[i]) for i in f.evidence if i in segments) if q],
            advice_points=list(f.advice_points), support=support,
            advantages=list(f.advantages), disadvantages=list(f.disadvantages))
        (scenarios if f.kind == "scenario" else findings).append(section)

    report = Report(
        title=data.title,
        subtitle="Verkenning: wat is opgehaald",
        organisation=data.organisation,
        period=_period(data),
        generated_on=dutch_date(data.generated_at or datetime.now()),
        introduction=data.introduction,
        background=data.background,
        approach=_approach_text(data, n_respondents),
        approach_tables=_approach_tables(data, hood_base, group_base),
        totals={"bijeenkomsten": len(data.meetings), "aanwezigen": sum(m.total for m in data.meetings),
                "vragenlijsten": n_respondents, "fragmenten": len(data.segments),
                "gecodeerde_fragmenten": len(coded), "themas": len(themes)},
        overview_charts=overview,
        themes=themes,
        divides=divides,
        divides_note=divides_note,
        findings=findings,
        scenarios=scenarios,
        decisions=list(data.decisions),
        advice=list(data.advice),
        codebook=_codebook_table(data, by_code),
        method=_method(data, n_tests),
        agreement=[], agreement_table=None,
        notice=_concept_notice(data),
    )
    report.approach.append(_review_text(data))
    report.summary, report.summary_themes, report.summary_state = _samenvatting(data, report, n_respondents)
    report.summary_principles, report.summary_scenarios = (
        [SummaryChoice(f.title, _first_sentence(f.statement), list(f.advantages), list(f.disadvantages))
         for f in data.findings if f.kind == kind] for kind in ("principle", "scenario"))
    _agreement(report, data, codes)
    step("bijlagen")
    return report


def _codebook_table(data: ReportInput, by_code) -> Table:
    """Appendix A: the themes with their reader texts (a column only when a code has one;
    the coder instructions are not for readers)."""
    caption = f"Codeboek {data.codebook_name}" + (f", versie {data.codebook_version}" if data.codebook_version else "")
    with_text = any(c.reader_text for c in data.codes)
    headers = ["Code", "Thema"] + (["Omschrijving"] if with_text else []) + ["Fragmenten"]
    rows = [[c.key, c.label] + ([c.reader_text] if with_text else []) + [str(len(by_code.get(c.key, [])))]
            for c in data.codes]
    return Table(caption=caption, headers=headers, rows=rows)


def _ordered(counts: Counter, order: list[str]) -> Counter:
    rank = {name: i for i, name in enumerate(order)}
    return Counter(dict(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))))


def _period(data: ReportInput) -> str:
    if data.starts_on and data.ends_on:
        return f"{dutch_date(data.starts_on)} tot en met {dutch_date(data.ends_on)}"
    return dutch_date(data.starts_on or data.ends_on)


#: a line of meeting notes that records the meeting's business, not what participants said
_PROCEDURAL = re.compile(r"^(afspraak|afspraken|actie|actiepunt|actiepunten|besluit|conclusie|vervolg|"
                         r"vervolgstappen|agenda|aanwezig|afwezig|notulist|volgende bijeenkomst)\b\s*:", re.I)


def _quote(s, *, max_chars: int = 320) -> Quote | None:
    """``s`` as a quote (cut at ``max_chars``, personal data scrubbed), or None when it
    holds personal data or is a line of the meeting's business ("Afspraak: ...")."""
    text = " ".join(s.text.split())
    if not text or contains_personal_data(text) or _PROCEDURAL.match(text):
        return None
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[:cut if cut > 0 else max_chars].rstrip(",;: ") + " …"
    return Quote(text=scrub(text), source=s.source_label)


def _theme(code, segs, respondents, n_respondents, hood_base, group_base, vectors, index, lemmas,
           meetings=()):
    units = {s.unit for s in segs}
    resp_units = {u for u in units if u in respondents}
    meeting_units = {u for u in units if u.startswith("meeting:")}
    rows = [index[s.id] for s in segs]
    ranked = centroid_ranking(vectors, rows)
    by_index = {index[s.id]: s for s in segs}
    theme_vectors = vectors[rows]
    position = {r: p for p, r in enumerate(rows)}
    similar: dict[int, np.ndarray] = {}    # row -> cosines of the theme's segments with it

    def similarity(i: int, j: int) -> float:
        if j not in similar:
            similar[j] = (theme_vectors @ vectors[j].T).toarray().ravel()
        return float(similar[j][position[i]])

    # quotes: the most typical segments, distinct texts, mixing sources
    quotes: list[Quote] = []
    seen: set[str] = set()
    chosen: list[int] = []
    per_source: Counter = Counter()

    def near_duplicate(i: int) -> bool:
        return any(similarity(i, j) >= NEAR_DUPLICATE for j in chosen)

    for pass_ in (0, 1):
        for i, _score in ranked:
            s = by_index[i]
            norm = " ".join(s.text.lower().split())
            if norm in seen or len(norm) < 25 or near_duplicate(i):
                continue
            if pass_ == 0 and per_source[s.source] >= QUOTES_PER_THEME // 2:
                continue
            q = _quote(s)
            if q is None:
                continue
            quotes.append(q)
            seen.add(norm)
            chosen.append(i)
            per_source[s.source] += 1
            if len(quotes) >= QUOTES_PER_THEME:
                break
        if len(quotes) >= QUOTES_PER_THEME:
            break

    # summary: the most typical segments, not near-duplicates, from meetings and survey
    # alike, and not the quotes shown in full below it
    summary_parts, summary_idx = [], []
    sources_used: Counter = Counter()
    quoted = set(chosen)
    for pass_ in (0, 1):
        for i, _score in ranked:
            s = by_index[i]
            if i in summary_idx or any(similarity(i, j) >= NEAR_DUPLICATE for j in (*quoted, *summary_idx)):
                continue       # (also the same words said elsewhere: the demo's meetings repeat survey answers)
            if pass_ == 0 and sources_used[s.source] >= SUMMARY_SEGMENTS - 1:
                continue
            q = _quote(s, max_chars=220)
            if q and len(q.text) >= 25 and q.text not in summary_parts:
                summary_parts.append(q.text)
                summary_idx.append(i)
                sources_used[s.source] += 1
            if len(summary_parts) >= SUMMARY_SEGMENTS:
                break
        if len(summary_parts) >= SUMMARY_SEGMENTS:
            break
    # word cloud: nouns and adjectives, the theme's codebook keywords weighted
    words: Counter = Counter()
    for s in segs:
        words.update(lemmas.cloud(s.text))
    heads = keyword_heads(code.keywords)
    weights = {w: n * cloud_weight(w, heads, KEYWORD_WEIGHT) for w, n in words.items()}
    top = sorted(weights, key=lambda w: (-weights[w], w))[:CLOUD_WORDS]
    top_words = [(w, words[w]) for w in top]
    lead = f"Het thema ‘{code.label}’ kwam aan de orde in {_n(len(segs), 'fragment', 'fragmenten')}. "
    origin = _where_from(meeting_units, resp_units, meetings)
    lead += origin + "."
    if summary_parts:
        lead += " Deelnemers zeiden onder meer: " + _list([f"“{p.rstrip('.')}”" for p in summary_parts]) + "."

    hood_count = Counter(respondents[u].neighbourhood for u in resp_units if respondents[u].neighbourhood)
    group_count = Counter(respondents[u].group for u in resp_units if respondents[u].group)
    return ThemeSection(
        key=code.key, label=code.label, description=code.reader_text,
        n_segments=len(segs), n_respondents=len(resp_units), n_meetings=len(meeting_units),
        share_respondents=(len(resp_units) / n_respondents) if n_respondents else None,
        summary=lead, top_words=top_words, cloud_weights={w: weights[w] for w in top}, quotes=quotes,
        origin=origin, highlights=summary_parts,
        by_neighbourhood=_breakdown(f"{code.label}: deelnemers aan de vragenlijst per wijk", "Wijk of dorp",
                                    hood_count, hood_base),
        by_group=_breakdown(f"{code.label}: deelnemers aan de vragenlijst per groep", "Groep",
                            group_count, group_base),
        spread=_spread(hood_count, hood_base, group_count, group_base),
    )


#: The theme section names at most this many wijken and groups where the theme is named most.
SPREAD_TOP = 3


def _spread(hood_count: Counter, hood_base: Counter, group_count: Counter, group_base: Counter) -> str:
    """"Naar verhouding noemden vooral deelnemers uit Diepenveen (6 van de 17, 35%) en
    Binnenstad (7 van de 21, 33%) dit thema in de vragenlijst. Van de groepen waren dat
    vooral: cliënt (22 van de 56, 39%) ..." At most :data:`SPREAD_TOP` of each, highest share first,
    only shares that may be shown (:func:`_share`) and are not 0; empty when there are none."""
    def top(counts: Counter, base: Counter) -> list[str]:
        shares = [(name, counts.get(name, 0), base[name], _share(counts.get(name, 0), base[name])) for name in base]
        shown = sorted((x for x in shares if x[3]), key=lambda x: (-x[3], -x[1]))[:SPREAD_TOP]
        return [f"{name} ({c} van de {b}, {pct(share)})" for name, c, b, share in shown]

    hoods, groups = top(hood_count, hood_base), top(group_count, group_base)
    out = []
    if hoods:
        out.append(f"Naar verhouding noemden vooral deelnemers uit {_list(hoods)} dit thema in de vragenlijst.")
    if groups:
        out.append(("Van de groepen waren dat vooral: " if hoods else
                    "Naar verhouding noemden vooral deze groepen dit thema in de vragenlijst: ")
                   + _list([g[:1].lower() + g[1:] for g in groups]) + ".")
    if not out:
        return ""
    return " ".join(out) + " De cijfers voor alle wijken en groepen staan in bijlage D."


def _where_from(meeting_units: set[str], resp_units: set[str], meetings) -> str:
    """"Genoemd in 4 van de 6 wijkbijeenkomsten, 1 van de 2 andere bijeenkomsten en door 58
    deelnemers aan de vragenlijst" (meetings per type, in the order they were held)."""
    by_type: dict[str, list] = {}
    for m in meetings:
        by_type.setdefault(m.type_label.lower(), []).append(m)
    parts = []
    for label, ms in by_type.items():
        n = sum(1 for m in ms if m.unit in meeting_units)
        if n:
            plural = label if len(ms) == 1 else _plural(label)
            parts.append(f"{n} van de {len(ms)} {plural}" if len(ms) > 1 else f"de {label}")
    known = {m.unit for m in meetings}
    other = len(meeting_units - known)
    if other:
        parts.append(_n(other, "ander verslag", "andere verslagen"))
    if resp_units:
        parts.append(f"door {protect(len(resp_units))} "
                     f"{'deelnemer' if len(resp_units) == 1 else 'deelnemers'} aan de vragenlijst")
    if not parts:
        return "Nog niet genoemd in bevestigde fragmenten"
    text = _list(parts)
    return ("Genoemd " + text) if text.startswith("door ") else ("Genoemd in " + text)


def _plural(label: str) -> str:
    """Dutch plural of a meeting type label ("wijkbijeenkomst" -> "wijkbijeenkomsten")."""
    return label + "s" if label.endswith(("e", "el", "er", "em")) else label + "en"


def _divides_in_words(divides) -> str:
    """What divides opinion on one theme, as a sentence (empty without clear differences)."""
    if not divides:
        return ""
    def who(d) -> str:
        return f"{d.who} ({pct(d.share_group)}, tegenover {pct(d.share_others)} van de anderen)"

    more = [who(d) for d in divides if d.direction == "vaker"]
    less = [who(d) for d in divides if d.direction != "vaker"]
    parts = ([f"vaker genoemd door {_list(more)}"] if more else []) + (
        [f"minder vaak door {_list(less)}"] if less else [])
    return " Verschil tussen groepen: dit thema wordt in de vragenlijst " + "; ".join(parts) + "."


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _share(count: int, base: int) -> float | None:
    """A share, or None when it would reveal a small group."""
    if base < MIN_CELL or 0 < count < MIN_CELL:
        return None
    return count / base


def _breakdown(caption: str, first: str, counts: Counter, base: Counter) -> Table:
    rows = []
    for name in base:  # base keeps the input order (neighbourhood/group order)
        c, b = counts.get(name, 0), base[name]
        rows.append([name, protect(c), protect(b), pct(_share(c, b))])
    return Table(caption=caption, headers=[first, "Noemen dit thema", "Deelnemers", "Aandeel"], rows=rows)


def _overview_charts(themes, hood_base, group_base) -> list[Chart]:
    from exports import charts

    labels = [t.label for t in themes]
    values = [t.n_segments for t in themes]
    top = ", ".join(f"{t.label} ({t.n_segments})" for t in themes[:5])
    out = [Chart(
        key="themas", title="Hoe vaak kwam elk thema aan de orde?",
        alt=(f"Staafdiagram: aantal fragmenten per thema, van vaak naar minder vaak. Het vaakst: {top}. "
             f"De cijfers staan in bijlage D."),
        png=charts.bar_chart(labels, values, xlabel="aantal fragmenten"),
        table=Table(caption="Aantal fragmenten per thema", headers=["Thema", "Fragmenten", "Deelnemers vragenlijst"],
                    rows=[[t.label, str(t.n_segments), protect(t.n_respondents)] for t in themes]))]
    for dim, base, attr, title in (("wijk", hood_base, "by_neighbourhood", "per wijk of dorp"),
                                   ("groep", group_base, "by_group", "per groep")):
        cols = list(base)
        if not cols:
            continue
        shares, cells = [], []
        for t in themes:
            table: Table = getattr(t, attr)
            row_by = {r[0]: r for r in table.rows}
            shares.append([_parse_pct(row_by[c][3]) if c in row_by else None for c in cols])
            # "35% (6)": the share and how many named it; "<5" where too few named it to show
            cells.append([f"{row_by[c][3]} ({row_by[c][1]})" if c in row_by and row_by[c][3].endswith("%")
                          else f"<{MIN_CELL}" for c in cols])
        out.append(Chart(
            key=f"heatmap-{dim}", title=f"Welk thema noemen deelnemers {title}?",
            alt=(f"Kleurenoverzicht: per thema (rijen) en {dim} (kolommen) het percentage deelnemers aan de vragenlijst "
                 f"dat het thema noemt. Grijze vakken: minder dan {MIN_CELL} deelnemers, niet getoond. "
                 f"De cijfers staan in bijlage D."),
            png=charts.heat_map([t.label for t in themes], cols, shares, title=f"Thema's {title} (%)",
                             grey_note=f"Grijs: minder dan {MIN_CELL} deelnemers, niet getoond"),
            table=Table(caption=f"% (aantal) deelnemers dat het thema noemt, {title}",
                        headers=["Thema"] + cols,
                        rows=[[t.label] + row for t, row in zip(themes, cells)])))
    return out


def _parse_pct(text: str) -> float | None:
    return None if not text.endswith("%") else int(text[:-1]) / 100


def _n_tests(themes, hood_base, group_base) -> int:
    groups = [g for g, n in group_base.items() if n >= MIN_CELL]
    hoods = [h for h, n in hood_base.items() if n >= MIN_CELL]
    return max(1, len(themes) * (len(groups) + len(hoods)))


def benjamini_hochberg(p_values: list[float], q: float = ALPHA) -> list[bool]:
    """Which tests are significant at false discovery rate ``q`` (Benjamini-Hochberg)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    k_max = 0
    for rank, i in enumerate(order, 1):
        if p_values[i] <= rank / m * q:
            k_max = rank
    keep = set(order[:k_max])
    return [i in keep for i in range(m)]


def _divides(themes, by_code, respondents, codes) -> list[Divide]:
    total = len(respondents)
    if not total or not themes:
        return []
    dims = (("groep", lambda r: r.group), ("wijk", lambda r: r.neighbourhood))
    bases = {dim: Counter(f(r) for r in respondents.values() if f(r)) for dim, f in dims}
    tests = []
    for t in themes:
        units = {s.unit for s in by_code[t.key] if s.unit in respondents}
        k_all = len(units)
        for dim, f in dims:
            for name, n_group in bases[dim].items():
                n_other = total - n_group
                if n_group < MIN_CELL or n_other < MIN_CELL:
                    continue
                k_group = sum(1 for u in units if f(respondents[u]) == name)
                k_other = k_all - k_group
                p = two_proportion_p(k_group, n_group, k_other, n_other)
                tests.append((t, dim, name, n_group, k_group, k_group / n_group, k_other / n_other, p))
    significant = benjamini_hochberg([x[-1] for x in tests])
    out = []
    for (t, dim, name, n_group, k_group, s1, s2, p), sig in zip(tests, significant):
        if sig and abs(s1 - s2) >= MIN_DIFFERENCE:
            out.append(Divide(theme=t.label, dimension=dim, group=name, share_group=s1, share_others=s2,
                              n_group=n_group, count_group=protect(k_group), p_value=p))
    return sorted(out, key=lambda d: (d.p_value, d.theme))


def _open_review(data: ReportInput) -> tuple[int, int, int, int]:
    """Suggestions nobody decided on yet: (suggestions, segments, of which in meeting notes,
    of which in the survey) - segments counted."""
    open_segs = [s for s in data.segments if s.open_suggestions]
    return (sum(s.open_suggestions for s in open_segs), len(open_segs),
            sum(1 for s in open_segs if s.source == "document"), sum(1 for s in open_segs if s.source == "answer"))


def _concept_notice(data: ReportInput) -> str:
    n, segs, _, _ = _open_review(data)
    if not n:
        return ""
    return (f"Concept. Nog niet alle voorstellen van de computer zijn beoordeeld: "
            f"{_n(n, 'voorstel', 'voorstellen')} bij {_n(segs, 'fragment', 'fragmenten')}. "
            "Alleen beoordeelde thema's tellen mee; de aantallen en citaten kunnen nog veranderen.")


def _review_text(data: ReportInput) -> str:
    n, segs, in_notes, in_survey = _open_review(data)
    coded = sum(1 for s in data.segments if s.codes)
    text = (f"Van de {len(data.segments)} fragmenten hebben er {coded} minstens één thema dat een medewerker "
            "heeft bevestigd. ")
    if not n:
        return text + "Alle voorstellen van de computer zijn beoordeeld."
    return text + (f"Nog niet beoordeeld: {_n(n, 'voorstel', 'voorstellen')} van de computer bij "
                   f"{_n(segs, 'fragment', 'fragmenten')} ({in_notes} uit verslagen van bijeenkomsten, "
                   f"{in_survey} uit de vragenlijst). Die tellen in dit rapport niet mee.")


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    for i, ch in enumerate(text):
        if ch in ".!?" and (i + 1 == len(text) or text[i + 1] == " ") and i > 20:
            return text[:i + 1]
    return text


def _samenvatting(data: ReportInput, report: Report, n_respondents: int,
                  main_themes: int = 6) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The samenvatting up front: who took part, the main themes with one sentence each,
    findings, and the state of advice and decisions."""
    paras = []
    attendees = sum(m.total for m in data.meetings)
    who = []
    if data.meetings:
        kinds = _list([f"{n} {label if n == 1 else _plural(label)}" for label, n in
                       Counter(m.type_label.lower() for m in data.meetings).items()])
        who.append(f"{attendees} mensen kwamen naar {_n(len(data.meetings), 'bijeenkomst', 'bijeenkomsten')} "
                   f"({kinds})")
    if n_respondents:
        channels = Counter(r.channel for r in data.respondents)
        how = _list([f"{protect(n)} {label}" for label, n in channels.most_common()])
        who.append(f"{n_respondents} mensen vulden de vragenlijst in ({how})")
    if who:
        # mid-sentence "de gemeente Deventer", as Dutch writes it, not "Gemeente Deventer"
        body = re.sub(r"^Gemeente ", "de gemeente ", data.organisation)
        opening = (f"Van {report.period} haalde {body} op" if report.period
                   else f"{body[0].upper()}{body[1:]} haalde op")
        paras.append(f"{opening} wat inwoners en partners vinden. " + _list(who).capitalize()[0]
                     + _list(who)[1:] + ".")
    else:
        paras.append("Er is nog geen inbreng: geen bijeenkomsten en geen ingevulde vragenlijsten.")
    themes = report.themes[:main_themes]
    if themes:
        paras.append(f"De inbreng is verdeeld in {len(data.segments)} fragmenten. Die gaan over "
                     f"{_n(len(report.themes), 'thema', 'thema’s')}; de {len(themes)} die het vaakst "
                     "terugkomen:")
    statements = {}
    for f in data.findings:
        if f.kind == "finding":
            for k in f.codes:
                statements.setdefault(k, _first_sentence(f.statement))
    lines = []
    for t in themes:
        sentence = statements.get(t.key) or (f"Bijvoorbeeld: “{t.highlights[0]}”" if t.highlights else "")
        lines.append((t.label, f"{t.origin}. {sentence}".strip()))
    kinds = Counter(f.kind for f in data.findings)
    intro, paras = paras, []
    if data.findings:
        paras.append("Daaruit volgen " + _list([
            _n(kinds[k], one, many) for k, one, many in (("finding", "bevinding", "bevindingen"),
                                                          ("principle", "uitgangspunt", "uitgangspunten"),
                                                          ("scenario", "scenario", "scenario’s")) if kinds[k]])
            + " (hoofdstuk 6).")
    for a in data.advice:
        answered = [p for p in a.points if p.answered]
        stances = Counter(p.stance for p in a.points if p.stance)
        text = (f"{a.advisory_body} gaf {'gevraagd' if a.requested else 'ongevraagd'} advies"
                + (f" op {dutch_date(a.received_on)}" if a.received_on else "")
                + f" met {_n(len(a.points), 'punt', 'punten')}. ")
        if a.reaction_sender or answered:
            text += (f"De reactie beantwoordt er {len(answered)}"
                     + (f" ({_list([f'{n} {s.lower()}' for s, n in stances.most_common()])})" if stances else "")
                     + ".")
            if a.unanswered and a.general:
                text += (f" {_n(len(a.unanswered), 'punt kreeg', 'punten kregen')} alleen een algemeen antwoord,"
                         " geen specifiek antwoord.")
            elif a.unanswered:
                text += f" {_n(len(a.unanswered), 'punt is', 'punten zijn')} nog niet beantwoord."
        else:
            text += "Er is nog geen reactie."
        paras.append(text)
    if data.decisions:
        for d in data.decisions:
            when = f", {dutch_date(d.taken_on)}" if d.taken_on else ""
            paras.append(f"Besluit ({d.body}{when}): {_first_sentence(d.text)}")
    else:
        paras.append("Er is nog geen besluit genomen.")
    # (what is still to review: the concept notice above says it, and Aanpak in full)
    return intro, lines, paras


def _approach_text(data: ReportInput, n_respondents: int) -> list[str]:
    paras = []
    types = Counter(m.type_label.lower() for m in data.meetings)
    if data.meetings:
        kinds = _list([f"{n} × {label}" for label, n in types.items()])
        attendees = sum(m.total for m in data.meetings)
        paras.append(f"Er waren {len(data.meetings)} bijeenkomsten ({kinds}). "
                     f"Daar waren in totaal {attendees} mensen bij. Van elke bijeenkomst is een verslag "
                     f"gemaakt; die verslagen zijn in fragmenten verdeeld en gecodeerd.")
    if n_respondents:
        channels = Counter(r.channel for r in data.respondents)
        how = _list([f"{n} {label}" for label, n in channels.most_common()])
        paras.append(f"{n_respondents} mensen vulden de vragenlijst in ({how}). "
                     "Deelnemers gaven zelf aan in welke wijk of welk dorp zij wonen en tot welke groep "
                     "zij horen.")
    paras.append(f"Aantallen kleiner dan {MIN_CELL} laten we niet zien (‘{SMALL}’), zodat niemand "
                 "herkenbaar is.")
    return paras


def _approach_tables(data: ReportInput, hood_base: Counter, group_base: Counter) -> list[Table]:
    tables = []
    if data.meetings:
        tables.append(Table(caption="Bijeenkomsten", headers=["Bijeenkomst", "Soort", "Datum", "Wijk of dorp",
                                                              "Aanwezigen"],
                            rows=[[m.title, m.type_label, dutch_date(m.held_on), m.neighbourhood or "–", str(m.total)]
                                  for m in data.meetings]))
        per_group: Counter = Counter()
        for m in data.meetings:
            per_group.update(m.attendance)
        per_group = _ordered(per_group, data.group_order)
        tables.append(Table(caption="Aanwezigen bij de bijeenkomsten per groep", headers=["Groep", "Aanwezigen"],
                            rows=[[g, protect(n)] for g, n in per_group.items() if n]))
    if data.respondents:
        channels = Counter(r.channel for r in data.respondents)
        tables.append(Table(caption="Ingevulde vragenlijsten per kanaal", headers=["Kanaal", "Aantal"],
                            rows=[[c, protect(n)] for c, n in channels.most_common()]))
        tables.append(Table(caption="Deelnemers aan de vragenlijst per groep", headers=["Groep", "Aantal"],
                            rows=[[g, protect(n)] for g, n in group_base.items()]))
        tables.append(Table(caption="Deelnemers aan de vragenlijst per wijk of dorp", headers=["Wijk of dorp", "Aantal"],
                            rows=[[h, protect(n)] for h, n in hood_base.items()]))
    return tables


def _method(data: ReportInput, n_tests: int) -> list[str]:
    return [
        "Verslagen van bijeenkomsten en open antwoorden uit de vragenlijst zijn in fragmenten verdeeld "
        "(alinea's, opsommingspunten of zinnen). Elk fragment kreeg één of meer thema's uit het codeboek "
        "(bijlage A). Voorstellen van de computer (regels en een lerend model) tellen alleen mee als een "
        "medewerker ze heeft bevestigd.",
        "Tellingen: ‘fragmenten’ is het aantal fragmenten met het thema; ‘deelnemers’ is het aantal "
        "ingevulde vragenlijsten met minstens één fragment met het thema; ‘bijeenkomsten’ is het aantal "
        "bijeenkomsten waarvan het verslag het thema noemt. De verdeling naar wijk en groep gaat over de "
        "vragenlijst, want daar gaven deelnemers hun wijk en groep zelf op. De thema's staan op volgorde "
        "van het aantal fragmenten.",
        f"Kleine groepen: aantallen van 1 tot en met {MIN_CELL - 1} tonen we als ‘{SMALL}’; percentages "
        f"tonen we alleen als de groep minstens {MIN_CELL} deelnemers telt en het aantal zelf niet kleiner "
        f"is dan {MIN_CELL}.",
        "Samenvatting per thema: de computer zet elk fragment om in de basisvormen (lemma's) van de "
        "inhoudswoorden, zonder stopwoorden, met het Nederlandse taalmodel van consult. Per thema "
        "berekenen we het gemiddelde (centroïde) van die woordprofielen (TF-IDF); de fragmenten die daar "
        "het meest op lijken, staan in de samenvatting en bij de citaten. Zo is de samenvatting letterlijk "
        "wat deelnemers zeiden, niet een interpretatie. Die fragmenten komen zo mogelijk zowel uit de "
        "verslagen van bijeenkomsten als uit de vragenlijst, en lijken niet te veel op elkaar. In de "
        "samenvatting voorin staat bij elk hoofdthema de bevinding die bij dat thema is opgeschreven, of "
        "anders het meest kenmerkende fragment.",
        "Citaten: we tonen alleen tekst waaruit persoonsgegevens zijn verwijderd. Een fragment met een "
        "e-mailadres of telefoonnummer gebruiken we niet als citaat. Bij een citaat staat alleen de soort "
        "bron (bijvoorbeeld ‘inwoner, vragenlijst’ of ‘verslag wijkbijeenkomst Keizerslanden’).",
        f"Verschillen tussen groepen: per thema vergelijken we het aandeel van een groep of wijk met het "
        f"aandeel van alle andere deelnemers aan de vragenlijst (z-toets voor twee proporties). Omdat we "
        f"veel vergelijkingen tegelijk doen ({n_tests}), corrigeren we met de methode van Benjamini en "
        f"Hochberg: van de gemelde verschillen is naar verwachting hooguit {round(ALPHA * 100)}% toeval. "
        f"We noemen een verschil bovendien alleen als het minstens {round(MIN_DIFFERENCE * 100)} "
        f"procentpunten is.",
        f"Woordwolken tonen de zelfstandige en bijvoeglijke naamwoorden (in hun basisvorm) die binnen een "
        f"thema het vaakst voorkomen; groter is vaker. Trefwoorden van het thema uit het codeboek tellen "
        f"{KEYWORD_WEIGHT:g} keer. Werkwoorden en woorden die in elke consultatie vaak vallen (zoals "
        f"‘gemeente’, ‘mensen’ of ‘houden’) laten we weg. Een thema met minder dan {MIN_CLOUD_SEGMENTS} "
        f"fragmenten krijgt geen woordwolk.",
    ]


def _agreement(report: Report, data: ReportInput, codes) -> None:
    if data.agreement is None:
        report.agreement = ["Overeenstemming tussen codeurs: niet beschikbaar."]
        return
    if not data.agreement:
        report.agreement = ["Overeenstemming tussen codeurs: niet beschikbaar. Er zijn geen fragmenten "
                            "die door twee medewerkers apart zijn gecodeerd."]
        return
    report.agreement = [
        "Een deel van de fragmenten is door twee medewerkers apart gecodeerd. Hoe goed zij het eens zijn, "
        "drukken we uit in Krippendorffs alfa (MASI-afstand over de set thema's per fragment) en de "
        "gemiddelde kappa van Cohen per thema. Een waarde boven 0,67 geldt als voldoende, boven 0,8 als goed."]
    rows = []
    for a in data.agreement:
        fmt = lambda x: "–" if x is None else f"{x:.2f}".replace(".", ",")  # noqa: E731
        rows.append([f"{a.coders[0]} en {a.coders[1]}", str(a.n_segments), fmt(a.alpha_masi), fmt(a.kappa_mean)])
    report.agreement_table = Table(caption="Overeenstemming tussen codeurs",
                                   headers=["Codeurs", "Fragmenten", "Alfa (MASI)", "Kappa (gemiddeld)"],
                                   rows=rows)
