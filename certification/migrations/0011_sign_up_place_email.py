from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0010_credential_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="promoted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signup",
            name="place_emailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
