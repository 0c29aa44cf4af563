"""`consult codebook lint`: description terms that are neither keywords nor excluded."""
import json
import re
import shutil

from click.testing import CliRunner

from analysis.codebook import DEFAULT_CODEBOOK_PATH, Code, Codebook, load_codebook, save_codebook
from analysis.coding.lint import lint_codebook
from consult.cli.codebook import codebook_group


def test_lint_flags_named_terms_and_accepts_keywords_exclusions_and_pointers():
    cb = Codebook(name="t", codes=(
        Code("INFORMEEL", "Mantelzorg", description="Mantelzorgers en vrijwilligers, overbelasting van naasten.",
             keywords=("mantelzorger", "vrijwilliger"), exclude=("naaste",)),
        Code("GELD", "Geld", description="Budgetten en subsidies. Niet voor de inkoop (AANBOD).",
             keywords=("budget",)),
        Code("AANBOD", "Aanbod", description="Inkoop; valt onder contractering als het om contracten gaat.",
             keywords=("inkoop",)),
    ))
    found = {(f.code, f.lemma) for f in lint_codebook(cb)}
    assert ("INFORMEEL", "overbelasting") in found
    assert ("GELD", "subsidie") in found
    # an agent noun is not its activity: the keyword 'mantelzorg' would not cover 'mantelzorgers'
    cb2 = Codebook(name="t", codes=(Code("INFORMEEL", "M", description="Mantelzorgers.", keywords=("mantelzorg",)),))
    assert [f.lemma for f in lint_codebook(cb2)] == ["mantelzorger"]
    # keywords (also inflected: 'Mantelzorgers', 'Budgetten'), exclusions and other codes' clauses are not asked for
    assert not {("INFORMEEL", "mantelzorger"), ("INFORMEEL", "vrijwilliger"), ("INFORMEEL", "naaste"),
                ("GELD", "budget"), ("GELD", "inkoop"), ("AANBOD", "contractering"), ("AANBOD", "contract")} & found


def test_bundled_codebook_is_lint_clean_and_exclusions_survive_every_format(tmp_path):
    r = CliRunner().invoke(codebook_group, ["lint", "--codebook", str(DEFAULT_CODEBOOK_PATH)])
    assert r.exit_code == 0, r.output
    assert "0 finding(s)" in r.output and "version" not in r.output
    cb = load_codebook(DEFAULT_CODEBOOK_PATH)
    assert "welzijnswerk" in cb["MEEDOEN"].exclude
    for ext in ("csv", "qdc", "yaml"):
        save_codebook(cb, tmp_path / f"wmo.{ext}")
        assert load_codebook(tmp_path / f"wmo.{ext}") == cb


def test_lint_reports_findings_with_status_1(tmp_path):
    shutil.copy(DEFAULT_CODEBOOK_PATH, tmp_path / "cb.yaml")
    text, n = re.subn(r"    exclude: \[vorm, zwaarte, indicatie, beschikking[^\]]*\]\n", "",
                      (tmp_path / "cb.yaml").read_text(encoding="utf-8"))
    assert n == 1
    (tmp_path / "cb.yaml").write_text(text, encoding="utf-8")
    r = CliRunner().invoke(codebook_group, ["lint", "--codebook", str(tmp_path / "cb.yaml"), "--json"])
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert {(f["code"], f["lemma"]) for f in out["findings"]} == {("VOORZIENINGEN", "vorm"), ("VOORZIENINGEN", "zwaarte"),
                                                                     ("VOORZIENINGEN", "indicatie"), ("VOORZIENINGEN", "beschikking")}
