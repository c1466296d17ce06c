"""Each certificate's position in the published status lists (W3C Bitstring Status List v1.0).

Existing certificates get their positions here, drawn at random like new ones (never in issue
order), so the lists cover every certificate from the first day.
"""

import secrets

from django.db import migrations, models

# As certification.certificates.status_list.LIST_SIZE: the list length the spec asks at least.
LIST_SIZE = 131_072


def allocate_indexes(apps, schema_editor):
    Certificate = apps.get_model("certification", "Certificate")
    pks = list(Certificate.objects.filter(status_index=None).values_list("pk", flat=True))
    taken = set(
        Certificate.objects.exclude(status_index=None).values_list("status_index", flat=True)
    )
    free = [index for index in range(LIST_SIZE) if index not in taken]
    chosen = secrets.SystemRandom().sample(free, len(pks))
    for pk, index in zip(pks, chosen, strict=True):
        Certificate.objects.filter(pk=pk).update(status_index=index)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0009_record_book"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.RunPython(allocate_indexes, migrations.RunPython.noop),
    ]
