"""Faculty's data (live.records) as files: a zip of CSV tables, one XLSX workbook, one JSON
document. Every format holds the same tables and columns (docs/data-export.md)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font

from exports.tables import csv_bytes


class _Table(Protocol):
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]: ...


class _Records(Protocol):
    scope: dict[str, Any]
    tables: dict[str, Any]


def csv_zip(records: _Records, schema: str) -> bytes:
    """One CSV per table (UTF-8, formula-like cells kept as text), and a README of the scope."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(records, schema))
        for name, table in records.tables.items():
            archive.writestr(f"{name}.csv", csv_bytes(table.columns, table.rows))
    return out.getvalue()


def xlsx(records: _Records, schema: str) -> bytes:
    """One workbook, a sheet per table; dates and times as dates (times in UTC), numbers as
    numbers, and text that a spreadsheet would run as a formula kept as text."""
    book = Workbook()
    about = book.active
    about.title = "about"
    for line in _readme(records, schema).splitlines():
        about.append([line])
    for name, table in records.tables.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=True):
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: UTC, written without its offset
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def json_document(records: _Records, schema: str, exported_at: datetime) -> bytes:
    """Everything as one JSON document: {schema, exported_at, scope, tables: {name: [row, ...]}}."""
    document = {
        "schema": schema,
        "exported_at": exported_at.isoformat(),
        "scope": records.scope,
        "tables": {name: table.records() for name, table in records.tables.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=_json_value).encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _readme(records: _Records, schema: str) -> str:
    collaborative = records.scope.get("collaborative", {})
    lines = [
        f"Data of {collaborative.get('title', '')} ({schema}); tables and columns: docs/data-export.md.",
        "Times are UTC. No tokens, password hashes or team codes are included.",
        "Tables: " + ", ".join(f"{name} ({len(t.rows)} rows)" for name, t in records.tables.items()),
    ]
    return "\n".join(lines) + "\n"
