from django.db import migrations

from certification.reference import ensure_branches_and_skills, ensure_level_rules


def create(apps, schema_editor):
    Direction = apps.get_model("certification", "Direction")
    Skill = apps.get_model("certification", "Skill")
    ensure_branches_and_skills(apps.get_model("certification", "Branch"), Skill, Direction)
    ensure_level_rules(
        apps.get_model("certification", "Level"),
        apps.get_model("certification", "LevelRequirement"),
        Direction,
        Skill,
    )


class Migration(migrations.Migration):
    dependencies = [("certification", "0004_branches_progression_activity")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
