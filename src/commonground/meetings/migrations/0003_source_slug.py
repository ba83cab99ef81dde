from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Source = apps.get_model("meetings", "Source")
    taken = set()
    for source in Source.objects.order_by("id"):
        base = slugify(source.name)[:70] or "source"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        Source.objects.filter(pk=source.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_feed_digest_coordinates_source_leaner_indexes"),
    ]

    operations = [
        # No index at first: on PostgreSQL the unique index below would otherwise collide with the
        # "_like" index this one made.
        migrations.AddField(
            model_name="source", name="slug", field=models.SlugField(blank=True, max_length=80, db_index=False)
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="source", name="slug", field=models.SlugField(blank=True, max_length=80, unique=True)
        ),
    ]
