"""CSV import of contacts: the forgiving reader (bad input of every kind) and the dialog against the sandbox."""

from __future__ import annotations

import codecs

import pytest

from studio_desktop.people.csv_import import batches
from studio_desktop.people.csv_reading import read_contacts_csv
from studio_desktop.ui.people.contacts_panel import ContactsPanel

HEADER = "First Name,Last Name,E-mail Address,Phone,Company,Tags,Street,City,State,Zip,Country\r\n"


def test_columns_are_matched_loosely_and_rows_read():
    data = codecs.BOM_UTF8 + (
        HEADER
        + 'Ana,Lima,ana@example.com,555-0100,"Lima, Inc.","wedding,bride",1 Main St,Austin,TX,73301,US\r\n'
        + "\r\n"
        + "Ben,Okafor,ben@example.com,,,,,,,,\r\n"
    ).encode("utf-8")
    plan = read_contacts_csv(data)
    assert plan.problems == [] and plan.encoding == "utf-8"
    assert plan.columns["E-mail Address"] == "email" and plan.columns["Zip"] == "postal_code"
    assert [row.line for row in plan.rows] == [2, 4]
    ana = plan.rows[0].fields(brand_id=7)
    assert (ana.first_name, ana.email, ana.business_name, ana.tags) == (
        "Ana",
        "ana@example.com",
        "Lima, Inc.",
        ("wedding", "bride"),
    )
    assert ana.address.city == "Austin" and ana.address.country == "US"
    assert plan.rows[1].fields(7).address is None
    assert all(row.ok for row in plan.rows)


def test_malformed_rows_are_reported_with_their_line_and_never_crash():
    text = (
        "First Name,Last Name,Email,Notes\n"
        "Cara,Diaz,cara@example.com,fine\n"
        "Dev,Patel,,no email here\n"  # missing email
        "Eli,Moss,eli-at-example.com,typo\n"  # not an email
        "Fay,Ng,fay@example.com,has,two extra,values\n"  # extra columns
        "Gus,Ortiz,gus@example.com\n"  # short row: still fine
        ",Nameless,nameless@example.com,\n"  # no first name
        "Hal,Quinn,CARA@example.com,dup\n"  # same email as line 2
        'Ivy,Reyes,ivy@example.com,"a note\nover two lines"\n'  # quoted line break
        "Jo,Stone,jo@example.com,,\n"  # trailing empty cell: fine
    )
    plan = read_contacts_csv(text.encode("utf-8"))
    by_line = {row.line: row for row in plan.rows}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert by_line[2].ok and by_line[6].ok and by_line[9].ok and by_line[11].ok
    assert "No email address" in by_line[3].errors[0]
    assert "not an email address" in by_line[4].errors[0]
    assert "values but there are 4 columns" in by_line[5].errors[0]
    assert by_line[6].warnings and "missing ones are left empty" in by_line[6].warnings[0]
    assert "No first name" in by_line[7].errors[0]
    assert "line 2" in by_line[8].errors[0]
    assert by_line[9].values["notes"] == "a note\nover two lines"
    assert [row.line for row in plan.valid_rows] == [2, 6, 9, 11]


def test_windows_encoded_files_and_undecodable_lines():
    cp1252 = ("First Name,Last Name,Email\r\nJosé,Müller,jose@example.com\r\nZoë,Brontë,zoe@example.com\r\n").encode(
        "cp1252"
    )
    plan = read_contacts_csv(cp1252)
    assert plan.encoding == "cp1252" and plan.problems == []
    assert [row.display_name for row in plan.rows] == ["José Müller", "Zoë Brontë"]

    mixed = (
        b"First Name,Email\n"
        + "Ren\u00e9,rene@example.com\n".encode("utf-8")
        + b"Bad\x81\x8d,bad@example.com\n"
        + "Chlo\u00e9,chloe@example.com\n".encode("cp1252")
    )
    plan = read_contacts_csv(mixed)
    assert [row.display_name for row in plan.valid_rows] == ["René", "Chloé"]
    [bad] = plan.invalid_rows
    assert bad.line == 3 and "encoding" in bad.errors[0]
    assert any("unknown text encoding (line 3)" in problem for problem in plan.problems)

    utf16 = "First Name\tEmail\nMei\tmei@example.com\n".encode("utf-16")
    plan = read_contacts_csv(utf16)
    assert plan.delimiter == "\t" and [row.email for row in plan.rows] == ["mei@example.com"]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"Name,Phone\nAl,1\n", "No column holds email addresses"),
        (b"al@example.com,Al\nbo@example.com,Bo\n", "should name the columns"),
        (b"Email,Phone\nal@example.com,1\n", "No column holds first names"),
        (b"First Name,Email\n", "column names but no contacts"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    ],
)
def test_files_that_cannot_be_imported_say_why(data, expected):
    plan = read_contacts_csv(data)
    assert plan.valid_rows == []
    assert any(expected in problem for problem in plan.problems), plan.problems


def test_semicolons_and_a_single_name_column():
    plan = read_contacts_csv(b"Name;Email\nAnna Maria Rossi;anna@example.it\n")
    [row] = plan.rows
    assert plan.delimiter == ";" and row.values["first_name"] == "Anna" and row.values["last_name"] == "Maria Rossi"


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    plan = read_contacts_csv(tmp_path / "gone.csv")
    assert plan.rows == [] and "could not be read" in plan.problems[0]


def test_batches_hold_at_most_fifty():
    plan = read_contacts_csv(("First Name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(120))).encode())
    assert [len(batch) for batch in batches(plan.valid_rows)] == [50, 50, 20]
    assert [len(batch) for batch in batches(plan.valid_rows, 500)] == [50, 50, 20]


# --- the dialog, against the sandbox ----------------------------------------------------------


@pytest.fixture
def panel(qtbot, tasks, store, sp_client, sandbox):
    widget = ContactsPanel(tasks, store, sp_client, account=sandbox.shootproof_api_url)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget._load_task is None, timeout=10_000)
    return widget


def _table(dialog):
    table = dialog.table
    return {
        int(table.item(r, 0).text()): (table.item(r, 1).text(), table.item(r, 4).text())
        for r in range(table.rowCount())
    }


def test_import_in_two_batches_with_a_report_per_row(panel, qtbot, tmp_path, sandbox, run_async, sp_client, click):
    taken = panel.model.items[0].email
    lines = ["First Name,Last Name,Email,Tags"]
    lines += [f"Guest{i},Family{i},guest{i}@import.example,guest" for i in range(74)]
    lines += [
        f"Again,Taken,{taken},dup",  # refused by ShootProof: the email exists in the brand
        "No,Email,,x",  # skipped before sending
        "Extra,Cells,extra@import.example,a,b,c",
    ]  # skipped before sending
    path = tmp_path / "guests.csv"
    path.write_bytes(codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode("utf-8"))

    dialog = panel.open_import(str(path))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.existing is not None, timeout=10_000)
    assert dialog.isVisible()
    assert dialog.summary.text().startswith(
        "74 contacts ready to import. 1 contact already there (same email). 2 rows cannot be imported"
    )
    assert dialog.import_button.text() == "Import 74 Contacts"
    preview = _table(dialog)
    assert preview[2] == ("Ready", "") and preview[77][0] == "Skip" and "No email" in preview[77][1]
    assert preview[76][0] == "Already there" and "Matches" in preview[76][1]
    assert preview[78][0] == "Skip" and "columns" in preview[78][1]

    progress: list[int] = []
    dialog.progress.valueChanged.connect(progress.append)
    imported: list[list] = []
    dialog.imported.connect(imported.append)
    before = sandbox.studio.count_requests("sp.contact.bulk_create")
    click(dialog.import_button)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog._task is None, timeout=20_000)

    assert sandbox.studio.count_requests("sp.contact.bulk_create") - before == 2
    assert progress[-1] == 74 and 50 in progress
    report = _table(dialog)
    assert sum(status == "Created" for status, _ in report.values()) == 74
    assert report[76][0] == "Already there" and "Left as it was" in report[76][1]
    assert report[77][0] == "Skipped" and report[78][0] == "Skipped"
    assert dialog.summary.text().startswith(
        "Imported 74 contacts. 1 contact already there, left as they were. 2 rows skipped."
    )
    assert dialog.close_button.text() == "Close" and not dialog.import_button.isVisible()

    assert len(imported) == 1 and len(imported[0]) == 74
    assert panel.model.row_of(imported[0][0].id) >= 0, "imported contacts join the list"
    found = run_async(sp_client.contact_info(contact_email="guest73@import.example"))
    assert found[0].last_name == "Family73" and found[0].tags == ("guest",)


def test_import_dialog_survives_a_badly_encoded_file(panel, qtbot, tmp_path, sandbox):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"First Name,Email\nKai,kai@example.com\nLe\x81\x9d,le@example.com\n")
    dialog = panel.open_import(str(path))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    assert "unknown text encoding" in dialog.banner.text()
    assert _table(dialog)[3][0] == "Skip"
    assert dialog.import_button.text() == "Import 1 Contact"
    dialog.problems_only.setChecked(True)
    assert [dialog.table.isRowHidden(row) for row in range(dialog.table.rowCount())] == [True, False]

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    dialog.load_file(empty)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.rows == [], timeout=10_000)
    assert "empty" in dialog.banner.text() and not dialog.import_button.isEnabled()
    assert sandbox.studio.count_requests("sp.contact.bulk_create") == 0


def test_reimporting_a_file_skips_or_updates_the_contacts_already_there(
    panel, qtbot, tmp_path, sandbox, run_async, sp_client, click
):
    path = tmp_path / "family.csv"
    path.write_text(
        "First Name,Last Name,Email,Phone\nIvo,Stern,ivo@again.example,111\n"
        "Mila,Stern,mila@again.example,222\nNoor,Stern,noor@again.example,333\n",
        encoding="utf-8",
    )

    def run_import(*, update: bool = False):
        dialog = panel.open_import(str(path))
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.plan is not None and dialog.existing is not None, timeout=10_000)
        if update:
            dialog.existing_choice.setCurrentIndex(dialog.existing_choice.findData("update"))
        return dialog

    first = run_import()
    assert first.existing == {} and not first.existing_choice.isVisible()
    click(first.import_button)
    qtbot.waitUntil(lambda: first.report is not None and first._task is None, timeout=20_000)
    assert len(first.report.created) == 3
    first.close()

    path.write_text(
        path.read_text(encoding="utf-8").replace(",222", ",999") + "Aziz,Stern,aziz@again.example,\n", encoding="utf-8"
    )
    again = run_import()
    assert len(again.existing) == 3 and again.existing_choice.isVisible()
    assert [status for status, _ in _table(again).values()] == ["Already there"] * 3 + ["Ready"]
    assert again.summary.text().startswith("1 contact ready to import. 3 contacts already there (same email).")
    assert again.import_button.text() == "Import 1 Contact"
    before = sandbox.studio.count_requests("sp.contact.bulk_create")
    click(again.import_button)
    qtbot.waitUntil(lambda: again.report is not None and again._task is None, timeout=20_000)
    assert [status for status, _ in _table(again).values()] == ["Already there"] * 3 + ["Created"]
    assert not again.report.failed and sandbox.studio.count_requests("sp.contact.bulk_create") == before + 1
    assert "Failed" not in again.summary.text() and "failed" not in again.summary.text()
    again.close()

    updating = run_import(update=True)
    assert updating.import_button.text() == "Update 4 Contacts"
    click(updating.import_button)
    qtbot.waitUntil(lambda: updating.report is not None and updating._task is None, timeout=20_000)
    assert [status for status, _ in _table(updating).values()] == ["Updated"] * 4
    mila = run_async(sp_client.contact_info(contact_email="mila@again.example"))
    assert [contact.phone for contact in mila] == ["999"]
