import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_video_renditions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OfflineAction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("action_id", models.UUIDField(verbose_name="action id")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("video_progress", "video progress"),
                            ("knowledge_check", "knowledge check answer"),
                            ("lesson_complete", "lesson marked done"),
                            ("quiz_submit", "quiz submitted"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="received"
                    ),
                ),
                ("result", models.JSONField(default=dict, verbose_name="result")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offline_actions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "offline action",
                "verbose_name_plural": "offline actions",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "action_id"), name="one_offline_action_per_id"
                    )
                ],
            },
        ),
    ]
