# Wellbriety and Millati Islami (issue 26): spiritual_content gains "indigenous" and "islamic", so
# that a program grounded in Islam or in Native teachings is never read as "religious" (which the
# fit finder's rules treat as Christ-centred).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_stances_and_status"),
    ]

    operations = [
        migrations.AlterField(
            model_name="program",
            name="spiritual_content",
            field=models.CharField(
                choices=[
                    ("none", "None"),
                    ("non-theistic", "Secular, with some spiritual language (no Higher Power)"),
                    ("spiritual", "Spiritual"),
                    ("religious", "Religious"),
                    ("indigenous", "Grounded in Native American and Indigenous spiritual teachings"),
                    ("islamic", "Grounded in Islam"),
                    ("unknown", "Unknown"),
                ],
                max_length=16,
            ),
        ),
    ]
