"""Importing commitments from CSV/XLSX in the export's columns: a dry run that lists every row's
problems before anything is written, then all rows written through the services in one
transaction, or none; bad files get a clear message."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from commitments import services as domain
from commitments.models import Commitment, EntryKind, FollowUp
from reports import imports, services
from reports.models import ImportBatch
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(group, analyst):
    us, india = factories.lead_agencies()
    a = factories.commitment(group, title="Share precursor lists", lead_agencies=[us])
    b = factories.commitment(group, title="Train officers", lead_agencies=[india])
    return a, b


def exported(client, group) -> Workbook:
    response = client.get(url("reports:commitments_xlsx", group.slug))
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def xlsx_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, group, name: str, content: bytes):
    return client.post(url("reports:import", group.slug),
                       {"file": SimpleUploadedFile(name, content)})  # fmt: skip


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


HEAD = "Reference,Title,Action area,Agreed at meeting,Status,Progress (%),Due date,Lead agencies"


def test_it_round_trips_an_export_with_a_dry_run_first(client, coordinator, group, two):
    a, b = two
    client = signed_in(client, coordinator)
    book = exported(client, group)
    sheet = book["All"]
    headings = [c.value for c in sheet[2]]
    title_col = headings.index("Title") + 1
    for row in range(3, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == b.reference:
            sheet.cell(row=row, column=title_col, value="Train port officers")
    new = sheet.max_row + 1
    for heading, value in {"Title": "Publish a joint watch list", "Action area": "PC",
                           "Agreed at meeting": 1, "Lead agencies": "ONDCP (US); NCB (IN)",
                           "Priority": "High"}.items():  # fmt: skip
        sheet.cell(row=new, column=headings.index(heading) + 1, value=value)
    del book["Precursor chemicals"]
    response = upload(client, group, "edited.xlsx", xlsx_bytes(book))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    review = client.get(response["Location"]).content.decode()
    assert "Checked, nothing saved yet: 1 to add, 1 to update, 1 unchanged." in review
    assert Commitment.objects.count() == 2 and not FollowUp.objects.exists()  # nothing yet

    response = client.post(url("reports:import_review", group.slug, batch.pk))
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.title == "Train port officers" and b.version == 2
    edit = FollowUp.objects.get(commitment=b)
    assert edit.kind == EntryKind.EDIT and edit.note == "Imported from edited.xlsx."
    added = Commitment.objects.exclude(pk__in=[a.pk, b.pk]).get()
    assert added.title == "Publish a joint watch list" and added.priority == "high"
    assert sorted(x.acronym for x in added.lead_agencies.all()) == ["NCB", "ONDCP"]
    assert added.reference.startswith("DPEWG-1-PC-")
    # Applying it again writes nothing more.
    client.post(url("reports:import_review", group.slug, batch.pk))
    assert Commitment.objects.count() == 3 and FollowUp.objects.count() == 1


def test_it_lists_every_rows_problems_and_writes_nothing(
    client, coordinator, group, two, other_group
):
    a, b = two
    theirs = factories.commitment(other_group, title="Theirs")
    content = csv_bytes(
        HEAD,
        ",New one,Nowhere,1,,,,",
        ",Another,PC,9,,,2026-13-01,",
        f"{a.reference},{a.title},PC,,Completed,100,,",
        f"{b.reference},Fine,PC,,,٥٠,,",
        f"{theirs.reference},Theirs,PC,,,,,",
        f"{a.reference},Twice,PC,,,,,XYZ (US)",
        ",=HYPERLINK(1),PC,1,,,,",
    )
    client = signed_in(client, coordinator)
    response = client.get(upload(client, group, "bad.csv", content)["Location"])
    body = response.content.decode()
    assert "Nothing can be imported yet: 7 rows with problems." in body
    for message in [
        "Action area: “Nowhere” is not an area of this group.",
        "Agreed at meeting: this group has no meeting 9.",
        "Due date: “2026-13-01” is not a date as YYYY-MM-DD.",
        "Follow-up note: a change of status to Completed and progress to 100% needs a note",
        "Progress (%): “٥٠” is not a whole number from 0 to 100.",
        f"Reference: {theirs.reference} is not a commitment of DPEWG.",
        f"Reference: {a.reference} is in the file twice.",
        "Lead agencies: “XYZ (US)” is not an agency of this group",
        "Title: starts like a formula",
    ]:
        assert message in body, message
    assert "Import " not in body.split("<h1>")[1].split("</table>")[0].replace(
        "Import commitments", ""
    )
    response = client.post(url("reports:import_review", group.slug, ImportBatch.objects.get().pk))
    assert response.status_code == 409
    assert Commitment.objects.in_group(group).count() == 2 and not FollowUp.objects.exists()


def test_it_writes_all_rows_or_none_when_a_service_refuses_one(coordinator, group, two):
    a, _b = two
    table = imports.read_table("x.csv", csv_bytes(
        HEAD, f"{a.reference},Renamed,PC,,,,,", ",A new one,PC,1,,,,", ",{},PC,1,,,,".format("x" * 301)
    ))  # fmt: skip
    batch = services.import_batch_create(group=group, actor=coordinator, filename="x.csv",
                                         table=table)  # fmt: skip
    with pytest.raises(services.ImportRefused) as refused:
        services.import_apply(batch=batch, actor=coordinator)
    bad = [row for row in refused.value.plan.rows if row.errors]
    assert [row.number for row in bad] == [4]
    assert "300 characters" in bad[0].errors[0]
    a.refresh_from_db()
    assert a.title == "Share precursor lists" and a.version == 1
    assert Commitment.objects.count() == 2 and not FollowUp.objects.exists()
    assert ImportBatch.objects.get().applied_at is None


def test_it_refuses_a_row_changed_since_the_dry_run(coordinator, analyst, group, two):
    a, _ = two
    table = imports.read_table("x.csv", csv_bytes(HEAD, f"{a.reference},Renamed,PC,,,,,"))
    batch = services.import_batch_create(group=group, actor=coordinator, filename="x.csv",
                                         table=table)  # fmt: skip
    domain.follow_up_record(commitment=a, author=analyst, note="Meanwhile.", expected_version=1)
    with pytest.raises(services.ImportRefused) as refused:
        services.import_apply(batch=batch, actor=coordinator)
    assert "changed in the tracker after your dry run" in refused.value.plan.rows[0].errors[0]
    a.refresh_from_db()
    assert a.title == "Share precursor lists"


def test_it_records_a_follow_up_with_a_note_column(coordinator, group, two):
    a, _ = two
    table = imports.read_table("x.csv", csv_bytes(
        "Reference,Title,Action area,Status,Progress (%),Follow-up note,Follow-up date",
        f"{a.reference},{a.title},PC,In progress,30,Lists exchanged by e-mail,2026-11-20",
    ))  # fmt: skip
    batch = services.import_batch_create(group=group, actor=coordinator, filename="x.csv",
                                         table=table)  # fmt: skip
    services.import_apply(batch=batch, actor=coordinator)
    a.refresh_from_db()
    entry = FollowUp.objects.get(commitment=a)
    assert (a.status, a.progress) == ("in_progress", 30)
    assert entry.note == "Lists exchanged by e-mail" and str(entry.occurred_on) == "2026-11-20"


def _formula_book() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Reference", "Title", "Action area"])
    sheet.append(["", "=1+1", "PC"])
    return xlsx_bytes(book)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"   ", "The file is empty."),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)), "looks binary"),
        ("latin.csv", "Reference,Title,Action area\n,Caf\xe9,PC\n".encode("latin-1"), "not UTF-8"),
        ("cols.csv", b"Ref,Name\n1,2\n", "No row of headings found"),
        ("extra.csv", b"Reference,Title,Action area,Colour\n,a,PC,red\n", "Unknown column: Colour"),
        ("fake.xlsx", b"PK\x03\x04 not a zip at all", "not an Excel workbook"),
        ("formula.xlsx", None, "Row 2, column B: a formula"),
        ("big.csv", b"x" * (50 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_message(client, coordinator, group, two, name, content,
                                                   message):  # fmt: skip
    content = _formula_book() if content is None else content
    response = upload(signed_in(client, coordinator), group, name, content)
    body = response.content.decode()
    assert response.status_code == 200 and message in body, body[-3000:]
    assert 'id="id_file_error"' in body
    assert not ImportBatch.objects.exists()
