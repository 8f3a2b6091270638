"""The commitments as a table: one set of columns for the CSV and XLSX exports (and the imports
that read them back), written row by row so that 100,000 commitments take constant memory.

Spreadsheet formula injection: a text cell that starts with "=", "+", "-", "@", a tab or a
carriage return is neutralised with a leading apostrophe (OWASP's advice), in both formats, so a
title like "=HYPERLINK(...)" is shown as text and never run."""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert; everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    heading: str
    key: str  # in a row of reports.selectors.export_rows
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("Reference", "reference", 18),
    Column("Title", "title", 48),
    Column("Action area", "area", 28),
    Column("Status", "status", 14),
    Column("Progress (%)", "progress", 12),
    Column("Priority", "priority", 10),
    Column("Due date", "due_date", 12),
    Column("Agreed at meeting", "meeting", 10),
    Column("Lead agencies", "lead_agencies", 30),
    Column("Owner", "owner", 14),
    Column("Last activity", "last_activity_on", 12),
    Column("Description", "description", 48),
    Column("Agreed words", "source_excerpt", 48),
    Column("Where in the source", "source_locator", 14),
)
HEADINGS = [column.heading for column in COLUMNS]


KEYS = [column.key for column in COLUMNS]


def rows(records: Iterable[dict]) -> Iterator[list]:
    for record in records:
        yield [neutralise(record[key]) for key in KEYS]


class _Echo:
    def write(self, value: str) -> str:
        return value


# Rows sent together: a chunk per row made a write (and a chunk header) per row on the socket.
ROWS_PER_CHUNK = 200


def csv_lines(records: Iterable[dict], *, title: str) -> Iterator[str]:
    """UTF-8 CSV (with a byte-order mark so that Excel reads non-Latin names), some lines at a
    time: a first line saying what this is, the headings, then one row per commitment. Dates
    are ISO 8601 (YYYY-MM-DD)."""
    writer = csv.writer(_Echo())
    chunk = ["\ufeff" + writer.writerow([neutralise(title)]), writer.writerow(HEADINGS)]
    for row in rows(records):
        chunk.append(writer.writerow(["" if value is None else _text(value) for value in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


DATE_FORMAT = "yyyy-mm-dd"


def xlsx_file(sheets: Iterable[tuple[str, str, Iterable]]):
    """An XLSX workbook in a temporary file (write-only mode: rows go to disk as they come, so
    memory stays flat), one sheet per (name, title line, rows). Dates are real dates.
    Returns the open file, at its start."""
    workbook = Workbook(write_only=True)
    for name, title, records in sheets:
        sheet = workbook.create_sheet(title=sheet_name(name))
        for i, column in enumerate(COLUMNS):
            sheet.column_dimensions[chr(ord("A") + i)].width = column.width
        sheet.freeze_panes = "A3"
        heading = WriteOnlyCell(sheet, value=neutralise(title))
        heading.font = Font(bold=True)
        sheet.append([heading])
        bold = []
        for text in HEADINGS:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows(records):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    if not workbook.worksheets:
        workbook.create_sheet("Commitments")
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to FileResponse, which closes it)
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        # openpyxl takes any string starting with "=" for a formula; neutralise() has already
        # prefixed those, and the data type is forced to text as well.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def sheet_name(name: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip()
    return (cleaned or "Sheet")[:31]
