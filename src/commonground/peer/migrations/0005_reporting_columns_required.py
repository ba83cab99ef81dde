import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from the backfill: PostgreSQL will not alter a table with row changes still pending."""

    dependencies = [("peer", "0004_reporting_columns_backfill")]

    operations = [
        migrations.AlterField(
            model_name="encounter",
            name="organisation",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="peer.organisation"
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="organisation",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="peer.organisation"
            ),
        ),
    ]
