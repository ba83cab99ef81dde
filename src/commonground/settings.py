"""Django settings for Common Ground. Every setting comes from the environment; see README."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from commonground import tzdb  # noqa: F401 - first: every process reads the newest tz database (tzdb.py)
from commonground.env import database_from_url, env_bool, env_float, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
# Runtime files (the default SQLite database, collected static files) live under ./var.
VAR_DIR = Path(env_str("COMMONGROUND_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
# SECRET_KEY from the environment, else from the key file `scripts/run` makes on first run
# (VAR_DIR/secret_key), else a built-in key that is only for tests and local tinkering: with
# DEBUG off the server refuses to start with it (see web.checks), and `check --deploy` flags it.
BUILTIN_SECRET_KEY = "insecure-local-only-" + "commonground-dev-key-change-me-0123456789abcdef"
SECRET_KEY_FILE = Path(env_str("SECRET_KEY_FILE", str(VAR_DIR / "secret_key")))
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    SECRET_KEY = BUILTIN_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "commonground.catalog",
    "commonground.meetings",
    "commonground.feeds",
    "commonground.treatment",
    "commonground.search",
    "commonground.fit",
    "commonground.api",
    "commonground.web",
    "commonground.journal",
    "commonground.peer",
    "commonground.phone",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "corsheaders",
]

MIDDLEWARE = [
    # Outermost, so they also see the answers other middleware gives (a bad Host, a long URL).
    "commonground.web.privacy.PrivateNoStoreMiddleware",  # no-store on every private answer
    "commonground.api.middleware.ApiErrorShapeMiddleware",
    "commonground.web.middleware.SecurityHeadersMiddleware",
    "commonground.api.middleware.ApiGzipMiddleware",
    "commonground.web.middleware.PublicPageGzipMiddleware",  # public HTML only, never a page with a secret
    "commonground.web.middleware.FaviconMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "commonground.journal.middleware.CompanionSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses sign-in floods before any passphrase is hashed (journal/throttle.py).
    "commonground.journal.throttle.SignInThrottleMiddleware",
    # Throttles and locks out repeated failed sign-ins to the admin (django-axes); last, as it asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonground.web.context.site",
                "commonground.peer.context.staff_nav",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'commonground.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL, base_dir=Path.cwd())}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# Read replicas (PostgreSQL, past one machine): web workers read public finder data from them;
# writes and private data stay on the primary (commonground/replicas.py, docs/deploy.md).
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_n}"] = {**database_from_url(_url, base_dir=Path.cwd()), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["commonground.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "commonground.journal.backends.RecoveryCodeBackend",
    "commonground.journal.backends.PasskeyBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)  # failed sign-ins before a lock-out
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # one person from one place; others unaffected
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False  # the lock-out needs only the attempts, which expire; no log kept forever
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # record failures (for the lock-out), not every successful sign-in
AXES_HANDLER = "commonground.journal.backends.AxesHandler"  # stores no form data: no passphrase in the database
AXES_USERNAME_CALLABLE = "commonground.journal.backends.axes_username"  # any case of a name is one name
# Reverse proxies in front of the app, each appending to X-Forwarded-For (journal/throttle.py reads it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("COMMONGROUND_HTTPS", False) else 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "commonground.journal.throttle.client_address"
# Sign-in POSTs allowed per client address, and in total, per web worker, before any hashing ("count/period").
SIGN_IN_RATE_PER_ADDRESS = env_str("SIGN_IN_RATE_PER_ADDRESS", "5/m")
SIGN_IN_RATE_TOTAL = env_str("SIGN_IN_RATE_TOTAL", "10/10s")
for _rate in (SIGN_IN_RATE_PER_ADDRESS, SIGN_IN_RATE_TOTAL):
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", _rate):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"A sign-in rate is a count per period, like 10/m or 10/10s, not {_rate!r}.")

# Argon2id for every passphrase (argon2-cffi); older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# The companion (journal): sessions end after this long without a request ("sign out
# everywhere" ends them all at once); its private data is encrypted with COMPANION_KEYS
# (comma-separated, newest first) or the keys in COMPANION_KEY_FILE (see private/crypto.py).
COMPANION_IDLE_MINUTES = env_int("COMPANION_IDLE_MINUTES", 60, minimum=1)
SESSION_COOKIE_AGE = COMPANION_IDLE_MINUTES * 60
# An idle timeout, not a fixed one: the companion's middleware saves a signed-in session again (and
# so moves its expiry) at most once a minute, instead of writing it on every request.
SESSION_REFRESH_SECONDS = 60
COMPANION_KEYS = env_str("COMPANION_KEYS", "")
COMPANION_KEY_FILE = env_str("COMPANION_KEY_FILE", str(VAR_DIR / "companion_keys"))
# The peer workspace's audit trail (peer/audit.py): HMAC keys in AUDIT_KEYS (comma-separated, newest first)
# or AUDIT_KEY_FILE; a signed checkpoint of its head every AUDIT_CHECKPOINT_EVERY records, appended to
# AUDIT_CHECKPOINT_FILE (default: audit/checkpoints.jsonl among the database's files, see runtime.py).
AUDIT_KEYS = env_str("AUDIT_KEYS", "")
AUDIT_KEY_FILE = env_str("AUDIT_KEY_FILE", str(VAR_DIR / "audit_keys"))
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", "")
AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 100, minimum=1)
# Phone and text (phone/, docs/phone.md): the Twilio auth token that signs every webhook; the public
# URL Twilio calls when a proxy stands in front (scheme, host and any prefix); the key of the numbers'
# keyed hash (PHONE_HASH_KEY, else a key in PHONE_HASH_KEY_FILE, made with DEBUG on); the rate limits.
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
PHONE_PUBLIC_URL = env_str("PHONE_PUBLIC_URL", "")
PHONE_HASH_KEY = env_str("PHONE_HASH_KEY", "")
PHONE_HASH_KEY_FILE = env_str("PHONE_HASH_KEY_FILE", str(VAR_DIR / "phone_hash_key"))
PHONE_RATE_PER_NUMBER = env_str("PHONE_RATE_PER_NUMBER", "12/h")
PHONE_RATE_PER_SOURCE = env_str("PHONE_RATE_PER_SOURCE", "600/m")
LOGIN_URL = "/me/signin"

LANGUAGE_CODE = "en"
# The country whose help lines a page shows when it cannot tell the person's country (it then says so,
# and links to a directory of the world's helplines): the deployment's home country.
HELP_COUNTRY = env_str("HELP_COUNTRY", "US").upper()

LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Tests and `serve` before collectstatic still find files straight from the apps.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "commonground"}}

# Other meeting finders read our feed, API and BMLT interface from their own pages (no cookies).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api|feeds|bmlt)/"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
CORS_ALLOW_HEADERS = ("accept", "content-type", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified")
CORS_PREFLIGHT_MAX_AGE = 86400

# Security. HTTPS-only settings switch on with COMMONGROUND_HTTPS=1 behind a TLS proxy.
HTTPS = env_bool("COMMONGROUND_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_AGE = None  # a session-length cookie: no year-long trace of a sign-in page on a shared phone

# Map tiles for the optional map view ("" for none: the markers still show).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# The fit finder's pages (issue: fit finder) switch on the "Which group fits me?" links.
FIT_FINDER = True

# Feeds: limits for fetching remote sources.
# Bodies are spooled to disk and parsed as a stream, so the limit guards the disk, not memory.
FEED_MAX_BYTES = env_int("FEED_MAX_BYTES", 1024 * 1024 * 1024, minimum=1024)
FEED_TIMEOUT_SECONDS = env_int("FEED_TIMEOUT_SECONDS", 30, minimum=1)  # of silence
FEED_DEADLINE_SECONDS = env_int("FEED_DEADLINE_SECONDS", 600, minimum=1)  # for a whole body, however it trickles
# Who we are to the servers we read (feeds.polite): the deployment's public address and a contact
# (an email or a page) their operators can write to. A scheduled sync refuses to run without one.
FEED_SITE_URL = env_str("FEED_SITE_URL", "")
FEED_CONTACT = env_str("FEED_CONTACT", "")
# One request at a time per host, and this pause between two to the same host.
FEED_HOST_PAUSE_SECONDS = env_float("FEED_HOST_PAUSE_SECONDS", 1.0, minimum=0.0)
# One source's whole sync (every page of it) must be fetched within this.
SYNC_SOURCE_DEADLINE_SECONDS = env_int("SYNC_SOURCE_DEADLINE_SECONDS", 1800, minimum=1)
# `sync --scheduled`: a source is synced at most this often, and after failures less often
# (doubling up to SYNC_MAX_BACKOFF_HOURS); a server's Retry-After is honoured.
SYNC_MIN_INTERVAL_MINUTES = env_int("SYNC_MIN_INTERVAL_MINUTES", 240, minimum=1)
SYNC_MAX_BACKOFF_HOURS = env_int("SYNC_MAX_BACKOFF_HOURS", 48, minimum=1)
# How many sources `sync` reads at once (their fetching overlaps; on SQLite writing takes turns).
SYNC_JOBS = env_int("SYNC_JOBS", 4, minimum=1)
# Feeds are only fetched from public addresses; tests and private networks may allow the rest.
FEED_ALLOW_PRIVATE_ADDRESSES = env_bool("FEED_ALLOW_PRIVATE_ADDRESSES", False)
# Our BMLT API: an answer without page_size holds at most this many meetings (whole lists are files).
BMLT_UNPAGED_LIMIT = env_int("BMLT_UNPAGED_LIMIT", 10_000, minimum=1)
# A whole BMLT server is read in pages sorted by id ("id", BMLT_PAGE_SIZE a page), one service body
# at a time ("service-body", for a server whose paging is broken), or in one answer ("none").
BMLT_PAGE_BY = env_str("BMLT_PAGE_BY", "id")
if BMLT_PAGE_BY not in ("id", "service-body", "none"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"BMLT_PAGE_BY must be id, service-body or none, not {BMLT_PAGE_BY!r}.")
BMLT_PAGE_SIZE = env_int("BMLT_PAGE_SIZE", 1000, minimum=10)
# FindTreatment.gov's export is read this many facilities a page (its pageSize).
TREATMENT_PAGE_SIZE = env_int("TREATMENT_PAGE_SIZE", 2000, minimum=10)
# A source that has failed to sync is flagged on its meetings after this many hours, and its
# meetings leave search and the feed after this many days (the Meeting Guide app's policy).
SOURCE_WARN_HOURS = env_int("SOURCE_WARN_HOURS", 72, minimum=1)
SOURCE_DISCONNECT_DAYS = env_int("SOURCE_DISCONNECT_DAYS", 14, minimum=1)
# A sync that would remove more than this share of a source's meetings is refused (--allow-removals).
SYNC_MAX_REMOVAL_SHARE = env_float("SYNC_MAX_REMOVAL_SHARE", 0.5, minimum=0.0, maximum=1.0)

# "inline": the search index and the published feed are built by the process that changed the
# data, or on first use (the CLI, tests). "background": web workers never build them inside a
# request; a separate `commonground publish` process does (`serve` sets this for its workers).
PUBLISH_MODE = env_str("PUBLISH_MODE", "inline")
if PUBLISH_MODE not in ("inline", "background"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"PUBLISH_MODE={PUBLISH_MODE!r} must be inline or background.")
# `commonground import` syncs in a forked child and publishes after it has exited, so the
# sync's memory is returned before publishing starts (feeds/importing.py).
IMPORT_IN_A_CHILD = env_bool("IMPORT_IN_A_CHILD", True)
# An index's orderings assume each zone's UTC offsets for a year after its build; rebuild sooner.
SEARCH_INDEX_MAX_AGE_SECONDS = 30 * 86400
# From this many meetings up, the index build reads the table with one process per core (up to 4).
SEARCH_BUILD_PARALLEL_ROWS = env_int("SEARCH_BUILD_PARALLEL_ROWS", 200_000, minimum=0)
# A sync normalises a feed's rows in forked workers (0: one per core, up to 4; 1: none) once the
# feed has more than IMPORT_PARALLEL_ROWS rows (feeds/parallel.py).
IMPORT_WORKERS = env_int("IMPORT_WORKERS", 0, minimum=0)
IMPORT_PARALLEL_ROWS = env_int("IMPORT_PARALLEL_ROWS", 5000, minimum=0)
# From this many meetings up, the published feed is written by one forked process per core (up to 4).
PUBLISH_PARALLEL_ROWS = env_int("PUBLISH_PARALLEL_ROWS", 50_000, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
