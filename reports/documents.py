"""The briefing pack as an editable Word document (python-docx: real headings, real tables, so
officials can edit it) and as an XLSX workbook (a summary sheet, then a sheet per area)."""

from __future__ import annotations

import io
import tempfile

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.parser import OxmlElement
from docx.shared import Inches, Pt
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .pack import Pack
from .tabular import DATE_FORMAT, neutralise, sheet_name

PACK_HEADINGS = ["Reference", "Title", "Status", "Status at the last snapshot", "Progress (%)",
                 "Due date", "Lead agencies", "Needs attention", "Follow-ups since"]  # fmt: skip


def _leads(item) -> str:
    return "; ".join(f"{a.acronym} ({a.party.code})" for a in item.leads)


def _when(pack: Pack) -> str:
    if pack.meeting:
        m = pack.meeting
        return f"Meeting {m.number}, {m.start_date:%-d %B %Y}" + (
            f", {m.location}" if m.location else ""
        )
    return "The state of the record now"


_NOT_TEXT = frozenset("\t\r\n")  # what python-docx writes as other than text


class _Writer:
    """Adds paragraphs, headings and page breaks at the end of a Word document like
    python-docx's `Document` does, with the same XML, in constant time each.

    python-docx looks a paragraph's style up by name through every style, and finds the end of
    the body by scanning all its children, so each paragraph costs more than the last. Here each
    style is looked up once, each paragraph goes straight before the section properties, and
    text without tabs or line breaks is written whole."""

    def __init__(self, document):
        self.document = document
        self._body = document.element.body
        self._end = self._body.sectPr  # found once: finding it scans the body
        self._style_ids: dict[str, str | None] = {}

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        p = OxmlElement("w:p")
        if self._end is None:
            self._body.append(p)
        else:
            self._end.addprevious(p)
        paragraph = Paragraph(p, self.document)
        if text and _NOT_TEXT.isdisjoint(text):  # python-docx's add_run(text), without its
            p.add_r().add_t(text)  # walk through every character for tabs and line breaks
        elif text:
            paragraph.add_run(text)
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.document.part.get_style_id(
                    style, WD_STYLE_TYPE.PARAGRAPH
                )
            p.style = self._style_ids[style]
        return paragraph

    def add_heading(self, text: str = "", level: int = 1) -> Paragraph:
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_page_break(self) -> Paragraph:
        paragraph = self.add_paragraph()
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        return paragraph

    def add_table(self, rows: int, cols: int):
        return self.document.add_table(rows=rows, cols=cols)


def _table(document, headings: list[str], rows: list[list], *, first: float) -> None:
    """A real Word table: bold headings, a wide first column (inches), a dash for no value."""
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = False
    rest = (6.3 - first) / (len(headings) - 1)
    widths = [Inches(first)] + [Inches(rest)] * (len(headings) - 1)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice and Word read
    for cell, text, width in zip(table.rows[0].cells, headings, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        for cell, value, width in zip(table.add_row().cells, values, widths, strict=True):
            cell.width = width
            cell.text = "–" if value in (None, "") else str(value)


def _figure(compliance) -> str:
    if not compliance or not compliance.count:
        return "–"
    return f"{compliance.percent}% (average {compliance.average:+}, {compliance.count})"


def _compliance_rows(detail) -> list[list]:
    rows = [
        ["All areas", *[_figure(side.overall) + _moved(side.movement) for side in detail.sides]]
    ]
    for record in detail.areas:
        row = [record.area.name]
        for side in detail.sides:
            found = [
                (now, move) for area, now, _, move in side.per_area if area.pk == record.area.pk
            ]
            row.append(_figure(found[0][0]) + _moved(found[0][1]) if found else "–")
        rows.append(row)
    return rows


def _moved(movement) -> str:
    return f", {movement:+} points" if movement is not None else ""


def _compliance_docx(document, pack: Pack) -> None:
    document.add_heading("Compliance of each side", level=1)
    detail = pack.compliance
    if detail is None:
        document.add_paragraph("No compliance review has been closed yet.")
        return
    document.add_paragraph(
        f"At the review for meeting {detail.review.meeting.number}. Average of the confirmed "
        "scores (-1, 0, +1); the percentage is (average + 1) / 2 x 100."
    )
    _table(document, ["Action area", *[side.party.name for side in detail.sides]],
           _compliance_rows(detail), first=2.0)  # fmt: skip


def _change_words(change) -> str:
    words = []
    for kind in change.kinds:
        if kind == "new":
            words.append("new")
        elif kind in ("status", "completed", "withdrawn"):
            before, after = change.status_labels
            words.append(f"{before} -> {after}")
        elif kind == "progress":
            words.append(f"progress {change.before.progress}% -> {change.after.progress}%")
        elif kind == "due":
            words.append(
                f"due date {change.before.due_date or 'none'} -> {change.after.due_date or 'none'}"
            )
        elif kind == "overdue":
            words.append("newly overdue")
        elif kind == "inactive":
            words.append("newly inactive")
    return "; ".join(dict.fromkeys(words))


def _changes_docx(document, pack: Pack) -> None:
    if pack.changes is None:
        document.add_heading("What changed", level=1)
        document.add_paragraph("No snapshot yet to compare with.")
        return
    document.add_heading(f"What changed since {pack.snapshot.taken_at:%-d %B %Y}", level=1)
    if not pack.changes.changes:
        document.add_paragraph("Nothing changed.")
    for group in pack.changes.by_area:
        document.add_heading(group.name, level=2)
        for change in group.changes:
            document.add_paragraph(
                f"{change.after.reference} {change.after.title}: {_change_words(change)}",
                style="List Bullet",
            )


def docx_bytes(pack: Pack) -> bytes:
    word = Document()
    document = _Writer(word)
    styles = word.styles
    styles["Normal"].font.size = Pt(10.5)
    section = word.sections[0]
    section.header.paragraphs[
        0
    ].text = f"{pack.classification} · {pack.group.short_name} · {pack.today:%-d %B %Y}"
    section.footer.paragraphs[0].text = pack.classification

    classification = document.add_paragraph(pack.classification.upper())
    classification.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(pack.title, level=0)
    document.add_paragraph(pack.group.name)
    document.add_paragraph(_when(pack))
    document.add_paragraph(
        f"Prepared {pack.today:%-d %B %Y}. Follow-ups since {pack.since:%-d %B %Y}"
        + (f" (the end of meeting {pack.previous.number})." if pack.previous else ".")
    )
    if pack.part_line:
        document.add_paragraph(pack.part_line)

    document.add_heading("Summary", level=1)
    _table(
        document,
        ["Action area", "Commitments", "Overdue", "Inactive", "Completed", "Withdrawn"],
        [[s.area.name, s.total, s.counts["overdue"], s.counts["inactive"], s.counts["completed"],
          s.counts["withdrawn"]] for s in pack.areas],
        first=2.4,
    )  # fmt: skip

    if pack.part == 1:
        _compliance_docx(document, pack)
        _changes_docx(document, pack)

    for s in pack.sections:
        document.add_page_break()
        document.add_heading(f"{s.area.name} (continued)" if s.continued else s.area.name, 1)
        if not s.items:
            document.add_paragraph("No commitments in this area.")
        for item in s.items:
            c = item.commitment
            document.add_heading(f"{c.reference} {c.title}", level=2)
            facts = [f"Status: {c.get_status_display()} ({c.progress}%)"]
            if item.status_then:
                facts.append(f"at the last snapshot: {item.status_then}")
            if c.due_date:
                facts.append(f"due {c.due_date:%-d %B %Y}")
            if item.attention_label:
                facts.append(item.attention_label.upper())
            leads = _leads(item)
            if leads:
                facts.append(f"led by {leads}")
            document.add_paragraph("; ".join(facts) + ".")
            for entry in item.follow_ups:
                text = f"{entry.occurred_on:%-d %b %Y}: {entry.note or 'edited'}"
                document.add_paragraph(text, style="List Bullet")
        if s.indicators:
            document.add_heading("Indicators", level=2)
            _table(
                document,
                ["Indicator", "Baseline", "Target", "Latest", "As of"],
                [[f"{i.name} ({i.unit})", i.baseline, i.target, i.latest_value,
                  i.latest_period_end] for i in s.indicators],
                first=2.8,
            )  # fmt: skip
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def xlsx_file(pack: Pack):
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(sheet, values, font=None):
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if font:
                cell.font = font
            if hasattr(value, "isoformat") and value is not None:
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str):
                cell.data_type = "s"
            row.append(cell)
        return row

    summary = workbook.create_sheet("Summary")
    summary.append(cells(summary, [pack.classification], bold))
    summary.append(cells(summary, [pack.title]))
    summary.append(
        cells(summary, [f"{pack.group.name}. {_when(pack)}. Prepared {pack.today.isoformat()}."])
    )
    if pack.part_line:
        summary.append(cells(summary, [pack.part_line]))
    summary.append([])
    summary.append(cells(summary, ["Action area", "Commitments", "Overdue", "Inactive", "Open",
                                   "Completed", "Withdrawn"], bold))  # fmt: skip
    for s in pack.areas:
        summary.append(cells(summary, [s.area.name, s.total, s.counts["overdue"],
                                       s.counts["inactive"], s.counts["open"],
                                       s.counts["completed"], s.counts["withdrawn"]]))  # fmt: skip
    if pack.compliance is not None:
        sheet = workbook.create_sheet("Compliance")
        detail = pack.compliance
        sheet.append(
            cells(
                sheet,
                [f"Compliance at the review for meeting {detail.review.meeting.number}"],
                bold,
            )
        )
        sheet.append(
            cells(sheet, ["Action area", *[side.party.name for side in detail.sides]], bold)
        )
        for row in _compliance_rows(detail):
            sheet.append(cells(sheet, row))
    if pack.changes is not None:
        sheet = workbook.create_sheet("What changed")
        sheet.append(cells(sheet, [f"What changed since {pack.snapshot.taken_at:%-d %B %Y}"], bold))
        sheet.append(cells(sheet, ["Action area", "Reference", "Title", "Change"], bold))
        for group in pack.changes.by_area:
            for change in group.changes:
                sheet.append(cells(sheet, [group.name, change.after.reference, change.after.title,
                                           _change_words(change)]))  # fmt: skip
    for s in pack.sections:
        sheet = workbook.create_sheet(sheet_name(s.area.name))
        continued = " (continued)" if s.continued else ""
        sheet.append(cells(sheet, [f"{pack.classification}: {s.area.name}{continued}"], bold))
        sheet.append(cells(sheet, PACK_HEADINGS, bold))
        for item in s.items:
            c = item.commitment
            sheet.append(cells(sheet, [c.reference, c.title, c.get_status_display(),
                                       item.status_then, c.progress, c.due_date, _leads(item),
                                       item.attention_label, len(item.follow_ups)]))  # fmt: skip
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to FileResponse, which closes it)
    workbook.save(out)
    out.seek(0)
    return out
