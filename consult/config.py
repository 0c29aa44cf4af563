"""Configuration: defaults, the instance folder, environment variables.

Every setting can be given as an environment variable ``CONSULT_<NAME>`` or in the
instance config file ``<instance>/consult.cfg`` (Python syntax, ``NAME = value``).
Environment variables win over the file. The README documents every setting.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """A setting is invalid. The message names the setting and fits on one line."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


#: All settings, with defaults and one-line documentation (also rendered in the README).
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None,
            "SQLAlchemy database URL. Default: SQLite file `consult.sqlite3` in the instance folder. "
            "Production: `postgresql+psycopg://user@host/dbname`."),
    Setting("SECRET_KEY", None,
            "Key that signs sessions and CSRF tokens. When absent, one is generated on first run "
            "and stored in `<instance>/secret_key` (mode 0600)."),
    Setting("INSTANCE_PATH", None,
            "Folder for the SQLite database, the generated secret key and `consult.cfg`. "
            "Default: `./instance` in the current directory."),
    Setting("REDIS_URL", "redis://127.0.0.1:6379/0",
            "Redis for background jobs (RQ). Without a reachable Redis, jobs run in-process."),
    Setting("MAX_UPLOAD_MB", 20, "Largest accepted upload (notes, letters), in megabytes."),
    Setting("RETENTION_MONTHS", 12,
            "Months after a consultation is reported that raw, unmasked text (answers, notes, "
            "uploaded files, contact addresses) is kept; `consult privacy purge` then masks it for good."),
    Setting("DOWNLOAD_RETENTION_DAYS", 30,
            "Days that a generated report or data export stays on the downloads page "
            "(`<instance>/downloads/`); older files are deleted when the page is opened and by "
            "`consult privacy purge`. Workers on other machines need the same instance folder."),
    Setting("PASSWORD_LINK_HOURS", 72,
            "Hours a one-time set-password link (new staff account, reset) stays valid."),
    Setting("ORGANISATION_NAME", "Gemeente",
            "Name of the municipality when no organisation exists yet (changeable on /beheer/organisatie)."),
    Setting("SESSION_COOKIE_SECURE", False,
            "Send the session cookie over HTTPS only. Set to true behind HTTPS in production."),
    Setting("RATELIMIT_ENABLED", True, "Rate-limit logins and public pages per client."),
    Setting("RATELIMIT_STORAGE_URL", "",
            "Where rate-limit counters live. Empty (the default): the Redis of `CONSULT_REDIS_URL` "
            "when it answers at start-up, so all worker processes share one count, else `memory://` "
            "(per process, with a warning). Or give a URL: `memory://`, `redis://127.0.0.1:6379/1`."),
    Setting("TRUSTED_PROXIES", 0,
            "How many reverse proxies in front of consult to trust for the client address, scheme "
            "and host (`X-Forwarded-For`, `-Proto`, `-Host`, through Werkzeug's ProxyFix). Set to 1 "
            "behind one proxy, so rate limits count per resident instead of per proxy; 0 trusts none."),
    Setting("SQL_ECHO", False, "Log every SQL statement (debugging)."),
    Setting("MAIL_HOST", "",
            "SMTP server for e-mail (invitations, reminders, receipts, notices, password links). "
            "Empty: no e-mail is sent and the screens say so."),
    Setting("MAIL_PORT", 587, "Port of the SMTP server (587 for STARTTLS, 465 for TLS, 25 plain)."),
    Setting("MAIL_SECURITY", "starttls",
            "How to secure the SMTP connection: `starttls`, `tls` (SMTPS) or `none` (local relays only)."),
    Setting("MAIL_USER", "", "User name for the SMTP server; empty: no login."),
    Setting("MAIL_PASSWORD", "", "Password for the SMTP server."),
    Setting("MAIL_SENDER", "",
            "From address of every message, e.g. `Gemeente Deventer <participatie@deventer.nl>`; "
            "e-mail is only sent when this and `CONSULT_MAIL_HOST` are set."),
    Setting("MAIL_REPLY_TO", "", "Reply-To address (where answers to a message go); empty: the sender."),
    Setting("MAIL_TIMEOUT", 10, "Seconds to wait for the SMTP server before a try counts as failed."),
)


def default_instance_path() -> Path:
    return Path(os.environ.get("CONSULT_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _ensure_writable_dir(path: Path, setting: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot create folder {path}: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{setting}: folder {path} is not writable")


def load_secret_key(instance_path: Path) -> str:
    """Return the persisted secret key, generating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        try:
            key = key_file.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"CONSULT_SECRET_KEY: cannot read {key_file}: {exc.strerror}") from None
        if len(key) >= 32:
            return key
        raise ConfigError(f"CONSULT_SECRET_KEY: {key_file} holds a key shorter than 32 characters")
    _ensure_writable_dir(instance_path, "CONSULT_INSTANCE_PATH")
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def resolve_database_url(url: str | None, instance_path: Path) -> str:
    """Validate the database URL; default to SQLite in the instance folder."""
    if not url:
        _ensure_writable_dir(instance_path, "CONSULT_INSTANCE_PATH")
        return f"sqlite:///{instance_path / 'consult.sqlite3'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"CONSULT_DATABASE_URL: not a valid database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"CONSULT_DATABASE_URL: unsupported database {backend!r} (use sqlite or postgresql)")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().resolve().parent
        _ensure_writable_dir(folder, "CONSULT_DATABASE_URL")
        db_file = folder / Path(parsed.database).name
        if db_file.exists() and not os.access(db_file, os.R_OK | os.W_OK):
            raise ConfigError(f"CONSULT_DATABASE_URL: database file {db_file} is not readable and writable")
    return url


def _coerce(value: object, default: object) -> object:
    if isinstance(default, bool) and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, str):
        return int(value)
    return value


def build_config(overrides: dict | None = None) -> dict:
    """Collect settings from defaults, the instance file, the environment and ``overrides``."""
    overrides = dict(overrides or {})
    instance_path = Path(overrides.pop("INSTANCE_PATH", None) or default_instance_path())
    values: dict[str, object] = {s.name: s.default for s in SETTINGS}
    cfg_file = instance_path / "consult.cfg"
    if cfg_file.exists():
        namespace: dict[str, object] = {}
        try:
            exec(compile(cfg_file.read_text(), str(cfg_file), "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - any error in the user's file is a config error
            raise ConfigError(f"{cfg_file}: cannot read instance config: {exc}") from None
        values.update({k: v for k, v in namespace.items() if k.isupper()})
    for setting in SETTINGS:
        env = os.environ.get(f"CONSULT_{setting.name}")
        if env is not None and env != "":
            try:
                values[setting.name] = _coerce(env, setting.default)
            except ValueError:
                raise ConfigError(f"CONSULT_{setting.name}: invalid value {env!r}") from None
    values.update(overrides)
    values["INSTANCE_PATH"] = str(instance_path)
    for name, least in (("MAX_UPLOAD_MB", 1), ("TRUSTED_PROXIES", 0), ("RETENTION_MONTHS", 1),
                        ("DOWNLOAD_RETENTION_DAYS", 1), ("MAIL_TIMEOUT", 1)):
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"CONSULT_{name}: invalid value {value!r} (a whole number of {least} or more)")
    from consult.mail import check_settings

    check_settings(values)
    values["DATABASE_URL"] = resolve_database_url(values.get("DATABASE_URL"), instance_path)
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = load_secret_key(instance_path)
    return values
