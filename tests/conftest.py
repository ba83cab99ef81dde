import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests read static files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def program(db):
    from commonground.catalog.models import Program

    return Program.objects.get(code="aa")


@pytest.fixture
def source(db):
    from commonground.meetings.models import Source

    return Source.objects.create(name="Test intergroup", format="meeting-guide")


@pytest.fixture
def make_meeting(db, program, source):
    from commonground.meetings.models import Meeting

    counter = iter(range(1, 10**6))

    def make(**fields):
        n = next(counter)
        values = {"program": program, "source": source, "key": f"m{n}", "slug": f"m{n}", "name": f"Meeting {n}",
                  "timezone": "America/New_York", "formatted_address": "1 Main St, Albany, NY 12207, USA"}
        values.update(fields)
        return Meeting.objects.create(**values)

    return make
