from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    Participant = apps.get_model("peer", "Participant")
    org = Subquery(Participant.objects.filter(pk=OuterRef("participant_id")).values("organisation_id")[:1])
    for name in ("Encounter", "Referral"):
        apps.get_model("peer", name).objects.filter(organisation__isnull=True).update(organisation_id=org)
    Assessment = apps.get_model("peer", "Assessment")
    latest = Subquery(
        Assessment.objects.filter(participant_id=OuterRef("pk"))
        .values("participant_id")
        .annotate(m=Max("taken_on"))
        .values("m")[:1]
    )
    Participant.objects.update(last_barc_on=latest)


class Migration(migrations.Migration):
    dependencies = [("peer", "0003_reporting_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
