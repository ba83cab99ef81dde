"""Item 9: admin sign-ins are throttled and locked out; the built-in secret key is refused."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from commonground.web.checks import refuse_builtin_key


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("admin", password="correct horse battery staple")


def sign_in(client, password, username="admin", ip="203.0.113.5"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.slow
@pytest.mark.django_db
def test_item09_repeated_failures_lock_the_account_out(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with an error
    assert sign_in(client, "wrong").status_code == 429  # the last allowed failure locks the account
    locked = sign_in(client, "correct horse battery staple")
    assert locked.status_code == 429, "even the right password is refused during the lock-out"
    assert "_auth_user_id" not in client.session
    # Someone else, elsewhere, is not locked out by it.
    User.objects.create_superuser("other", password="another long passphrase")
    assert sign_in(client, "another long passphrase", username="other", ip="198.51.100.7").status_code == 302


def test_item09_the_server_refuses_the_builtin_key_without_debug(settings):
    settings.SECRET_KEY, settings.DEBUG = settings.BUILTIN_SECRET_KEY, False
    with pytest.raises(ImproperlyConfigured, match="built-in"):
        refuse_builtin_key()
    settings.DEBUG = True
    refuse_builtin_key()  # allowed for local tinkering
    settings.DEBUG, settings.SECRET_KEY = False, "a-long-random-value-" + "k" * 40
    refuse_builtin_key()


def test_item09_check_deploy_flags_the_builtin_key(settings):
    settings.SECRET_KEY = settings.BUILTIN_SECRET_KEY
    with pytest.raises(SystemCheckError, match="commonground.E001"):
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.slow
def test_item09_the_key_file_is_read(tmp_path, monkeypatch):
    import subprocess
    import sys

    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file-" + "z" * 40 + "\n")
    code = "import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY)"
    env = {
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
        "SECRET_KEY_FILE": str(key_file),
        "COMMONGROUND_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "from-the-file-" + "z" * 40


def test_item09_scripts_run_makes_a_key_once(tmp_path):
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "run").read_text()
    assert "secret_key" in script and "token_urlsafe" in script and "umask 077" in script
