"""Codebook model, YAML/CSV/REFI-QDA round trips and error reporting."""
from pathlib import Path

import pytest

from analysis.codebook import (
    Code, Codebook, CodebookError, codebook_from_csv, codebook_from_qdc, codebook_from_yaml,
    codebook_to_csv, codebook_to_qdc, codebook_to_yaml, diff, load_codebook,
    load_default_codebook, save_codebook,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def wmo():
    return load_default_codebook()


@pytest.fixture
def tree():
    return Codebook(name="Test; boek", version=3, codes=(
        Code("ZORG", "Zorg", gloss="Care", description="Alles over zorg.", keywords=("zorg", "hulp"),
             examples=("De zorg is goed.", "Hulp; snel geregeld."), colour="#AA3300",
             reader_text="Hoe inwoners de zorg en ondersteuning ervaren."),
        Code("ZORG_THUIS", "Zorg thuis", parent="ZORG", keywords=("thuiszorg",)),
        Code("WONEN", "Wonen", keywords=("woning",)),
    ))


def test_default_codebook_imports_reference_file(wmo):
    assert wmo.name == "Wmo sociaal domein" and wmo.language == "nl" and wmo.version == 1
    assert len(wmo.codes) == 19
    prev = wmo["PREVENTIE"]
    assert "voorkomen" in prev.description and "vroegsignalering" in prev.keywords
    assert wmo["VOORZIENINGEN"].examples[0].startswith("Maatwerk blijft")
    assert all(c.parent is None for c in wmo.codes)


@pytest.mark.parametrize("fmt", ["yaml", "csv", "qdc"])
def test_round_trip_reference(wmo, fmt):
    to = {"yaml": codebook_to_yaml, "csv": codebook_to_csv, "qdc": codebook_to_qdc}[fmt]
    frm = {"yaml": codebook_from_yaml, "csv": codebook_from_csv, "qdc": codebook_from_qdc}[fmt]
    again = frm(to(wmo))
    assert again == wmo
    assert diff(wmo, again).is_empty


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".qdc"])
def test_round_trip_hierarchy_via_files(tree, tmp_path, suffix):
    path = tmp_path / f"boek{suffix}"
    save_codebook(tree, path)
    again = load_codebook(path)
    assert again == tree
    assert again.children("ZORG") == [again["ZORG_THUIS"]]
    assert again.ancestors("ZORG_THUIS") == ["ZORG"]


@pytest.mark.parametrize("fmt", ["yaml", "csv", "qdc"])
def test_reader_text_is_carried_by_every_format(tree, fmt):
    """The reader-facing text is separate from the coder instructions in every format."""
    to = {"yaml": codebook_to_yaml, "csv": codebook_to_csv, "qdc": codebook_to_qdc}[fmt]
    frm = {"yaml": codebook_from_yaml, "csv": codebook_from_csv, "qdc": codebook_from_qdc}[fmt]
    again = frm(to(tree))
    assert again["ZORG"].reader_text == "Hoe inwoners de zorg en ondersteuning ervaren."
    assert again["ZORG"].description == "Alles over zorg." and again["ZORG"].gloss == "Care"
    assert again["WONEN"].reader_text == ""


def test_codebook_files_without_reader_text_still_import():
    old_csv = "code,label,gloss,description,keywords,examples,colour,parent\nZORG,Zorg,Care,Alles over zorg.,zorg,,,\n"
    cb = codebook_from_csv(old_csv, name="oud")
    assert cb["ZORG"].reader_text == "" and cb["ZORG"].description == "Alles over zorg."
    yaml_text = "name: Nieuw\nthemes:\n  - code: ZORG\n    label: Zorg\n    reader_text: Over zorg thuis.\n"
    assert codebook_from_yaml(yaml_text)["ZORG"].reader_text == "Over zorg thuis."


def test_qdc_is_valid_refi_qda_with_nested_codes(tree):
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(DATA / "coding_codebook.xsd"))
    text = codebook_to_qdc(tree)
    schema.validate(text)
    schema.validate(codebook_to_qdc(load_default_codebook()))
    import xml.etree.ElementTree as ET
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    root = ET.fromstring(text)
    top = root.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["Zorg", "Wonen"]
    assert top[0].get("color") == "#AA3300" and top[0].get("isCodable") == "true"
    assert [c.get("name") for c in top[0].findall("q:Code", ns)] == ["Zorg thuis"]
    # GUIDs are stable across exports
    assert codebook_to_qdc(tree) == text


def test_qdc_from_other_software_gets_identifiers():
    text = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="d5d6b4b8-1a0c-4e0e-9f65-4a1c4e8e1a01" name="Eenzaamheid bij ouderen" isCodable="true">
    <Description>Ouderen die alleen zijn.</Description>
    <Code guid="d5d6b4b8-1a0c-4e0e-9f65-4a1c4e8e1a02" name="Sociale cohesie" isCodable="true"/>
  </Code></Codes></CodeBook>"""
    cb = codebook_from_qdc(text, name="qualcoder")
    assert cb.code_ids == ["EENZAAMHEID_BIJ_OUDEREN", "SOCIALE_COHESIE"]
    assert cb["SOCIALE_COHESIE"].parent == "EENZAAMHEID_BIJ_OUDEREN"
    assert cb["EENZAAMHEID_BIJ_OUDEREN"].description == "Ouderen die alleen zijn."


YAML_HEAD = "name: t\nlanguage: nl\nversion: 1\nthemes:\n"


@pytest.mark.parametrize("body, expected", [
    ("  - code: A\n    label: a\n  - code: B\n    gloss: no label\n", "line 7: missing field 'label' in code B"),
    ("  - code: A\n    label: a\n  - code: A\n    label: again\n", "line 7: duplicate code A (first defined on line 5)"),
    ("  - code: A\n    label: a\n  - code: B\n    label: b\n    parent: Z\n", "line 7: code B has unknown parent Z"),
    ("  - code: A\n    label: a\n    keywrds: [x]\n", "line 5: unknown field 'keywrds'"),
    ("  - code: a b\n    label: a\n", "line 5: invalid code identifier 'a b'"),
    ("  - code: A\n    label: a\n    parent: B\n  - code: B\n    label: b\n    parent: A\n", "cycle"),
    ("  - code: A\n    label: [unclosed\n", "line 7: invalid YAML"),
])
def test_yaml_errors_name_line_and_code(body, expected):
    with pytest.raises(CodebookError) as err:
        codebook_from_yaml(YAML_HEAD + body)
    assert expected in str(err.value)


def test_yaml_missing_themes_and_name():
    with pytest.raises(CodebookError, match="missing field 'themes'"):
        codebook_from_yaml("name: t\nversion: 1\n")
    with pytest.raises(CodebookError, match="missing field 'name'"):
        codebook_from_yaml("version: 1\nthemes:\n  - code: A\n    label: a\n")


def test_csv_errors_name_line_and_nothing_half_imported(tmp_path):
    text = "code,label,keywords\nA,a,x;y\nB,,z\n"
    with pytest.raises(CodebookError, match="line 3: missing field 'label' in code B"):
        codebook_from_csv(text)
    with pytest.raises(CodebookError, match="line 3: duplicate code A"):
        codebook_from_csv("code,label\nA,a\nA,b\n")
    with pytest.raises(CodebookError, match="line 2: code A has unknown parent Q"):
        codebook_from_csv("code,label,parent\nA,a,Q\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(YAML_HEAD + "  - code: A\n    label: a\n  - code: A\n    label: b\n")
    with pytest.raises(CodebookError, match=r"^bad.yaml: line 7: duplicate code A"):
        load_codebook(bad)
    with pytest.raises(CodebookError, match="unknown codebook format"):
        load_codebook(tmp_path / "x.txt")


def test_csv_keywords_and_metadata(tree):
    text = codebook_to_csv(tree)
    assert text.startswith("# name: Test; boek\n# language: nl\n# version: 3\n")
    assert "zorg;hulp" in text and "De zorg is goed.|Hulp; snel geregeld." in text
    plain = codebook_from_csv("code,label,keywords\nA,Aaa, een ; twee\n", name="plain")
    assert plain.name == "plain" and plain.version == 1 and plain["A"].keywords == ("een", "twee")


def test_diff_detects_changes(wmo):
    from dataclasses import replace
    codes = list(wmo.codes)
    codes[0] = replace(codes[0], keywords=codes[0].keywords + ("wmo-loket",))
    codes = codes + [Code("NIEUW", "Nieuw")]
    codes = [c for c in codes if c.code != "JEUGD"]
    new = replace(wmo, codes=tuple(codes)).bump()
    d = diff(wmo, new)
    assert d.added == ("NIEUW",) and d.removed == ("JEUGD",)
    assert d.changed == {"VOORZIENINGEN": ("keywords",)}
    assert not d.is_empty and new.version == 2
    assert diff(wmo, wmo.bump()).is_empty
    assert diff(wmo, wmo.bump(), include_version=True).metadata == ("version",)


# -- editing: add, rename, merge, split (pure: the input codebook never changes) ----------

def test_normalise_key():
    from analysis.codebook import normalise_key

    assert normalise_key(" zorg thuis ") == "ZORG_THUIS"
    assert normalise_key("a--b__c!") == "A_B__C"
    assert normalise_key("") == "" and normalise_key(None) == ""


def test_add_code_appends_and_validates(tree):
    from analysis.codebook import add_code

    edit = add_code(tree, Code("EENZAAM", "Eenzaamheid", parent="ZORG", keywords=("alleen",)))
    assert edit.operation == "add" and edit.note == "Code EENZAAM toegevoegd"
    assert edit.details == {"code": "EENZAAM", "label": "Eenzaamheid"}
    assert edit.codebook.code_ids == ["ZORG", "ZORG_THUIS", "WONEN", "EENZAAM"]
    assert edit.codebook["EENZAAM"].parent == "ZORG" and edit.codebook.validate()
    assert tree.code_ids == ["ZORG", "ZORG_THUIS", "WONEN"]  # the input is left alone
    with pytest.raises(CodebookError, match="Vul een sleutel"):
        add_code(tree, Code("1ZORG", "Cijfer eerst"))
    with pytest.raises(CodebookError, match="Vul een sleutel"):
        add_code(tree, Code("LEEG", ""))
    with pytest.raises(CodebookError, match="De sleutel WONEN bestaat al"):
        add_code(tree, Code("WONEN", "Nog eens wonen"))
    with pytest.raises(CodebookError, match="bovenliggende"):
        add_code(tree, Code("NIEUW", "Nieuw", parent="ONBEKEND"))


def test_rename_code(tree):
    from analysis.codebook import rename_code

    edit = rename_code(tree, "WONEN", "  Wonen en buurt ")
    assert edit.codebook["WONEN"].label == "Wonen en buurt"
    assert edit.codebook["WONEN"].keywords == ("woning",)
    assert edit.details == {"code": "WONEN", "old": "Wonen", "new": "Wonen en buurt"}
    assert diff(tree, edit.codebook).changed == {"WONEN": ("label",)}
    for key, label in (("ONBEKEND", "X"), ("WONEN", "  ")):
        with pytest.raises(CodebookError, match="Kies een code"):
            rename_code(tree, key, label)


def test_merge_codes_moves_keywords_and_children(tree):
    from analysis.codebook import merge_codes

    edit = merge_codes(tree, ["ZORG", "ONBEKEND", "WONEN"], "WONEN")
    cb = edit.codebook
    assert cb.code_ids == ["ZORG_THUIS", "WONEN"]
    assert cb["WONEN"].keywords == ("woning", "zorg", "hulp")  # target's first, no repeats
    assert cb["ZORG_THUIS"].parent == "WONEN"  # the merged code's child moves along
    assert edit.details == {"sources": ["ZORG"], "target": "WONEN"}
    assert edit.note == "ZORG samengevoegd in WONEN" and cb.validate()
    with pytest.raises(CodebookError, match="Kies de codes"):
        merge_codes(tree, ["WONEN"], "WONEN")  # nothing left to merge
    with pytest.raises(CodebookError, match="Kies de codes"):
        merge_codes(tree, ["ZORG"], "ONBEKEND")


def test_split_code_keeps_place_children_and_description(tree):
    from analysis.codebook import split_code

    edit = split_code(tree, "ZORG", ("ZORG", "Zorg algemeen"), ("MANTELZORG", "Mantelzorg"))
    cb = edit.codebook
    assert cb.code_ids == ["ZORG", "MANTELZORG", "ZORG_THUIS", "WONEN"]
    first, second = cb["ZORG"], cb["MANTELZORG"]
    assert first.label == "Zorg algemeen" and first.keywords == ("zorg", "hulp") and first.examples == ()
    assert first.gloss == "Care" and first.colour == "#AA3300"
    assert second.description == "Alles over zorg." and second.keywords == () and second.parent is None
    assert cb["ZORG_THUIS"].parent == "ZORG"
    assert edit.details == {"code": "ZORG", "into": ["ZORG", "MANTELZORG"]}
    assert edit.note == "ZORG gesplitst in ZORG en MANTELZORG" and cb.validate()

    renamed = split_code(tree, "ZORG", ("ZORG_A", "A"), ("ZORG_B", "B")).codebook
    assert renamed["ZORG_THUIS"].parent == "ZORG_A" and "ZORG" not in renamed


@pytest.mark.parametrize("key, first, second, message", [
    ("ONBEKEND", ("A", "A"), ("B", "B"), "Kies de code"),
    ("ZORG", ("A", ""), ("B", "B"), "Vul voor beide"),
    ("ZORG", ("A", "A"), ("_B", "B"), "Vul voor beide"),
    ("ZORG", ("A", "A"), ("WONEN", "Wonen"), "De sleutel WONEN bestaat al"),
    ("ZORG", ("A", "A"), ("A", "Ook A"), "verschillende sleutel"),
])
def test_split_code_errors(tree, key, first, second, message):
    from analysis.codebook import split_code

    with pytest.raises(CodebookError, match=message):
        split_code(tree, key, first, second)
