import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_offline_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="coursepage",
            name="refresher_course",
            field=models.ForeignKey(
                blank=True,
                help_text="The course holders take to renew this certificate before it expires.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="courses.coursepage",
                verbose_name="Refresher course",
            ),
        ),
    ]
