"""Bad input: empty text, control characters, other languages, invalid
bytes, and very long documents in bounded memory."""
import codecs
import types

import pytest

from analysis.nlp import decode_bytes, load, process_long


@pytest.fixture(scope="module")
def nlp():
    return load()


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", "\x00\x01\x02 tekst \x1b[31m rood", "\ufffd\ufffd", "😀 🎉 👍",
    "The municipality will provide support to informal carers.",
    "市政府将为护理人员提供支持。", "Привет, мир!", "a" * 5000, "- \n1.\n•", ")))(((",
    "https://www.deventer.nl/wmo?x=1&y=2 info@deventer.nl",
])
def test_odd_text_never_crashes(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    for tok in doc:
        assert isinstance(tok.lemma_, str) and isinstance(tok.pos_, str)
    list(doc.sents) if len(doc) else None


def test_decode_bytes_utf8_bom_and_cp1252():
    assert decode_bytes("Café – “Wmo”".encode("utf-8")) == "Café – “Wmo”"
    assert decode_bytes(codecs.BOM_UTF8 + "één".encode("utf-8")) == "één"
    assert decode_bytes("cliënt".encode("utf-16")) == "cliënt"
    # Windows-1252 from Word: é, en dash and curly quotes
    assert decode_bytes("Café – “Wmo”".encode("cp1252")) == "Café – “Wmo”"
    assert decode_bytes(b"") == ""


def test_decode_bytes_invalid_bytes_never_crash():
    text = decode_bytes(b"geen utf8: \x81\x8d\xff\xfe\x00 einde")
    assert text.startswith("geen utf8: ") and text.endswith(" einde")
    assert "\ufffd" in text            # the bytes cp1252 leaves undefined
    assert decode_bytes(bytearray(b"abc")) == "abc"
    with pytest.raises(TypeError):
        decode_bytes("already text")


def test_process_long_one_megabyte_in_bounded_chunks(nlp):
    para = ("De gemeente wil de mantelzorgondersteuning verbeteren. Inwoners met een "
            "maatwerkvoorziening krijgen een keukentafelgesprek. ")
    text = "\n\n".join(para * 3 for _ in range(1_000_000 // (len(para) * 3) + 1))[:1_000_000]
    assert len(text) == 1_000_000
    chunks = process_long(text, nlp=nlp, max_chars=20_000)
    assert isinstance(chunks, types.GeneratorType)     # lazy: bounded memory
    covered = 0
    n = 0
    # the statistical components are exercised on a sample below; here the
    # whole megabyte goes through tokenizer + layout to keep the test quick
    with nlp.select_pipes(enable=["consult_layout"]):
        for chunk in chunks:
            n += 1
            assert chunk.start == covered
            assert len(chunk.doc.text) <= 20_000
            assert text[chunk.start:chunk.start + len(chunk.doc.text)] == chunk.doc.text
            for tok in list(chunk.doc)[:: max(1, len(chunk.doc) // 5)]:
                s = chunk.start + tok.idx
                assert text[s:s + len(tok.text)] == tok.text
            covered += len(chunk.doc.text)
    assert covered == len(text)
    assert n >= 50


def test_process_long_with_full_pipeline_and_offsets(nlp):
    text = ("Eerste alinea over de Wmo. Zij gingen naar huis.\n\n" * 150
            + "Een zin zonder einde " * 400)  # a long run without paragraph breaks
    seen = []
    for chunk in process_long(text, nlp=nlp, max_chars=2_000):
        assert len(chunk.doc.text) <= 2_000
        for tok in chunk.doc:
            s = chunk.start + tok.idx
            assert text[s:s + len(tok.text)] == tok.text
        seen.append(chunk)
    assert "".join(c.doc.text for c in seen) == text
    lemmas = {t.lemma_ for c in seen for t in c.doc}
    assert "gaan" in lemmas
    assert list(process_long("", nlp=nlp)) == []
    with pytest.raises(TypeError):
        list(process_long(b"bytes", nlp=nlp))
