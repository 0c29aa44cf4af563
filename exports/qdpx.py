"""REFI-QDA project export (``.qdpx``): a zip with ``project.qde`` and ``sources/``.

Opens in ATLAS.ti, NVivo, MAXQDA, QualCoder and other tools that implement the REFI-QDA
standard (QDA-XML 1.0, www.qdasoftware.org). Works on plain data classes.
"""
from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = uuid.UUID("6f1b3c52-4a0e-4bd6-9d8e-2f8c1a7e5b10")


def guid(*parts: object) -> str:
    """A stable GUID for the same thing in the same project (re-exports match)."""
    return str(uuid.uuid5(_NS, "\x00".join(str(p) for p in parts)))


@dataclass
class QdaCode:
    key: str
    label: str
    description: str = ""
    colour: str | None = None
    parent: str | None = None
    guid: str = ""


@dataclass
class QdaCoding:
    code: str                 # code key
    user: str | None = None   # coder name
    created_at: datetime | None = None


@dataclass
class QdaSelection:
    start: int
    end: int
    name: str
    codings: list[QdaCoding] = field(default_factory=list)
    guid: str = ""


@dataclass
class QdaSource:
    name: str
    text: str
    selections: list[QdaSelection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    description: str = ""
    guid: str = ""


@dataclass
class QdaProject:
    name: str
    codes: list[QdaCode]
    sources: list[QdaSource]
    description: str = ""
    origin: str = "consult"
    created_at: datetime | None = None


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _dt(value: datetime | None) -> str:
    return (value or datetime(2000, 1, 1)).replace(microsecond=0).isoformat() + ("" if (value and value.tzinfo) else "Z")


def _colour(value: str | None) -> str | None:
    if value and value.startswith("#") and len(value) in (4, 7):
        return value
    return None


def project_xml(project: QdaProject) -> tuple[str, dict[str, str]]:
    """``(project.qde text, {zip path: source text})``."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(_q("Project"), {"name": project.name, "origin": project.origin,
                                      "creationDateTime": _dt(project.created_at)})
    users = sorted({c.user for s in project.sources for sel in s.selections for c in sel.codings if c.user})
    user_guids = {u: guid(project.name, "user", u) for u in users}
    if users:
        users_el = ET.SubElement(root, _q("Users"))
        for u in users:
            ET.SubElement(users_el, _q("User"), {"guid": user_guids[u], "name": u})

    for c in project.codes:
        c.guid = c.guid or guid(project.name, "code", c.key)
    code_guid = {c.key: c.guid for c in project.codes}
    if project.codes:
        cb = ET.SubElement(root, _q("CodeBook"))
        codes_el = ET.SubElement(cb, _q("Codes"))
        known = set(code_guid)

        def add(parent_el, parent_key):
            for c in project.codes:
                parent = c.parent if c.parent in known else None
                if parent != parent_key:
                    continue
                attrs = {"guid": c.guid, "name": c.label or c.key, "isCodable": "true"}
                if _colour(c.colour):
                    attrs["color"] = c.colour
                el = ET.SubElement(parent_el, _q("Code"), attrs)
                desc = (c.description + "\n" if c.description else "") + f"Code: {c.key}"
                ET.SubElement(el, _q("Description")).text = desc
                add(el, c.key)

        add(codes_el, None)

    var_names = sorted({k for s in project.sources for k in s.variables})
    var_guids = {v: guid(project.name, "variable", v) for v in var_names}
    if var_names:
        vars_el = ET.SubElement(root, _q("Variables"))
        for v in var_names:
            ET.SubElement(vars_el, _q("Variable"), {"guid": var_guids[v], "name": v, "typeOfVariable": "Text"})

    files: dict[str, str] = {}
    if project.sources:
        sources_el = ET.SubElement(root, _q("Sources"))
        for s in project.sources:
            s.guid = s.guid or guid(project.name, "source", s.name)
            path = f"{s.guid}.txt"
            files[f"sources/{path}"] = s.text
            src = ET.SubElement(sources_el, _q("TextSource"),
                                {"guid": s.guid, "name": s.name, "plainTextPath": f"internal://{path}"})
            if s.description:
                ET.SubElement(src, _q("Description")).text = s.description
            for sel in s.selections:
                sel.guid = sel.guid or guid(project.name, "selection", s.name, sel.start, sel.end, sel.name)
                sel_el = ET.SubElement(src, _q("PlainTextSelection"), {
                    "guid": sel.guid, "name": sel.name[:200], "startPosition": str(sel.start),
                    "endPosition": str(sel.end)})
                for c in sel.codings:
                    if c.code not in code_guid:
                        continue
                    attrs = {"guid": guid(project.name, "coding", sel.guid, c.code, c.user or "")}
                    if c.user:
                        attrs["creatingUser"] = user_guids[c.user]
                    if c.created_at:
                        attrs["creationDateTime"] = _dt(c.created_at)
                    coding = ET.SubElement(sel_el, _q("Coding"), attrs)
                    ET.SubElement(coding, _q("CodeRef"), {"targetGUID": code_guid[c.code]})
            for name, value in sorted(s.variables.items()):
                vv = ET.SubElement(src, _q("VariableValue"))
                ET.SubElement(vv, _q("VariableRef"), {"targetGUID": var_guids[name]})
                ET.SubElement(vv, _q("TextValue")).text = value
    if project.description:
        ET.SubElement(root, _q("Description")).text = project.description
    ET.indent(root)
    xml = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    return xml, files


def write_qdpx(project: QdaProject, out: Path) -> Path:
    xml, files = project_xml(project)
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml.encode("utf-8"))
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return out
