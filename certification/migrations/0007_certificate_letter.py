import django.db.models.deletion
from django.db import migrations, models


def link_letters(apps, schema_editor):
    """Letters' certificates named their letter only in source_key ("letter:<letter>:<user>")."""
    Certificate = apps.get_model("certification", "Certificate")
    AppreciationLetter = apps.get_model("certification", "AppreciationLetter")
    letter_ids = set(AppreciationLetter.objects.values_list("pk", flat=True))
    for certificate in Certificate.objects.filter(kind="letter", letter__isnull=True).only(
        "pk", "source_key"
    ):
        parts = certificate.source_key.split(":")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) in letter_ids:
            Certificate.objects.filter(pk=certificate.pk).update(letter_id=int(parts[1]))


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0006_statistics_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="letter",
            field=models.ForeignKey(
                blank=True,
                help_text="The letter this certificate was sent with; its holder is the recipient.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.appreciationletter",
                verbose_name="letter of appreciation",
            ),
        ),
        migrations.RunPython(link_letters, migrations.RunPython.noop),
    ]
