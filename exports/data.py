"""Data exports: tables as CSV (a zip or a folder of files) and XLSX (one sheet per table)."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analysis.privacy import mask_same_length, scrub

__all__ = ["DataTable", "ExtraFile", "mask_same_length", "mask_free_text", "write_csv", "write_xlsx"]


@dataclass
class DataTable:
    name: str                 # file stem, e.g. "segments"
    title: str                # sheet title (max 31 characters), e.g. "Segmenten"
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class ExtraFile:
    """A file added as is to CSV exports (e.g. the codebook as YAML or REFI-QDA .qdc)."""
    name: str
    text: str


def mask_free_text(text: str | None) -> str:
    """Free text for a masked data export: contact details replaced by ``[verwijderd]``
    (:func:`analysis.privacy.scrub`)."""
    return scrub(text)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def _csv_text(table: DataTable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_safe_csv(_cell(v)) for v in row])
    return buf.getvalue()


def _safe_csv(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def write_csv(tables: list[DataTable], out: Path, extra: list[ExtraFile] = ()) -> Path:
    """CSV files (UTF-8 with BOM, so Excel reads accents) in a zip (``out`` ends in .zip)
    or in the folder ``out`` (made when missing; its parent must exist)."""
    out = Path(out)
    files = [(f"{t.name}.csv", "\ufeff" + _csv_text(t)) for t in tables] + [(e.name, e.text) for e in extra]
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in files:
                zf.writestr(name, text.encode("utf-8"))
    else:
        out.mkdir(exist_ok=True)
        for name, text in files:
            (out / name).write_text(text, encoding="utf-8")
    return out


def write_xlsx(tables: list[DataTable], out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.title[:31])
        ws.append(t.headers)
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in t.rows:
            ws.append([_xlsx_cell(_cell(v)) for v in row])
        ws.freeze_panes = "A2"
        if t.rows or t.headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.headers))}{len(t.rows) + 1}"
        for i, h in enumerate(t.headers, 1):
            width = max([len(str(h))] + [len(str(r[i - 1])) for r in t.rows[:200] if i - 1 < len(r)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    out = Path(out)
    wb.save(out)
    return out


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        # openpyxl refuses control characters; formulas are neutralised as in CSV
        value = "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
        return _safe_csv(value)
    return value
