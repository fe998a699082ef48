"""Reading a CSV file of contacts for import into ShootProof (the import itself: :mod:`.csv_import`).

Files come from everywhere (Excel, Google Sheets, Lightroom, other CRMs,
Pixieset's own export), so reading is forgiving and nothing in a file can
crash it: each line is decoded as UTF-8 (a byte-order mark is fine) or else
as Windows-1252; a line that is neither is reported, not guessed at. The
delimiter (comma, semicolon or tab) is detected, column names are matched
loosely ("E-mail", "Email Address", "Zip"...), and every row that cannot be
imported says why, with its line number in the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from studio_desktop.api.models import Address
from studio_desktop.people.directory import EMAIL_RE, ContactFields, split_tags

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000

# Column name (lower case, letters and digits only) -> the contact field it fills.
_COLUMNS: dict[str, str] = {}
for _field, _names in {
    "first_name": ("first name", "firstname", "first", "given name", "forename"),
    "last_name": ("last name", "lastname", "last", "surname", "family name"),
    "name": ("name", "full name", "contact name", "client name"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "contact email"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "cell", "mobile phone"),
    "business_name": ("business name", "business", "company", "company name", "organization", "organisation"),
    "notes": ("notes", "note", "comments", "comment"),
    "third_party_id": ("third party id", "external id", "id"),
    "tags": ("tags", "tag", "labels", "groups"),
    "street_line_1": ("address", "address 1", "address line 1", "street", "street address", "address1"),
    "street_line_2": ("address 2", "address line 2", "address2", "apartment", "suite"),
    "city": ("city", "town"),
    "state_province": ("state", "province", "region", "state province", "state/province", "county"),
    "postal_code": ("zip", "zip code", "postal code", "postcode", "zip/postal", "zip postal", "postal"),
    "country": ("country", "country code"),
}.items():
    for _name in _names:
        _COLUMNS[re.sub(r"[^a-z0-9]", "", _name)] = _field

ADDRESS_FIELDS = ("street_line_1", "street_line_2", "city", "state_province", "postal_code", "country")
TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "business_name", "notes", "third_party_id")


def column_field(header: str) -> str | None:
    """The contact field a column fills, or None for columns the import does not use."""
    return _COLUMNS.get(re.sub(r"[^a-z0-9]", "", header.strip().lower()))


@dataclass
class CsvRow:
    """One data row: ``line`` is where it starts in the file (the header is line 1)."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def email(self) -> str:
        return self.values.get("email", "")

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.values.get("first_name"), self.values.get("last_name")) if part)
        return name or self.values.get("business_name") or self.email or f"Row on line {self.line}"

    def fields(self, brand_id: int) -> ContactFields:
        address = None
        if any(self.values.get(name) for name in ADDRESS_FIELDS):
            # Every ADDRESS_FIELDS name is one of Address's text fields.
            address = Address(**{name: self.values.get(name) or None for name in ADDRESS_FIELDS})  # type: ignore[arg-type]
        return ContactFields(
            brand_id=brand_id,
            first_name=self.values.get("first_name", ""),
            email=self.email,
            last_name=self.values.get("last_name", ""),
            phone=self.values.get("phone", ""),
            business_name=self.values.get("business_name", ""),
            notes=self.values.get("notes", ""),
            third_party_id=self.values.get("third_party_id", ""),
            tags=split_tags(self.values.get("tags", "")),
            address=address,
        ).cleaned()


@dataclass
class CsvImport:
    """What a file holds: the rows (good and bad), the columns used and ignored, file-level problems."""

    rows: list[CsvRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def valid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if not row.ok]


# --- decoding -----------------------------------------------------------------------------


def _decode_lines(data: bytes) -> tuple[str, list[int], str]:
    """The text, the (1-based) lines that could not be decoded, and the encoding that was used.

    UTF-16 files (Excel's "Unicode text") are recognised by their byte-order mark.
    Otherwise each line is UTF-8 or, failing that, Windows-1252 on its own, so
    one stray line from another program costs that line, not the whole file.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), [], "utf-16"
        except UnicodeDecodeError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), [], "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    texts: list[str] = []
    bad: list[int] = []
    used: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        for encoding in ("utf-8", "cp1252"):
            try:
                texts.append(raw.decode(encoding))
                if not raw.isascii():
                    used.add(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            bad.append(number)
            texts.append(raw.decode("cp1252", errors="replace"))
    encoding = "cp1252" if used == {"cp1252"} else "mixed" if len(used) > 1 else "utf-8"
    return "\n".join(texts), bad, encoding


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


# --- reading ------------------------------------------------------------------------------


def read_contacts_csv(source: str | Path | bytes) -> CsvImport:
    """Read a contacts CSV (a path or the file's bytes). Never raises for what is in the file."""
    result = CsvImport()
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                result.problems.append(
                    f"The file is {size / 1_048_576:.0f} MB; contact lists over "
                    f"{MAX_FILE_BYTES // 1_048_576} MB are not imported. Split it into smaller files."
                )
                return result
            data = path.read_bytes()
        except OSError as exc:
            result.problems.append(f"The file could not be read: {exc.strerror or type(exc).__name__}.")
            return result
    else:
        data = bytes(source)
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        result.problems.append("This is not a text file; save the list as CSV (comma-separated values) first.")
        return result

    text, bad_lines, result.encoding = _decode_lines(data)
    if bad_lines:
        shown = ", ".join(str(n) for n in bad_lines[:10]) + ("…" if len(bad_lines) > 10 else "")
        result.problems.append(
            f"{len(bad_lines)} line(s) use an unknown text encoding (line {shown}); those rows are skipped. "
            "Save the file as 'CSV UTF-8' to import them."
        )
    if not text.strip():
        result.problems.append("The file is empty.")
        return result
    result.delimiter = _sniff_delimiter(text)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter)
    try:
        header = next(reader)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader)
    except StopIteration:
        result.problems.append("The file is empty.")
        return result
    except csv.Error as exc:
        result.problems.append(f"The first line could not be read as CSV ({exc}).")
        return result

    positions: dict[int, str] = {}
    for index, title in enumerate(header):
        target = column_field(title)
        if target is None or target in positions.values():
            if title.strip():
                result.ignored_columns.append(title.strip())
            continue
        positions[index] = target
        result.columns[title.strip()] = target
    found = set(positions.values())
    if "email" not in found:
        if any(EMAIL_RE.match(cell.strip()) for cell in header):
            result.problems.append(
                "The first line should name the columns (First Name, Last Name, Email…), "
                "but it looks like a contact. Add a line of column names at the top."
            )
        else:
            result.problems.append(
                "No column holds email addresses: name one 'Email'. "
                f"Columns found: {', '.join(c.strip() for c in header if c.strip()) or 'none'}."
            )
        return result
    if "first_name" not in found and "name" not in found:
        result.problems.append("No column holds first names: name one 'First Name' (or 'Name').")
        return result

    seen_emails: dict[str, int] = {}
    width = len(header)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row = CsvRow(start, {})
            row.errors.append(f"This line could not be read as CSV ({exc}).")
            result.rows.append(row)
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(result.rows) >= MAX_ROWS:
            result.problems.append(f"Only the first {MAX_ROWS:,} contacts are read; split the file to import more.")
            break
        row = _row(start, cells, positions, width)
        if any(start <= number <= line for number in bad_lines):
            row.errors.insert(0, "This line is not in a known text encoding; save the file as 'CSV UTF-8'.")
        elif row.ok:
            key = row.email.casefold()
            if key in seen_emails:
                row.errors.append(f"The same email address is on line {seen_emails[key]} already.")
            else:
                seen_emails[key] = start
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append("The file has column names but no contacts.")
    return result


def _row(line: int, cells: list[str], positions: dict[int, str], width: int) -> CsvRow:
    values: dict[str, str] = {}
    for index, target in positions.items():
        if index < len(cells):
            values[target] = cells[index].strip()
    row = CsvRow(line, values)
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        row.errors.append(
            f"This row has {len(cells)} values but there are {width} columns; "
            "a value with a comma in it probably needs quotes. Nothing from this row was imported."
        )
        return row
    if len(cells) < width:
        row.warnings.append(f"This row has only {len(cells)} of {width} values; the missing ones are left empty.")
    full_name = values.pop("name", "")
    if full_name and not values.get("first_name"):
        first, _, last = full_name.partition(" ")
        values["first_name"] = first.strip()
        if not values.get("last_name"):
            values["last_name"] = last.strip()
    email = values.get("email", "")
    if not email:
        row.errors.append("No email address: ShootProof needs one for every contact.")
    elif not EMAIL_RE.match(email):
        row.errors.append(f"'{email}' is not an email address.")
    if not values.get("first_name"):
        row.errors.append("No first name: ShootProof needs one for every contact.")
    if any(values.get(name) for name in ADDRESS_FIELDS) and not values.get("country"):
        row.errors.append("An address needs a country.")
    return row
