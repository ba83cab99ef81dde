import pytest


@pytest.fixture(scope="module")
def fit_demo_data(django_db_setup, django_db_blocker):
    """The demo meetings (6,000, a fixed seed), loaded once for a module's rankings."""
    from commonground.meetings.demo import load_demo
    from commonground.meetings.models import Meeting, Source
    from commonground.search import engine

    with django_db_blocker.unblock():
        engine.reset()
        load_demo(6000, seed=11)
        yield
        Meeting.objects.all().delete()
        Source.objects.all().delete()
        engine.reset()
