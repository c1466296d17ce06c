import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def reminders_already_sent(apps, schema_editor):
    """The 30-day reminders sent before this migration count as sent: nobody gets a second one."""
    Certificate = apps.get_model("certification", "Certificate")
    ExpiryReminder = apps.get_model("certification", "ExpiryReminder")
    sent = Certificate.objects.filter(expiry_reminder_sent_at__isnull=False).values_list(
        "pk", "expiry_reminder_sent_at"
    )
    ExpiryReminder.objects.bulk_create(
        [
            ExpiryReminder(certificate_id=pk, days_before=30, sent_at=sent_at)
            for pk, sent_at in sent.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0011_sign_up_place_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpiryReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "days_before",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (60, "60 days before"),
                            (30, "30 days before"),
                            (7, "7 days before"),
                        ],
                        verbose_name="days before expiry",
                    ),
                ),
                (
                    "sent_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent"),
                ),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="expiry_reminders",
                        to="certification.certificate",
                        verbose_name="certificate",
                    ),
                ),
            ],
            options={
                "verbose_name": "expiry reminder",
                "verbose_name_plural": "expiry reminders",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("certificate", "days_before"),
                        name="one_expiry_reminder_per_threshold",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("days_before__in", [60, 30, 7])),
                        name="expiry_reminder_known_threshold",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Renewal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "renewed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="renewed"),
                ),
                (
                    "new",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="renews",
                        to="certification.certificate",
                        verbose_name="renewed by",
                    ),
                ),
                (
                    "old",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="renewal",
                        to="certification.certificate",
                        verbose_name="renewed certificate",
                    ),
                ),
            ],
            options={
                "verbose_name": "renewal",
                "verbose_name_plural": "renewals",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("old", models.F("new")), _negated=True),
                        name="renewal_not_by_itself",
                    ),
                ],
            },
        ),
        migrations.RunPython(reminders_already_sent, migrations.RunPython.noop),
    ]
