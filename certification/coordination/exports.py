"""Coordinators' downloads: the volunteers list and each statistics table, as CSV or XLSX
(through Komek's one export path, lms/exports.py)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exports import spreadsheet


def volunteers(rows, file_format):
    """The volunteers list as the filters left it, one row per volunteer."""
    headings = [
        _("Last name"),
        _("First name"),
        _("Patronymic"),
        _("Email"),
        _("Phone"),
        _("Branch"),
        _("Level"),
        _("At this level since"),
        _("Directions"),
        _("Confirmed hours"),
        _("Joined"),
    ]
    data = (
        [
            volunteer.user.last_name,
            volunteer.user.first_name,
            volunteer.user.patronymic,
            volunteer.user.email,
            volunteer.user.phone,
            volunteer.branch.name,
            volunteer.level.name,
            timezone.localdate(volunteer.level_since),
            ", ".join(direction.name for direction in volunteer.directions.all()),
            volunteer.confirmed_hours,
            timezone.localdate(volunteer.joined_at),
        ]
        for volunteer in rows.iterator(chunk_size=2000)
    )
    filename = f"volunteers-{timezone.localdate():%Y-%m-%d}"
    return spreadsheet(file_format, filename=filename, headings=headings, rows=data)


def statistics_table(table, result, file_format):
    """One table of the statistics page, named after it and its period."""
    return spreadsheet(
        file_format,
        filename=f"statistics-{table.key}-{result.start:%Y%m%d}-{result.end:%Y%m%d}",
        headings=table.headings,
        rows=table.rows,
    )
