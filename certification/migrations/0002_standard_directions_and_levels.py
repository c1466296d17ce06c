from django.db import migrations

from certification.reference import ensure_reference_data


def create(apps, schema_editor):
    ensure_reference_data(apps.get_model("certification", "Direction"), apps.get_model("certification", "Level"))


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_directions_and_levels")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
