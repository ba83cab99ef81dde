"""`commonground import` syncs in a forked child and publishes in its own process once the child
has exited (feeds/importing.py): the same report, the same errors, the data committed, and the
index and the feed published for the new version, by the parent and never by the child. On a
real database file, and on CI's PostgreSQL."""

import textwrap

import pytest

from tests.test_parallel_build import run_script

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import io, json, os, sys, django
    django.setup()
    from django.core.management import call_command
    from commonground.runtime import runtime_dir
    from commonground.meetings.models import DataVersion, Meeting
    from commonground.search import store
    from commonground.web import publishing

    call_command("migrate", verbosity=0)
    parent = os.getpid()
    import commonground.feeds.importing as importing

    real_sync, real_publish = importing.sync_one, publishing.publish_current

    def traced_sync(*args, **kwargs):
        assert os.getpid() != parent, "the sync ran in the importing process"
        return real_sync(*args, **kwargs)

    def traced_publish(*args, **kwargs):  # to a file: a child's memory is its own
        with open(os.environ["COMMONGROUND_VAR_DIR"] + "/published-by", "a") as log:
            log.write("parent\\n" if os.getpid() == parent else "child\\n")
        return real_publish(*args, **kwargs)

    importing.sync_one = traced_sync
    publishing.publish_current = traced_publish

    out = io.StringIO()
    call_command("import", sys.argv[1], "--program", "aa", "--json", stdout=out)
    report = json.loads(out.getvalue())
    version = DataVersion.current_with_time()
    index = store.load(version)
    feed = runtime_dir("published") / DataVersion.label(version)
    out = io.StringIO()
    try:
        call_command("import", sys.argv[1] + ".missing", "--program", "aa", "--json", stdout=out)
        error = None
    except SystemExit as exc:  # a failed sync exits 1 with its report
        error = [exc.code, json.loads(out.getvalue())["errors"]]
    def dies(*args, **kwargs):  # the child is killed mid-sync (out of memory, say)
        os._exit(9)

    importing.sync_one = dies
    out = io.StringIO()
    try:
        call_command("import", sys.argv[1], "--program", "aa", "--json", stdout=out)
    except SystemExit as exc:
        stopped = [exc.code, json.loads(out.getvalue())["errors"]]
    print(json.dumps({"stopped": stopped, "report": report, "meetings": Meeting.objects.count(), "published": open(os.environ["COMMONGROUND_VAR_DIR"] + "/published-by").read().split(),
                      "index": index.size if index else None, "feed": sorted(p.name for p in feed.iterdir()),
                      "error": error}))
""")


def test_a_child_syncs_and_the_parent_publishes(tmp_path, settings):
    feed = tmp_path / "feed.json"
    rows = [
        {
            "name": f"Group {n}",
            "slug": f"group-{n}",
            "day": n % 7,
            "time": "19:00",
            "timezone": "America/Chicago",
            "formatted_address": "100 Main St, Tulsa, OK 74103, USA",
            "types": ["O"],
        }
        for n in range(40)
    ]
    rows.append({"name": "No day", "slug": "bad", "day": "someday", "time": "19:00"})
    feed.write_text(__import__("json").dumps(rows))
    out = run_script(SCRIPT.replace("sys.argv[1]", repr(str(feed))), tmp_path, "cg_import_child_test", {})
    result = __import__("json").loads(out.strip().splitlines()[-1])
    assert result["report"]["added"] == 40 and result["report"]["skipped"] == 1, result["report"]
    assert result["report"]["warnings"][0]["row"] == 41
    assert result["meetings"] == 40
    assert result["published"] == ["parent"], "published once, by the parent, after the child"
    assert result["index"] == 40
    assert "meeting-guide.json" in result["feed"]
    code, errors = result["stopped"]
    assert (
        code == 2
        and errors[0]["code"] == "stopped"
        and "ended with code 9" in errors[0]["message"]
        and "Nothing of it was saved" in errors[0]["message"]
    )
    code, errors = result["error"]
    assert code == 1 and "There is no file at" in errors[0]["message"] and errors[0]["message"].endswith(".missing.")
