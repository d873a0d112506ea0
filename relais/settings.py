"""Relais settings, read from environment variables (12-factor).

Configuration fails closed: the development defaults (DEBUG, development keys, an SQLite file under var/)
apply only when ``DJANGO_ENV=development`` is set, as ``make run`` does; pytest runs the suite in its own
"test" environment. Anything else, unset included, is production: Relais refuses to start without its
secrets, or with secrets too weak to be real. See docs/deploy.md.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from relais.secrets import field_encryption_key_problem, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RELAIS_VAR_DIR", BASE_DIR / "var"))

DEVELOPMENT_HINT = "Sur un poste de développement, lancez Relais avec DJANGO_ENV=development (make run le fait)."
_declared_env = os.environ.get("DJANGO_ENV")
if _declared_env == "development":
    ENV = "development"
elif "pytest" in sys.modules and _declared_env in {None, "", "test"}:
    ENV = "test"
else:
    ENV = "production"
PRODUCTION = ENV == "production"
DEVELOPMENT = ENV == "development"
TESTING = ENV == "test"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def required(name):
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} est obligatoire en production. {DEVELOPMENT_HINT}"
        )
    return value


def checked_secret(name, problem_of):
    """A required secret that is also long, random and well formed enough to be a real one."""
    value = required(name)
    problem = problem_of(value)
    if problem:
        # The value itself is never repeated: error output ends up in logs.
        raise ImproperlyConfigured(problem)
    return value


if PRODUCTION:
    SECRET_KEY = checked_secret("SECRET_KEY", secret_key_problem)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            f"La variable d'environnement ALLOWED_HOSTS est obligatoire en production. {DEVELOPMENT_HINT}"
        )
    DATABASE_URL = required("DATABASE_URL")
    # The key that encrypts NIR and other secrets at rest; distinct from SECRET_KEY so that
    # rotating one does not lose the other.
    FIELD_ENCRYPTION_KEY = checked_secret("FIELD_ENCRYPTION_KEY", field_encryption_key_problem)
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "relais-development-only-not-secret")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    if not DATABASE_URL:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        DATABASE_URL = f"sqlite:///{VAR_DIR / 'relais.sqlite3'}"
    FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "relais-development-field-key")
    # Development shows the French error pages a user sees; Django's debug pages only when a developer asks
    # for them (DEBUG=1).
    DEBUG = env_bool("DEBUG", default=False)

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", 60)))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # The mission's apps first: a newcomer reads entry, pathway and offer before what they stand on.
    "entry",
    "offer",
    "imports",
    "pathway",
    "people",
    "territory",
    "accounts",
    "audit",
    # Django and field libraries.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "widget_tweaks",
    "dsfr",
    "relais",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "relais.middleware.RejectNulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relais.middleware.NoStoreWhenSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.CurrentMembershipMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "audit.middleware.ActorMiddleware",
]

ROOT_URLCONF = "relais.urls"
WSGI_APPLICATION = "relais.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.current_membership",
                "csp.context_processors.nonce",
            ],
            "builtins": ["relais.templatetags.french"],
        },
    }
]
FORM_RENDERER = "relais.form_renderer.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2id (Django's parameters: 100 MiB, two passes, eight lanes) is the hash OWASP recommends first, and costs a
# sign-in about half the processor time of PBKDF2 at a million iterations (320 against 630 ms on a 2-core server),
# its lanes computed in parallel outside Python's lock: a burst of sign-ins at opening time holds a server process
# 200 ms each rather than 640. A password hashed by PBKDF2 (accounts made before) is hashed again by Argon2 at the
# next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
# The idle timeout is renewed by accounts.middleware.IdleTimeoutMiddleware at most once a minute, not by a
# session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
RELAIS_SESSION_REFRESH_SECONDS = 60
# Pages where much is typed (the diagnostic) warn this long before the idle timeout and offer to extend the session
# (at most half the idle timeout).
RELAIS_SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", 5 * 60))
# The youngest person the SPIE accompanies: missions locales take young people from 16 (Code du travail,
# art. L5314-2), the age at which compulsory schooling ends (Code de l'éducation, art. L131-1).
RELAIS_MINIMUM_AGE = int(os.environ.get("RELAIS_MINIMUM_AGE", 16))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "relais.views.csrf_failure"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
DSFR_USE_INTEGRITY_CHECKSUMS = True
DSFR_MARK_OPTIONAL_FIELDS = True

# Files received (imports, kept until their run ends): never served as static files.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# The largest list a partner may send (bytes): beyond, the upload and the command refuse it with a clear message.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 100 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: a database-backed queue, so that nothing needs a broker.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend"
        )
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <ne-pas-repondre@relais.test>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Security headers. Development keeps HTTP; production requires HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *env_list("OIDC_FORM_ACTION_ORIGINS")],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Relais itself --------------------------------------------------------------------------------
# The département this deployment serves (INSEE code). Essonne by default.
RELAIS_DEPARTEMENT = os.environ.get("RELAIS_DEPARTEMENT", "91")
# Demo mode: the demo consortium may be loaded and its logins printed. Never in production.
RELAIS_DEMO = not PRODUCTION and env_bool("RELAIS_DEMO", default=True)
# Second factor (TOTP) required for coordinators, structure admins and technical admins.
RELAIS_REQUIRE_2FA = env_bool("RELAIS_REQUIRE_2FA", default=PRODUCTION)
# Limites contre les essais de mots de passe (accounts/lockout.py). Chaque tentative est comptée avant
# que le mot de passe soit vérifié : des requêtes parallèles n'obtiennent pas plus d'essais.
# Un compte est bloqué après ce nombre de connexions échouées, pendant cette durée (en minutes).
RELAIS_LOGIN_MAX_FAILURES = int(os.environ.get("RELAIS_LOGIN_MAX_FAILURES", 5))
RELAIS_LOGIN_LOCKOUT = timedelta(minutes=int(os.environ.get("RELAIS_LOGIN_LOCKOUT_MINUTES", 15)))
# Une adresse IP est bloquée, pour tous les comptes, après ce nombre de connexions échouées sur la
# période (en minutes). Les connexions réussies ne comptent pas : un bureau derrière une seule adresse
# n'est pas bloqué par ses agents.
RELAIS_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("RELAIS_LOGIN_MAX_FAILURES_PER_IP", 30))
RELAIS_LOGIN_IP_WINDOW = timedelta(minutes=int(os.environ.get("RELAIS_LOGIN_IP_WINDOW_MINUTES", 15)))
# The public form where a partner asks to join Relais: so many requests per network and per period.
RELAIS_JOIN_REQUESTS_PER_IP = int(os.environ.get("RELAIS_JOIN_REQUESTS_PER_IP", 5))
RELAIS_JOIN_REQUEST_WINDOW = timedelta(hours=int(os.environ.get("RELAIS_JOIN_REQUEST_WINDOW_HOURS", 24)))
# Demandes de réinitialisation du mot de passe acceptées sur la période (en minutes), par adresse
# électronique (qu'un compte existe ou non) et par adresse IP.
RELAIS_PASSWORD_RESET_MAX_PER_EMAIL = int(os.environ.get("RELAIS_PASSWORD_RESET_MAX_PER_EMAIL", 3))
RELAIS_PASSWORD_RESET_MAX_PER_IP = int(os.environ.get("RELAIS_PASSWORD_RESET_MAX_PER_IP", 20))
RELAIS_PASSWORD_RESET_WINDOW = timedelta(minutes=int(os.environ.get("RELAIS_PASSWORD_RESET_WINDOW_MINUTES", 60)))
# Nombre de proxys de confiance devant Relais (répartiteur de charge, proxy HTTPS). L'adresse IP du
# client est celle que le plus extérieur d'entre eux a vue, lue dans X-Forwarded-For ; à 0, l'en-tête est
# ignoré (il est alors écrit par le client lui-même). Un en production, derrière un proxy ; 0 sinon.
RELAIS_TRUSTED_PROXIES = int(os.environ.get("RELAIS_TRUSTED_PROXIES", 1 if PRODUCTION else 0))
RELAIS_INVITATION_VALIDITY = timedelta(days=int(os.environ.get("RELAIS_INVITATION_DAYS", 7)))
# Appointments: the invitation link serves until the appointment, at most this many days; the daily reminder
# goes to appointments starting within the next hours given here (see docs/deploy.md).
RELAIS_APPOINTMENT_LINK_VALIDITY = timedelta(days=int(os.environ.get("RELAIS_APPOINTMENT_LINK_DAYS", 30)))
RELAIS_APPOINTMENT_REMINDER_AHEAD = timedelta(hours=int(os.environ.get("RELAIS_APPOINTMENT_REMINDER_HOURS", 48)))
# The offer: a referral unanswered this many days after it was sent expires, unless the service says otherwise;
# the receiving structure is reminded after the second number of days. A published service not confirmed for
# the given number of months is pointed out to its structure.
RELAIS_REFERRAL_RESPONSE_DAYS = int(os.environ.get("RELAIS_REFERRAL_RESPONSE_DAYS", 30))
RELAIS_REFERRAL_REMINDER_DAYS = int(os.environ.get("RELAIS_REFERRAL_REMINDER_DAYS", 10))
RELAIS_SERVICE_CONFIRMATION_MONTHS = int(os.environ.get("RELAIS_SERVICE_CONFIRMATION_MONTHS", 6))

# --- Carnet : notes et alertes de rupture -----------------------------------------------------------
# Une note peut être modifiée par son auteur pendant ce délai (en minutes) ; elle est ensuite figée et se
# corrige par une nouvelle note qui la cite.
RELAIS_NOTE_EDIT_WINDOW = timedelta(minutes=int(os.environ.get("RELAIS_NOTE_EDIT_MINUTES", 15)))
# Alerte « sans contact » : aucun contact individuel (rendez-vous honoré ou note de contact) depuis ce nombre de
# jours avec une personne accompagnée.
RELAIS_RUPTURE_NO_CONTACT_DAYS = int(os.environ.get("RELAIS_RUPTURE_NO_CONTACT_DAYS", 60))
# Alerte « rendez-vous manqués » : ce nombre de rendez-vous manqués de suite, sans rendez-vous honoré entre eux.
RELAIS_RUPTURE_MISSED_APPOINTMENTS = int(os.environ.get("RELAIS_RUPTURE_MISSED_APPOINTMENTS", 2))
# Une alerte close alors que sa situation dure revient après ce nombre de jours (jamais avant).
RELAIS_RUPTURE_REOPEN_DAYS = int(os.environ.get("RELAIS_RUPTURE_REOPEN_DAYS", 30))
# Heure (heure de Paris) du calcul quotidien des alertes par le processus de tâches de fond.
RELAIS_RUPTURE_DAILY_HOUR = int(os.environ.get("RELAIS_RUPTURE_DAILY_HOUR", 6))

# ProConnect (OpenID Connect). Off unless its endpoints are configured.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email given_name usual_name siret")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)
OIDC_CREATE_USER = False
LOGIN_REDIRECT_URL_FAILURE = "/connexion/"
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
AUTHENTICATION_BACKENDS.append("accounts.oidc.ProConnectBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request errors are logged without the request itself (no personal data in logs).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}
