"""The bundled Dutch pipeline: loading, tokenizer, lemmas, sentences."""
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.nlp import MODEL_DIR, load

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlp():
    return load()


def test_model_is_shipped_small_and_licensed():
    assert (MODEL_DIR / "config.cfg").is_file()
    lic = (MODEL_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Attribution-ShareAlike 4.0" in lic
    assert "UD_Dutch-Alpino" in lic and "UD_Dutch-LassySmall" in lic
    assert "Gosse Bouma" in lic and "Gertjan van Noord" in lic
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024, size


def test_load_is_cached_and_has_the_components(nlp):
    assert load() is nlp
    assert nlp.lang == "nl"
    for name in ("consult_layout", "tok2vec", "morphologizer", "trainable_lemmatizer",
                 "consult_lemma_fallback", "parser"):
        assert name in nlp.pipe_names


def test_load_works_offline_without_flask_in_a_fresh_process():
    code = (
        "import socket, sys\n"
        "def _no_net(*a, **k):\n"
        "    raise OSError('network disabled in test')\n"
        "socket.socket.connect = _no_net\n"
        "socket.create_connection = _no_net\n"
        "import analysis.nlp as a\n"
        "nlp = a.load()\n"
        "doc = nlp('De gemeente ondersteunt mantelzorgers.')\n"
        "print('flask' in sys.modules, len(doc))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    flask_loaded, n_tokens = out.stdout.split()
    assert flask_loaded == "False"
    assert int(n_tokens) == 5


@pytest.mark.parametrize("text, token", [
    ("Dat is d.w.z. duidelijk.", "d.w.z."),
    ("Er zijn o.a. wachtlijsten.", "o.a."),
    ("Neem bv. de regiotaxi.", "bv."),
    ("De P*Q-systematiek en P*Q in de beschikking.", "P*Q"),
    ("Jongeren van 18+ krijgen hulp.", "18+"),
    ("Zie tel. 0570 voor info.", "tel."),
    ("Dit gaat i.p.v. de huidige regeling.", "i.p.v."),
])
def test_tokenizer_keeps_exceptions_together(nlp, text, token):
    assert token in [t.text for t in nlp.make_doc(text)]


def test_tokenizer_splits_age_ranges(nlp):
    assert [t.text for t in nlp.make_doc("jongeren 18-/18+")] == ["jongeren", "18-", "/", "18+"]
    assert [t.text for t in nlp.make_doc("(65+)")] == ["(", "65+", ")"]


def test_list_markers_and_bullets_start_sentences(nlp):
    doc = nlp("Besloten wordt:\n1. de verkenning vast te stellen\n2. het advies over te nemen\n"
              "a) eerste punt\n- tweede punt\n• derde punt")
    words = [t.text for t in doc if not t.is_space]
    assert "1." in words and "2." in words and "a)" in words
    starts = {t.text for t in doc if t.is_sent_start and not t.is_space}
    assert {"1.", "2.", "a)", "-", "•"} <= starts
    assert all(t.pos_ == "SPACE" for t in doc if t.is_space)


@pytest.mark.parametrize("form, lemma", [
    ("maatwerkvoorzieningen", "maatwerkvoorziening"),
    ("mantelzorgers", "mantelzorger"),
    ("wijkteammedewerkers", "wijkteammedewerker"),
    ("keukentafelgesprekken", "keukentafelgesprek"),
    ("zorgaanbieders", "zorgaanbieder"),
    ("beschikkingen", "beschikking"),
    ("cliënten", "cliënt"),
    ("gemeenten", "gemeente"),
])
def test_domain_lemmas_from_the_lexicon(nlp, form, lemma):
    doc = nlp(f"Volgens de wethouder spraken de {form} gisteren over de Wmo.")
    tok = next(t for t in doc if t.text == form)
    assert tok.lemma_ == lemma


def test_lemmas_pos_and_sentences_on_ordinary_dutch(nlp):
    doc = nlp("De gemeente biedt ondersteuning aan inwoners. Zij gingen naar huis en werkten hard.")
    by_text = {t.text: t for t in doc}
    assert by_text["gemeente"].pos_ == "NOUN"
    assert by_text["biedt"].pos_ == "VERB" and by_text["biedt"].lemma_ == "bieden"
    assert by_text["gingen"].lemma_ == "gaan"
    assert by_text["inwoners"].lemma_ == "inwoner"
    assert by_text["werkten"].lemma_ == "werken"
    assert len(list(doc.sents)) == 2


def test_lemma_fallback_rule(nlp):
    fb = nlp.get_pipe("consult_lemma_fallback")
    assert fb.choose("verhalen", "verhal", "NOUN") == "verhaal"      # implausible -> rules
    assert fb.choose("kippen", "kipp", "NOUN") == "kip"
    assert fb.choose("moet", "moet", "AUX") == "moeten"               # form is not a verb lemma
    assert fb.choose("huis", "huis", "NOUN") == "huis"                # plausible -> kept
    assert fb.choose("Amsterdam", "amsterdam", "PROPN") == "Amsterdam"  # names keep their form
    assert fb.choose("Morgan's", "Morgan's", "PROPN") == "Morgan"
    assert fb.choose("Men", "Men", "PRON") == "men"                   # sentence-initial case
    assert fb.choose("Vlaamse", "Vlaams", "ADJ") == "Vlaams"
    assert fb.choose("mantelzorgers", "mantelzorgers", "NOUN") == "mantelzorger"  # lexicon wins
