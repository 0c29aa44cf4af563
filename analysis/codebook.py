"""Codebooks: hierarchical, versioned sets of thematic codes.

A :class:`Codebook` holds :class:`Code` entries (``code`` is a stable identifier of
``A-Z``, ``0-9`` and ``_``; ``parent`` names another code for hierarchy).  Codebooks
are read from and written to three formats, chosen by file extension in
:func:`load_codebook` / :func:`save_codebook`:

YAML (``.yaml``/``.yml``)
    The format of ``analysis/codebooks/wmo-codebook.yaml``: top-level ``name``,
    ``language``, ``version`` and ``themes`` (a list of mappings with ``code``,
    ``label``, ``gloss``, ``description``, ``keywords``, ``examples`` and the optional
    ``reader_text``, ``exclude``, ``colour`` and ``parent``).  ``codes`` is accepted as a synonym of
    ``themes``.  ``gloss`` and ``description`` are for coders; ``reader_text`` says in
    plain Dutch what the theme is about for readers of a report (reports never print the
    coder instructions; without a reader text they show the label alone).

CSV (``.csv``)
    One row per code, header ``code,label,gloss,description,keywords,examples,colour,parent,reader_text,exclude``
    (older files without the ``reader_text`` or ``exclude`` column are read as well).
    ``keywords`` and ``exclude`` are separated by ``;`` and ``examples`` by ``|`` (an example sentence
    may itself contain a semicolon).  Optional lines before the header of the form
    ``# name: ...``, ``# language: nl`` and ``# version: 2`` carry the codebook's
    metadata; without them the name is the file name and the version 1.

REFI-QDA codebook (``.qdc``)
    ``<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid name isCodable color>``
    with ``<Description>`` and nested ``<Code>`` elements for the hierarchy, as exchanged
    by ATLAS.ti, NVivo, MAXQDA and QualCoder.  ``name`` is the label.  The schema has no
    place for the identifier, gloss, keywords and examples, so they are appended to the
    description as labelled lines (``Code: ...``, ``Gloss: ...``, ``Keywords: a; b``,
    ``Example: ...``, ``Not keywords: a; b`` and ``Reader text: ...``), which other programs simply show as text; on import they are read
    back, and a code without them gets an identifier derived from its name.  GUIDs are
    derived from the codebook and code identifiers (UUID 5), so re-exports are stable.

Reading is all-or-nothing: the whole file is parsed and validated before a codebook is
returned, and any problem (missing field, duplicate code, unknown parent, cycle, bad
identifier) raises :class:`CodebookError` naming the line (YAML, CSV) and/or the code.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Code", "Codebook", "CodebookError", "CodebookDiff",
    "load_codebook", "save_codebook", "load_default_codebook",
    "codebook_from_yaml", "codebook_to_yaml", "codebook_from_csv", "codebook_to_csv",
    "codebook_from_qdc", "codebook_to_qdc", "parse_codebook", "serialise_codebook",
    "codebook_to_dict", "codebook_from_dict", "code_identifier", "diff",
    "CodebookEdit", "normalise_key", "add_code", "rename_code", "edit_code", "merge_codes", "split_code",
]

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
DEFAULT_CODEBOOK_PATH = Path(__file__).parent / "codebooks" / "wmo-codebook.yaml"
CODE_RE = re.compile(r"^[A-Z0-9_]+$")
COLOUR_RE = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
CODE_FIELDS = ("code", "label", "gloss", "description", "keywords", "examples", "colour", "parent", "reader_text",
               "exclude")
REQUIRED_CODE_FIELDS = ("code", "label")


class CodebookError(ValueError):
    """A codebook file or object is invalid; the message names the line and/or code."""


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    gloss: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    colour: str | None = None
    parent: str | None = None
    #: What the theme is about, for readers of a report (optional; not a coder instruction).
    reader_text: str = ""
    #: Terms knowingly NOT keywords of this code (optional): words the description names,
    #: or compounds/derivations of a keyword, that do not by themselves mean the theme
    #: (``welzijnswerk`` for MEEDOEN).  The keyword rules never fire the code on them and
    #: ``consult codebook lint`` does not ask for them as keywords.
    exclude: tuple[str, ...] = ()

    def __post_init__(self):
        # Accept lists for convenience; store tuples so codes are hashable and comparable.
        object.__setattr__(self, "keywords", tuple(self.keywords))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        object.__setattr__(self, "examples", tuple(self.examples))


@dataclass(frozen=True)
class Codebook:
    name: str
    language: str = "nl"
    version: int = 1
    codes: tuple[Code, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "codes", tuple(self.codes))

    # -- access -------------------------------------------------------------
    @property
    def code_ids(self) -> list[str]:
        return [c.code for c in self.codes]

    def get(self, code: str) -> Code | None:
        for c in self.codes:
            if c.code == code:
                return c
        return None

    def __getitem__(self, code: str) -> Code:
        found = self.get(code)
        if found is None:
            raise KeyError(code)
        return found

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def children(self, code: str | None) -> list[Code]:
        """Direct children of ``code`` (``None``: the top-level codes)."""
        return [c for c in self.codes if c.parent == code]

    def ancestors(self, code: str) -> list[str]:
        out, cur = [], self[code].parent
        while cur is not None:
            out.append(cur)
            cur = self[cur].parent
        return out

    def validate(self) -> "Codebook":
        """Raise :class:`CodebookError` when the codebook is inconsistent; return self."""
        _validate_codes(self, {})
        return self

    def bump(self) -> "Codebook":
        """The same codebook with the version number raised by one."""
        return replace(self, version=self.version + 1)


@dataclass(frozen=True)
class CodebookDiff:
    """What changed between two codebooks (see :func:`diff`)."""
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]   # code -> names of the fields that differ
    metadata: tuple[str, ...]             # names of codebook-level fields that differ

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.metadata)

    def __bool__(self) -> bool:
        return not self.is_empty


def diff(old: Codebook, new: Codebook, *, include_version: bool = False) -> CodebookDiff:
    """Compare two codebooks code by code.

    ``diff(a, b).is_empty`` tells the database layer whether a new version must be stored.
    The version number itself is ignored unless ``include_version`` is set.
    """
    old_map = {c.code: c for c in old.codes}
    new_map = {c.code: c for c in new.codes}
    changed = {}
    for code in old_map.keys() & new_map.keys():
        a, b = old_map[code], new_map[code]
        names = tuple(f.name for f in fields(Code) if getattr(a, f.name) != getattr(b, f.name))
        if names:
            changed[code] = names
    meta = [n for n in ("name", "language") if getattr(old, n) != getattr(new, n)]
    if include_version and old.version != new.version:
        meta.append("version")
    order = [c.code for c in old.codes]
    if [c for c in order if c in new_map] != [c.code for c in new.codes if c.code in old_map]:
        meta.append("order")
    return CodebookDiff(
        added=tuple(c for c in new_map if c not in old_map),
        removed=tuple(c for c in old_map if c not in new_map),
        changed=dict(sorted(changed.items())),
        metadata=tuple(meta),
    )


# ---------------------------------------------------------------------------
# editing: add, rename, merge and split codes
# ---------------------------------------------------------------------------
# Staff edit a codebook on screen, so these messages are in Dutch. Each function returns
# the edited codebook as a new object (codebooks are immutable) with a note and details
# for the version history; the input codebook is left as it was.

#: Identifiers typed in the editor: a letter first, at most 80 characters.
EDIT_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,79}$")


@dataclass(frozen=True)
class CodebookEdit:
    """The outcome of one edit: the new codebook, a note for its version and the details."""
    operation: str            # "add", "rename", "edit", "merge" or "split"
    codebook: Codebook
    note: str
    details: dict[str, Any]


def normalise_key(raw: str) -> str:
    """A typed identifier in codebook form: ``"zorg thuis"`` → ``ZORG_THUIS``."""
    return re.sub(r"[^A-Z0-9_]+", "_", (raw or "").strip().upper()).strip("_")


def _require_new_key(cb: Codebook, key: str, label: str, message: str, *, replacing: str | None = None) -> None:
    if not EDIT_KEY_RE.match(key) or not label:
        raise CodebookError(message)
    if key in cb and key != replacing:
        raise CodebookError(f"De sleutel {key} bestaat al.")


def add_code(cb: Codebook, code: Code) -> CodebookEdit:
    """``cb`` with ``code`` added at the end."""
    _require_new_key(cb, code.code, code.label, "Vul een sleutel (hoofdletters, cijfers, _) en een naam in.")
    if code.parent and code.parent not in cb:
        raise CodebookError("Kies een bestaande bovenliggende code.")
    return CodebookEdit("add", replace(cb, codes=cb.codes + (code,)), f"Code {code.code} toegevoegd",
                        {"code": code.code, "label": code.label})


def rename_code(cb: Codebook, key: str, label: str) -> CodebookEdit:
    """``cb`` with code ``key`` labelled ``label``."""
    label = label.strip()
    if key not in cb or not label:
        raise CodebookError("Kies een code en vul de nieuwe naam in.")
    codes = tuple(replace(c, label=label) if c.code == key else c for c in cb.codes)
    return CodebookEdit("rename", replace(cb, codes=codes), f"Code {key} hernoemd",
                        {"code": key, "old": cb[key].label, "new": label})


def _clean_lines(values) -> tuple[str, ...]:
    """Stripped, non-empty, unrepeated entries (keywords or examples typed one per line)."""
    out: list[str] = []
    for v in values:
        v = " ".join(str(v).split())
        if v and v not in out:
            out.append(v)
    return tuple(out)


def edit_code(cb: Codebook, key: str, *, label: str | None = None, description: str | None = None,
              keywords=None, examples=None) -> CodebookEdit:
    """``cb`` with the name, description, keywords or examples of code ``key`` changed
    (``None``: leave that field as it is). The key stays, so codings follow the code."""
    if key not in cb:
        raise CodebookError("Kies een bestaande code.")
    old = cb[key]
    changes: dict[str, Any] = {}
    if label is not None:
        label = " ".join(label.split())
        if not label:
            raise CodebookError("Vul een naam in.")
        changes["label"] = label
    if description is not None:
        # tidy spaces within lines, but keep the lines and paragraphs
        changes["description"] = "\n".join(" ".join(line.split()) for line in description.strip().splitlines())
    if keywords is not None:
        changes["keywords"] = _clean_lines(keywords)
    if examples is not None:
        changes["examples"] = _clean_lines(examples)
    new = replace(old, **changes)
    changed = [name for name in ("label", "description", "keywords", "examples")
               if getattr(old, name) != getattr(new, name)]
    codes = tuple(new if c.code == key else c for c in cb.codes)
    return CodebookEdit("edit", replace(cb, codes=codes), f"Code {key} aangepast",
                        {"code": key, "fields": changed})


def merge_codes(cb: Codebook, sources: list[str], target: str) -> CodebookEdit:
    """``cb`` with ``sources`` merged into ``target``.

    The target gains the sources' keywords (in order, without repeats); children of a
    source move to the target. Unknown sources, and the target itself, are ignored.
    """
    sources = [k for k in sources if k in cb and k != target]
    if target not in cb or not sources:
        raise CodebookError("Kies de codes die opgaan in een andere code, en de code waarin ze opgaan.")
    keywords = list(cb[target].keywords)
    for k in sources:
        keywords += [w for w in cb[k].keywords if w not in keywords]
    merged = []
    for code in cb.codes:
        if code.code in sources:
            continue
        if code.code == target:
            code = replace(code, keywords=tuple(keywords))
        if code.parent in sources:
            code = replace(code, parent=target)
        merged.append(code)
    return CodebookEdit("merge", replace(cb, codes=tuple(merged)),
                        f"{', '.join(sources)} samengevoegd in {target}",
                        {"sources": sources, "target": target})


def split_code(cb: Codebook, key: str, first: tuple[str, str], second: tuple[str, str]) -> CodebookEdit:
    """``cb`` with code ``key`` split into two codes ``(key, label)``, in its place.

    The first keeps everything but the examples (they were picked for the old code) and
    takes over the children; the second starts with the description and parent only.
    Either new code may reuse the old identifier.
    """
    if key not in cb:
        raise CodebookError("Kies de code die u wilt splitsen.")
    for new_key, label in (first, second):
        _require_new_key(cb, new_key, label, "Vul voor beide nieuwe codes een sleutel en een naam in.",
                         replacing=key)
    if first[0] == second[0]:
        raise CodebookError("De twee nieuwe codes moeten een verschillende sleutel hebben.")
    old = cb[key]
    split = []
    for code in cb.codes:
        if code.code == key:
            split.append(replace(old, code=first[0], label=first[1], examples=()))
            split.append(Code(code=second[0], label=second[1], description=old.description, parent=old.parent))
            continue
        if code.parent == key:
            code = replace(code, parent=first[0])
        split.append(code)
    return CodebookEdit("split", replace(cb, codes=tuple(split)), f"{key} gesplitst in {first[0]} en {second[0]}",
                        {"code": key, "into": [first[0], second[0]]})


# ---------------------------------------------------------------------------
# validation shared by all formats
# ---------------------------------------------------------------------------

def _where(lines: dict[str, int], code: str, prefix: str = "line") -> str:
    return f"{prefix} {lines[code]}: " if code in lines else ""


def _validate_codes(cb: Codebook, lines: dict[str, int]) -> None:
    if not str(cb.name).strip():
        raise CodebookError("codebook has no name")
    if not cb.codes:
        raise CodebookError("codebook has no codes")
    seen: dict[str, int] = {}
    for c in cb.codes:
        where = _where(lines, c.code)
        if not CODE_RE.match(c.code):
            raise CodebookError(f"{where}invalid code identifier {c.code!r} (use A-Z, 0-9 and _)")
        if c.code in seen:
            raise CodebookError(f"{where}duplicate code {c.code}")
        seen[c.code] = 1
        if not c.label.strip():
            raise CodebookError(f"{where}code {c.code} has an empty label")
        if c.colour is not None and not COLOUR_RE.match(c.colour):
            raise CodebookError(f"{where}code {c.code} has an invalid colour {c.colour!r} (use #RRGGBB)")
    for c in cb.codes:
        if c.parent is not None and c.parent not in seen:
            raise CodebookError(f"{_where(lines, c.code)}code {c.code} has unknown parent {c.parent}")
    parents = {c.code: c.parent for c in cb.codes}
    for c in cb.codes:
        cur, steps = c.parent, 0
        while cur is not None:
            if cur == c.code or steps > len(parents):
                raise CodebookError(f"{_where(lines, c.code)}code {c.code} is its own ancestor (cycle)")
            cur, steps = parents[cur], steps + 1


def _as_str_list(value: Any, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)):
        raise CodebookError(f"{where}{what} must be a list of strings")
    out = []
    for v in value:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise CodebookError(f"{where}{what} must be a list of strings")
        out.append(str(v).strip())
    return tuple(v for v in out if v)


def _code_from_mapping(d: dict, where: str) -> Code:
    unknown = sorted(set(d) - set(CODE_FIELDS) - {"color"})
    if unknown:
        raise CodebookError(f"{where}unknown field {unknown[0]!r} (known: {', '.join(CODE_FIELDS)})")
    for name in REQUIRED_CODE_FIELDS:
        if d.get(name) in (None, ""):
            ident = f" in code {d['code']}" if d.get("code") else ""
            raise CodebookError(f"{where}missing field {name!r}{ident}")
    code = str(d["code"]).strip()
    colour = d.get("colour", d.get("color"))
    parent = d.get("parent")

    def text(name):
        v = d.get(name)
        if v is None:
            return ""
        if not isinstance(v, (str, int, float)):
            raise CodebookError(f"{where}field {name!r} of code {code} must be text")
        return " ".join(str(v).split())

    return Code(
        code=code,
        label=text("label"),
        gloss=text("gloss"),
        description=text("description"),
        keywords=_as_str_list(d.get("keywords"), f"keywords of code {code}", where),
        examples=_as_str_list(d.get("examples"), f"examples of code {code}", where),
        colour=str(colour).strip() if colour not in (None, "") else None,
        parent=str(parent).strip() if parent not in (None, "") else None,
        reader_text=text("reader_text"),
        exclude=_as_str_list(d.get("exclude"), f"exclude of code {code}", where),
    )


def _version(value: Any, where: str = "") -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise CodebookError(f"{where}version must be a whole number, not {value!r}") from None
    if v < 1:
        raise CodebookError(f"{where}version must be 1 or more")
    return v


# ---------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------

def _node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def codebook_from_yaml(text: str) -> Codebook:
    """Parse a YAML codebook (see module docstring); errors name the line."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise CodebookError(f"{line}invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise CodebookError("line 1: a codebook must be a mapping with name, language, version and themes")
    key_lines = {k.value: _node_line(k) for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
    key = "themes" if "themes" in data else "codes" if "codes" in data else None
    if key is None:
        raise CodebookError("missing field 'themes' (the list of codes)")
    if not data.get("name"):
        raise CodebookError(f"{'line %d: ' % key_lines['name'] if 'name' in key_lines else ''}missing field 'name'")
    unknown = sorted(set(data) - {"name", "language", "version", "themes", "codes", "description"})
    if unknown:
        raise CodebookError(f"line {key_lines[unknown[0]]}: unknown field {unknown[0]!r}")
    seq_node = next(v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key)
    items = data[key]
    if not isinstance(items, list) or not isinstance(seq_node, yaml.SequenceNode):
        raise CodebookError(f"line {key_lines[key]}: {key!r} must be a list of codes")
    codes, lines = [], {}
    for item, node in zip(items, seq_node.value):
        line = _node_line(node)
        if not isinstance(item, dict):
            raise CodebookError(f"line {line}: each code must be a mapping with code, label, ...")
        code = _code_from_mapping(item, f"line {line}: ")
        if code.code in lines:
            raise CodebookError(f"line {line}: duplicate code {code.code} (first defined on line {lines[code.code]})")
        lines[code.code] = line
        codes.append(code)
    cb = Codebook(
        name=" ".join(str(data["name"]).split()),
        language=str(data.get("language") or "nl"),
        version=_version(data.get("version", 1), f"line {key_lines.get('version', 1)}: "),
        codes=tuple(codes),
    )
    _validate_codes(cb, lines)
    return cb


def codebook_to_yaml(cb: Codebook) -> str:
    themes = []
    for c in cb.codes:
        d: dict[str, Any] = {"code": c.code, "label": c.label}
        if c.parent:
            d["parent"] = c.parent
        d["gloss"] = c.gloss
        d["description"] = c.description
        d["keywords"] = list(c.keywords)
        d["examples"] = list(c.examples)
        if c.exclude:
            d["exclude"] = list(c.exclude)
        if c.reader_text:
            d["reader_text"] = c.reader_text
        if c.colour:
            d["colour"] = c.colour
        themes.append(d)
    doc = {"name": cb.name, "language": cb.language, "version": cb.version, "themes": themes}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------

def codebook_from_csv(text: str, *, name: str | None = None) -> Codebook:
    """Parse a CSV codebook (one row per code; see module docstring)."""
    meta: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (lines[skipped].startswith("#") or not lines[skipped].strip()):
        m = re.match(r"#\s*(\w+)\s*:\s*(.*?)\s*$", lines[skipped])
        if m:
            meta[m.group(1).lower()] = m.group(2)
        skipped += 1
    reader = csv.DictReader(io.StringIO("".join(lines[skipped:])))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    header_line = skipped + 1
    if not header:
        raise CodebookError("empty CSV codebook (no header row)")
    reader.fieldnames = header
    for required in REQUIRED_CODE_FIELDS:
        if required not in header:
            raise CodebookError(f"line {header_line}: missing column {required!r}")
    unknown = [h for h in header if h not in CODE_FIELDS and h != "color"]
    if unknown:
        raise CodebookError(f"line {header_line}: unknown column {unknown[0]!r}")
    codes, where_lines = [], {}
    for row in reader:
        line = skipped + reader.line_num
        if None in row:
            raise CodebookError(f"line {line}: more cells than columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        d: dict[str, Any] = {k: (v or "").strip() for k, v in row.items()}
        d["keywords"] = [k for k in d.get("keywords", "").split(";")]
        d["examples"] = [e for e in d.get("examples", "").split("|")]
        d["exclude"] = [e for e in d.get("exclude", "").split(";")]
        code = _code_from_mapping(d, f"line {line}: ")
        if code.code in where_lines:
            raise CodebookError(f"line {line}: duplicate code {code.code} (first defined on line {where_lines[code.code]})")
        where_lines[code.code] = line
        codes.append(code)
    cb = Codebook(
        name=meta.get("name") or name or "codebook",
        language=meta.get("language") or "nl",
        version=_version(meta.get("version", 1)),
        codes=tuple(codes),
    )
    _validate_codes(cb, where_lines)
    return cb


def codebook_to_csv(cb: Codebook) -> str:
    for c in cb.codes:
        bad = [k for k in c.keywords + c.exclude if ";" in k] + [e for e in c.examples if "|" in e]
        if bad:
            raise CodebookError(f"code {c.code}: {bad[0]!r} contains a CSV list separator (; or |)")
    out = io.StringIO()
    out.write(f"# name: {cb.name}\n# language: {cb.language}\n# version: {cb.version}\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CODE_FIELDS)
    for c in cb.codes:
        w.writerow([c.code, c.label, c.gloss, c.description, ";".join(c.keywords),
                    "|".join(c.examples), c.colour or "", c.parent or "", c.reader_text, ";".join(c.exclude)])
    return out.getvalue()


# ---------------------------------------------------------------------------
# REFI-QDA codebook (.qdc)
# ---------------------------------------------------------------------------

_GUID_NS = uuid.UUID("6f1c3d1e-52a4-4c47-9b7e-0c2f1d3a9e01")
_QDC_FIELDS = {"code": "Code", "gloss": "Gloss", "keywords": "Keywords", "example": "Example",
               "reader_text": "Reader text", "exclude": "Not keywords"}


def _guid(cb: Codebook, code: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{cb.name}\x00{code}"))


def _qdc_description(c: Code) -> str:
    parts = [c.description] if c.description else []
    parts.append(f"Code: {c.code}")
    if c.gloss:
        parts.append(f"Gloss: {c.gloss}")
    if c.keywords:
        parts.append("Keywords: " + "; ".join(c.keywords))
    parts.extend(f"Example: {e}" for e in c.examples)
    if c.exclude:
        parts.append("Not keywords: " + "; ".join(c.exclude))
    if c.reader_text:
        parts.append(f"Reader text: {c.reader_text}")
    return "\n".join(parts)


def codebook_to_qdc(cb: Codebook) -> str:
    ET.register_namespace("", QDC_NAMESPACE)
    q = lambda tag: f"{{{QDC_NAMESPACE}}}{tag}"  # noqa: E731
    root = ET.Element(q("CodeBook"), {"origin": f"consult; {cb.name}; version {cb.version}; language {cb.language}"})
    codes_el = ET.SubElement(root, q("Codes"))

    def add(parent_el, parent_code):
        for c in cb.children(parent_code):
            attrs = {"guid": _guid(cb, c.code), "name": c.label, "isCodable": "true"}
            if c.colour:
                attrs["color"] = c.colour
            el = ET.SubElement(parent_el, q("Code"), attrs)
            ET.SubElement(el, q("Description")).text = _qdc_description(c)
            add(el, c.code)

    add(codes_el, None)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def code_identifier(name: str, default: str = "CODE") -> str:
    """A code identifier (``A-Z0-9_``) made from a name: ``"Zorg thuis"`` → ``ZORG_THUIS``."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", ascii_.upper()).strip("_") or default


def codebook_from_qdc(text: str, *, name: str | None = None) -> Codebook:
    """Parse a REFI-QDA codebook (``.qdc``)."""
    try:
        root = ET.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ET.ParseError as exc:
        raise CodebookError(f"line {exc.position[0]}: invalid XML: {exc}") from None
    if root.tag != f"{{{QDC_NAMESPACE}}}CodeBook":
        raise CodebookError(f"not a REFI-QDA codebook: root element is {root.tag}, expected CodeBook in {QDC_NAMESPACE}")
    q = lambda tag: f"{{{QDC_NAMESPACE}}}{tag}"  # noqa: E731
    codes_el = root.find(q("Codes"))
    if codes_el is None:
        raise CodebookError("REFI-QDA codebook has no Codes element")
    meta = {}
    m = re.match(r"consult; (.*); version (\d+); language (\S+)$", root.get("origin", ""))
    if m:
        meta = {"name": m.group(1), "version": m.group(2), "language": m.group(3)}
    codes: list[Code] = []
    seen: set[str] = set()

    def walk(el, parent):
        for child in el.findall(q("Code")):
            label = (child.get("name") or "").strip()
            if not label:
                raise CodebookError("a Code element has no name attribute")
            desc_el = child.find(q("Description"))
            lines_ = (desc_el.text or "").splitlines() if desc_el is not None else []
            info: dict[str, Any] = {"example": []}
            body = []
            for line in lines_:
                fm = re.match(r"(Code|Gloss|Keywords|Example|Reader text|Not keywords): (.*)$", line)
                if fm:
                    k = {"Not keywords": "exclude"}.get(fm.group(1), fm.group(1).lower().replace(" ", "_"))
                    if k == "example":
                        info["example"].append(fm.group(2))
                    else:
                        info[k] = fm.group(2)
                else:
                    body.append(line)
            ident = info.get("code") or code_identifier(label)
            if ident in seen:
                raise CodebookError(f"duplicate code {ident} (Code named {label!r})")
            seen.add(ident)
            codes.append(_code_from_mapping({
                "code": ident, "label": label, "gloss": info.get("gloss", ""),
                "description": " ".join(" ".join(body).split()),
                "keywords": [k.strip() for k in info.get("keywords", "").split(";") if k.strip()],
                "examples": info["example"], "colour": child.get("color"), "parent": parent,
                "reader_text": info.get("reader_text", ""),
                "exclude": [k.strip() for k in info.get("exclude", "").split(";") if k.strip()],
            }, f"code {label!r}: "))
            walk(child, ident)

    walk(codes_el, None)
    cb = Codebook(name=meta.get("name") or name or "codebook", language=meta.get("language", "nl"),
                  version=_version(meta.get("version", 1)), codes=tuple(codes))
    _validate_codes(cb, {})
    return cb


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------

_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".qdc": "qdc"}


def _format_of(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CodebookError(f"{path.name}: unknown codebook format {path.suffix or '(none)'} (use .yaml, .csv or .qdc)")
    return fmt


def parse_codebook(text: str, fmt: str, *, name: str | None = None) -> Codebook:
    """Parse codebook ``text`` in format ``yaml``, ``csv`` or ``qdc``."""
    if fmt == "yaml":
        return codebook_from_yaml(text)
    if fmt == "csv":
        return codebook_from_csv(text, name=name)
    if fmt == "qdc":
        return codebook_from_qdc(text, name=name)
    raise CodebookError(f"unknown codebook format {fmt!r} (use yaml, csv or qdc)")


def serialise_codebook(cb: Codebook, fmt: str) -> str:
    """``cb`` as text in format ``yaml``, ``csv`` or ``qdc``."""
    cb.validate()
    writer = {"yaml": codebook_to_yaml, "csv": codebook_to_csv, "qdc": codebook_to_qdc}.get(fmt)
    if writer is None:
        raise CodebookError(f"unknown codebook format {fmt!r} (use yaml, csv or qdc)")
    return writer(cb)


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook file; the format follows the extension (.yaml/.yml, .csv, .qdc)."""
    path = Path(path)
    fmt = _format_of(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CodebookError(f"{path}: not UTF-8 text") from None
    try:
        return parse_codebook(text, fmt, name=path.stem)
    except CodebookError as exc:
        raise CodebookError(f"{path.name}: {exc}") from None


def save_codebook(cb: Codebook, path: str | Path) -> None:
    """Write ``cb`` to ``path``; the format follows the extension."""
    path = Path(path)
    text = serialise_codebook(cb, _format_of(path))
    path.write_text(text, encoding="utf-8")


def load_default_codebook() -> Codebook:
    """The bundled reference codebook (Wmo / sociaal domein)."""
    return load_codebook(DEFAULT_CODEBOOK_PATH)


def codebook_to_dict(cb: Codebook) -> dict:
    """Plain JSON-able dict (for storing a version in a database column)."""
    return {"name": cb.name, "language": cb.language, "version": cb.version,
            "codes": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c).items()} for c in cb.codes]}


def codebook_from_dict(d: dict) -> Codebook:
    """Inverse of :func:`codebook_to_dict` (validated)."""
    codes = tuple(_code_from_mapping(c, f"code #{i + 1}: ") for i, c in enumerate(d.get("codes") or d.get("themes") or []))
    return Codebook(name=d.get("name", ""), language=d.get("language", "nl"),
                    version=_version(d.get("version", 1)), codes=codes).validate()

