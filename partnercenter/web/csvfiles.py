"""CSV written for spreadsheets: formula-safe cells, streamed rows."""

import csv
import json
from collections.abc import Iterable

#: A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """``value`` as CSV cell text that no spreadsheet runs as a formula: a leading
    ``=``, ``+``, ``-``, ``@``, tab or carriage return gets an apostrophe before it."""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose ``write`` returns what was written (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_rows(header: Iterable, records: Iterable[Iterable]) -> Iterable[str]:
    """CSV text for streaming: a BOM (so Excel reads UTF-8) and ``header``, then one line
    per record, every cell ``csv_safe``. The activity log's and the agreements' exports
    use it."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([str(h) for h in header])
    for record in records:
        yield writer.writerow([csv_safe(value) for value in record])
