"""Confirm in bulk's file: UTF-8 CSV text, its header and rows, and the limits (rows, bytes)."""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

#: The most data rows a file may hold (its largest size is ``settings.UPLOAD_MAX_BYTES``).
MAX_ROWS = 100_000


def too_large_message() -> str:
    """The one message for a file over ``settings.UPLOAD_MAX_BYTES`` ("… larger than 30 MB.")."""
    return _("The file is larger than %(size)s MB.") % {
        "size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    }


#: Header spellings accepted for each column (compared lowercased, without spaces, _ or -).
HEADERS = {
    "domain": {"domain", "customerdomain", "domainprefix"},
    "tenant_id": {"tenantid", "customertenantid", "customerid", "microsoftid"},
    "company_name": {"companyname", "company", "customer", "customername"},
    "first_name": {"firstname"},
    "last_name": {"lastname"},
    "email": {"email", "emailaddress"},
    "phone": {"phone", "phonenumber"},
    "date_agreed": {"dateagreed", "agreementacceptancedate", "date"},
}
REQUIRED_COLUMNS = ["first_name", "last_name", "email", "date_agreed"]


class BulkFileError(ValueError):
    """The file can't be read as a bulk confirmation file; ``str(exc)`` says why."""


@dataclass(slots=True)
class BulkRow:
    """One data row of the file; ``number`` is its line number (the header is 1)."""

    number: int
    domain: str = ""
    tenant_id: str = ""
    company_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    date_agreed: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        """The customer as the file names it."""
        return self.domain or self.tenant_id or self.company_name


def _normalise(header: str) -> str:
    return "".join(c for c in header.strip().lower() if c.isalnum())


def bulk_text(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8, with or without a BOM. Raises BulkFileError."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise BulkFileError(too_large_message())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkFileError(
            _("The file isn't UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from exc


def bulk_rows(text: str) -> list[BulkRow]:
    """Read a bulk file: ``,`` or ``;`` separated (whichever the header uses), a header
    row naming the columns (``HEADERS``), at most MAX_ROWS data rows; blank lines are
    skipped. Returns the rows; a row with the wrong number of cells carries a
    ``problem``. Raises BulkFileError for a file that can't be read at all."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise BulkFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise BulkFileError(_("The file isn't a CSV file.")) from exc
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, spellings in HEADERS.items():
            if _normalise(name) in spellings and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing or ("domain" not in columns and "tenant_id" not in columns):
        raise BulkFileError(
            _(
                "The first row must name the columns: domain or tenant_id, first_name, "
                "last_name, email, date_agreed (phone and company_name are optional). "
                "Download the template to start from one."
            )
        )
    rows: list[BulkRow] = []
    number = 1
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise BulkFileError(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            row = BulkRow(number=number)
            for column, index in columns.items():
                if index < len(cells):
                    # A leading ' is the formula-safe quote of our own exports.
                    setattr(row, column, cells[index].strip().removeprefix("'"))
            if len(cells) != len(header):
                row.problem = _("This row has %(cells)s cells; the header has %(columns)s.") % {
                    "cells": len(cells),
                    "columns": len(header),
                }
            rows.append(row)
    except csv.Error as exc:
        raise BulkFileError(
            _("Line %(line)s can't be read: %(error)s") % {"line": number + 1, "error": exc}
        ) from exc
    if not rows:
        raise BulkFileError(_("The file has no rows below its header."))
    return rows
