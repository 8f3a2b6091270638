"""Importing commitments (and follow-ups) from a CSV or XLSX file in the export's columns.

Why our own module rather than django-import-export: every write must go through the domain's
services (references, edit entries with reasons, version checks, follow-ups that move status),
which import-export's model resources bypass; and coordinators import from the app, per group,
not only from the admin. The columns are `reports.tabular.COLUMNS` plus two optional ones for a
follow-up ("Follow-up note", "Follow-up date").

Two steps: `read_table` + `plan` check every row and say what each would do (the dry run,
nothing written); `apply` (reports.services.import_apply) checks again and writes every row in
one transaction, or nothing."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from commitments.models import Agency, Commitment, Priority, Status, WorkingGroup

from .tabular import FORMULA_STARTS, HEADINGS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FOLLOW_UP_NOTE = "Follow-up note"
FOLLOW_UP_DATE = "Follow-up date"
KNOWN = [*HEADINGS, FOLLOW_UP_NOTE, FOLLOW_UP_DATE]
REQUIRED = ["Reference", "Title", "Action area"]
IGNORED = {"Last activity"}  # computed by the tracker; exported for reading only


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class Table:
    headings: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line or row number in the file, cells by heading)


def read_table(name: str, data: bytes) -> Table:
    """The file's rows as text cells by heading. Its type is read from the content."""
    if len(data) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise FileRefused("This is not a CSV or Excel file (it looks binary).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from None
    lines = list(csv.reader(io.StringIO(text)))
    return _table([(i + 1, row) for i, row in enumerate(lines)])


def _read_xlsx(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > 20 * MAX_BYTES:
            raise FileRefused("The workbook unpacks to more than 100 MB: it is not accepted.")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRefused("This is not an Excel workbook (.xlsx) we can read.") from None
    sheet = book.worksheets[0]
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            if cell.data_type == "f":
                raise FileRefused(
                    f"Row {number}, column {cell.column_letter}: a formula. Type the value "
                    "itself (formulas are not imported)."
                )
            values.append(cell.value)
        rows.append((number, values))
        if number > MAX_ROWS + 5:
            break
    book.close()
    return _table(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(raw: list[tuple[int, list]]) -> Table:
    # The headings row: the first of the first five rows that names the required columns (the
    # export puts a line saying what it is above it).
    for position, (_, values) in enumerate(raw[:5]):
        cells = [_cell(v) for v in values]
        if all(h in cells for h in REQUIRED):
            headings, first_row = cells, position + 1
            break
    else:
        raise FileRefused(
            "No row of headings found: the file needs the columns "
            + ", ".join(REQUIRED)
            + " (download an export to start from)."
        )
    while headings and not headings[-1]:
        headings.pop()
    unknown = [h for h in headings if h and h not in KNOWN]
    if unknown:
        raise FileRefused(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"The columns we read: {', '.join(KNOWN)}."
        )
    doubled = sorted({h for h in headings if h and headings.count(h) > 1})
    if doubled:
        raise FileRefused(
            f"Column{'s' if len(doubled) > 1 else ''} named twice: {', '.join(doubled)}."
        )
    rows = []
    for number, values in raw[first_row:]:
        cells = {
            h: _cell(values[i]) if i < len(values) else "" for i, h in enumerate(headings) if h
        }
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise FileRefused("The file has headings but no rows.")
    if len(rows) > MAX_ROWS:
        raise FileRefused(f"At most {MAX_ROWS} rows per file; split it.")
    return Table(headings=[h for h in headings if h], rows=rows)


# --------------------------------------------------------------------------- planning


@dataclass
class RowPlan:
    number: int
    reference: str
    action: str = ""  # create, update, unchanged
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    create: dict = field(default_factory=dict)
    update: dict = field(default_factory=dict)
    lead_agencies: list | None = None
    follow_up: dict | None = None
    commitment: Commitment | None = None
    version: int | None = None


@dataclass
class Plan:
    rows: list[RowPlan]

    @property
    def ok(self) -> bool:
        return not any(row.errors for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "errors": 0}
        for row in self.rows:
            counts["errors" if row.errors else row.action] += 1
        return counts


_LABELS = {label.lower(): value for value, label in Status.choices} | {v: v for v in Status.values}
_PRIORITIES = {label.lower(): value for value, label in Priority.choices} | {
    v: v for v in Priority.values
}
_LEAD = re.compile(r"^\s*(?P<acronym>[^()]+?)\s*(?:\((?P<party>[A-Za-z]+)\))?\s*$")


def _unformula(value: str) -> tuple[str, str | None]:
    """A cell's text with our export's neutralising apostrophe removed; an error for a cell
    that a spreadsheet would run as a formula."""
    if value.startswith("'") and value[1:2] and value[1:2] in "=+-@\t\r":
        return value[1:], None
    if value.startswith(tuple(c for c in FORMULA_STARTS if c != "-")):
        return (
            value,
            "starts like a formula (=, +, @): put an apostrophe before it to keep it as text",
        )
    return value, None


def plan(*, group: WorkingGroup, table: Table, versions: dict[str, int] | None = None) -> Plan:
    """What each row would do, and every problem of every row. `versions` (reference ->
    version at the dry run) makes a row whose commitment changed since then an error."""
    areas = {}
    for area in group.action_areas.all():
        areas[area.name.lower()] = area
        areas[area.code.lower()] = area
    meetings = {str(m.number): m for m in group.meetings.all()}
    agencies = list(Agency.objects.filter(party__working_groups=group).select_related("party"))
    members = {
        u.username.lower(): u
        for u in get_user_model().objects.filter(memberships__working_group=group, is_active=True)
    }
    references = [cells.get("Reference", "") for _, cells in table.rows]
    existing = {
        c.reference: c
        for c in Commitment.objects.in_group(group)
        .filter(reference__in=[r for r in references if r])
        .select_related("action_area", "meeting", "owner")
        .prefetch_related("lead_agencies")
    }
    plans = []
    seen: set[str] = set()
    for number, raw in table.rows:
        cells = {}
        row = RowPlan(number=number, reference=raw.get("Reference", ""))
        for heading, value in raw.items():
            value, problem = _unformula(value)
            if problem:
                row.errors.append(f"{heading}: {problem}.")
            cells[heading] = value
        ref = cells.get("Reference", "")
        if ref:
            if ref in seen:
                row.errors.append(f"Reference: {ref} is in the file twice.")
            seen.add(ref)
        current = existing.get(ref) if ref else None
        if ref and current is None:
            row.errors.append(f"Reference: {ref} is not a commitment of {group.short_name}.")
        fields, follow_up = _fields(row, cells, areas, meetings, agencies, members, current)
        if current is None and not ref:
            for needed, label in (("title", "Title"), ("action_area", "Action area"),
                                  ("meeting", "Agreed at meeting")):  # fmt: skip
                already = any(e.startswith(f"{label}:") for e in row.errors)
                if needed not in fields and not already:
                    row.errors.append(f"{label}: needed for a new commitment.")
            row.action = "create"
            row.create = {k: v for k, v in fields.items() if k != "lead_agencies"}
            row.lead_agencies = fields.get("lead_agencies", [])
        elif current is not None:
            row.commitment = current
            row.version = current.version
            if versions and versions.get(ref) not in (None, current.version):
                row.errors.append(
                    f"Reference: {ref} was changed in the tracker after your dry run. Check it "
                    "and run the dry run again."
                )
            row.update = {k: v for k, v in fields.items() if k != "lead_agencies"}
            row.lead_agencies = fields.get("lead_agencies")
            row.changes = _changes(current, fields)
            if follow_up:
                moves = _moves(current, follow_up)
                if not follow_up["note"]:
                    if moves:
                        row.errors.append(
                            f"{FOLLOW_UP_NOTE}: a change of {' and '.join(moves)} needs a note "
                            "saying what happened."
                        )
                    follow_up = None
                else:
                    row.changes += [
                        f"a follow-up{' moving ' + ' and '.join(moves) if moves else ''}"
                    ]
            row.action = "update" if row.changes else "unchanged"
        row.follow_up = follow_up
        plans.append(row)
    return Plan(rows=plans)


def _fields(row, cells, areas, meetings, agencies, members, current) -> tuple[dict, dict | None]:
    fields: dict = {}
    if cells.get("Title"):
        fields["title"] = cells["Title"]
    if cells.get("Action area"):
        area = areas.get(cells["Action area"].lower())
        if area is None:
            row.errors.append(
                f"Action area: “{cells['Action area']}” is not an area of this group."
            )
        else:
            fields["action_area"] = area
    if cells.get("Agreed at meeting"):
        meeting = meetings.get(cells["Agreed at meeting"])
        if meeting is None:
            row.errors.append(
                f"Agreed at meeting: this group has no meeting {cells['Agreed at meeting']}."
            )
        elif current is None:
            fields["meeting"] = meeting
    for key, name in (("Description", "description"), ("Agreed words", "source_excerpt"),
                      ("Where in the source", "source_locator")):  # fmt: skip
        if key in cells:
            fields[name] = cells[key]
    if cells.get("Priority"):
        value = _PRIORITIES.get(cells["Priority"].lower())
        if value is None:
            row.errors.append(f"Priority: “{cells['Priority']}” is not one of High, Medium, Low.")
        else:
            fields["priority"] = value
    if "Due date" in cells:
        fields["due_date"] = _date(row, "Due date", cells["Due date"])
    if cells.get("Owner"):
        owner = members.get(cells["Owner"].lower())
        if owner is None:
            row.errors.append(f"Owner: {cells['Owner']} is not a member of this group.")
        else:
            fields["owner"] = owner
    elif "Owner" in cells:
        fields["owner"] = None
    if "Lead agencies" in cells:
        leads = []
        for part in filter(None, (p.strip() for p in cells["Lead agencies"].split(";"))):
            match = _LEAD.match(part)
            found = [
                a for a in agencies
                if match and a.acronym.lower() == match["acronym"].lower()
                and (not match["party"] or a.party.code.lower() == match["party"].lower())
            ]  # fmt: skip
            if len(found) != 1:
                row.errors.append(
                    f"Lead agencies: “{part}” is not an agency of this group's parties."
                )
            else:
                leads.append(found[0])
        fields["lead_agencies"] = leads
    follow_up = None
    status = progress = None
    if cells.get("Status"):
        status = _LABELS.get(cells["Status"].lower())
        if status is None:
            row.errors.append(f"Status: “{cells['Status']}” is not a status we know.")
    if cells.get("Progress (%)"):
        text = cells["Progress (%)"]
        if not (text.isascii() and text.isdigit()) or int(text) > 100:
            row.errors.append(f"Progress (%): “{text}” is not a whole number from 0 to 100.")
        else:
            progress = int(text)
    note = cells.get(FOLLOW_UP_NOTE, "")
    occurred = _date(row, FOLLOW_UP_DATE, cells.get(FOLLOW_UP_DATE, ""))
    if note or status is not None or progress is not None:
        follow_up = {"note": note, "status": status, "progress": progress, "occurred_on": occurred}
    if current is None and follow_up and not note:
        follow_up = None  # a new commitment starts not started: its status comes with a note
        if status not in (None, Status.NOT_STARTED) or progress not in (None, 0):
            row.errors.append(
                f"{FOLLOW_UP_NOTE}: a new commitment that has already moved needs a note saying what happened."
            )
    return fields, follow_up


def _date(row, heading: str, text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        row.errors.append(f"{heading}: “{text}” is not a date as YYYY-MM-DD.")
        return None


def _changes(current: Commitment, fields: dict) -> list[str]:
    """What the row changes, before and after, in words: the dry run shows it."""
    changes = []
    for name, value in fields.items():
        if name == "lead_agencies":
            before = {a.pk for a in current.lead_agencies.all()}
            if {a.pk for a in value} != before:
                changes.append(
                    f"lead agencies: {_shown(list(current.lead_agencies.all()))} → {_shown(value)}"
                )
        elif name != "meeting" and getattr(current, name) != value:
            label = Commitment._meta.get_field(name).verbose_name
            changes.append(f"{label}: {_shown(getattr(current, name))} → {_shown(value)}")
    return changes


def _shown(value) -> str:
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(a.acronym for a in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "get_username"):
        return value.get_username()
    text = str(value)
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


def _moves(current: Commitment, follow_up: dict) -> list[str]:
    moves = []
    if follow_up["status"] and follow_up["status"] != current.status:
        moves.append(f"status to {Status(follow_up['status']).label}")
    if follow_up["progress"] is not None and follow_up["progress"] != current.progress:
        moves.append(f"progress to {follow_up['progress']}%")
    return moves


def describe(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name.replace('_', ' ').capitalize()}: {' '.join(messages)}"
            if name != "__all__"
            else " ".join(messages)
            for name, messages in error.message_dict.items()
        ]
    return list(error.messages)
