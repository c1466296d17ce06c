"""Komek's one spreadsheet export path: CSV (UTF-8 with BOM, for Excel) or XLSX downloads, every
cell made safe to open.

Spreadsheet programs run a cell that starts like a formula (= + - @, tab or carriage return), so
such text gets a leading apostrophe (OWASP, "CSV Injection"); numbers and phone numbers such as
"+7 701 …" stay as they are. Coordination's exports call `spreadsheet`; the Wagtail admin's
listings use `SafeSpreadsheetExport`, which escapes Wagtail's CSV cells the same way (its XLSX
cells are already stored as text).
"""

import csv
import datetime
import io
import re
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMATS = ("csv", "xlsx")
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"^[+\-]?[\d\s().\-]+$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    if FORMULA_START.match(value) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def cell(value):
    """A value as a spreadsheet cell: local naive times, whole hours as integers, safe text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        # Sums of hours come back as 6.0 from PostgreSQL and 6 from SQLite: export the same.
        return int(value) if value == value.to_integral_value() else value.normalize()
    if isinstance(value, int | float | datetime.date):
        return value
    return safe_text(str(value))


class _Echo:
    """A file whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def spreadsheet(file_format, *, filename, headings, rows):
    """A CSV or XLSX download of `headings` and `rows` (an iterable of sequences)."""
    if file_format == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow([safe_text(str(heading)) for heading in headings])
            for row in rows:
                yield writer.writerow([cell(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([safe_text(str(heading)) for heading in headings])
        for row in rows:
            sheet.append([cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{file_format}"
    )
    return response


class SafeSpreadsheetExport:
    """For Wagtail admin views with SpreadsheetExportMixin: every exported text cell made safe."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        # Wagtail already stores formula-like XLSX cells as text; CSV has no such thing.
        if export_format == "csv" and isinstance(value, str):
            return safe_text(value)
        return value
