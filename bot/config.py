"""Reading ``config.toml``: every key typed and range-checked, every error one clear line.

Secrets never live in the file: tokens come from the environment (``PEERBOT_TELEGRAM_TOKEN``,
``PEERBOT_DISCORD_TOKEN``) and are held in :class:`Secrets`, whose ``repr`` hides them. So does
the key that encrypts free text at rest (``PEERBOT_DATA_KEY``); :attr:`Config.cipher` is built
from it (``None`` without one: the text is stored plain, and ``peerbot run`` warns).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.settings import DiscordSettings, TelegramSettings
from bot.adapters.telegram_limits import PAID_BROADCAST_LIMIT, TelegramLimits
from bot.dashboard.settings import DEFAULT_SESSION_HOURS, DashboardServerSettings, SessionKey
from handlers.numbers import read_id
from handlers.program import (
    CheckinSettings,
    CrisisResource,
    CrisisSettings,
    DashboardSettings,
    EscalationSettings,
    MentoringSettings,
    PrivacySettings,
    ProgramSettings,
    ResourceDirectory,
    TrainingSettings,
)
from handlers.resources.directory import ResourceFileError, load_directory
from handlers.timing import TimingError, parse_duration, parse_quiet_hours, parse_time_of_day
from storage.crypto import CipherError, TextCipher

DEFAULT_PATH = Path("config.toml")
EXAMPLE_PATH = Path(__file__).resolve().parent.parent / "config.example.toml"


class ConfigError(Exception):
    """A config problem, already phrased as the one line to print."""


@dataclass(frozen=True, slots=True)
class Secrets:
    telegram_token: str | None = field(default=None, repr=False)
    discord_token: str | None = field(default=None, repr=False)
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    data_key: str | None = field(default=None, repr=False)
    dashboard_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            telegram_token=env.get("PEERBOT_TELEGRAM_TOKEN") or None,
            discord_token=env.get("PEERBOT_DISCORD_TOKEN") or None,
            telegram_webhook_secret=env.get("PEERBOT_TELEGRAM_WEBHOOK_SECRET") or None,
            data_key=env.get("PEERBOT_DATA_KEY") or None,
            dashboard_secret=env.get("PEERBOT_DASHBOARD_SECRET") or None,
        )

    def __repr__(self) -> str:
        present = [n for n in ("telegram_token", "discord_token", "data_key") if getattr(self, n)]
        return f"Secrets(present={present})"


@dataclass(frozen=True, slots=True)
class Config:
    program: ProgramSettings
    database_url: str
    tick_seconds: float = 20.0
    lease_seconds: float = 300.0
    """``[queue] lease_seconds``: how long a claimed due row stays this process's (renewed
    while its work runs); a process that dies gives its rows back after at most this long."""
    log_level: str = "INFO"
    source: str = "built-in defaults"
    secrets: Secrets = field(default_factory=Secrets)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    cipher: TextCipher | None = field(default=None, repr=False)
    """Encrypts free text at rest; built from ``PEERBOT_DATA_KEY``, None without it."""
    ops_listen: str | None = None
    """``[ops] listen``: where ``/healthz`` and ``/metrics`` are served (``bot.ops``); off
    when None."""
    dashboard: DashboardServerSettings = field(default_factory=DashboardServerSettings)

    @property
    def session_key(self) -> SessionKey | None:
        """What signs the dashboard's cookies (:meth:`SessionKey.choose`)."""
        return SessionKey.choose(self.secrets.dashboard_secret, self.secrets.data_key)


# The schema: section -> key -> (parser, default). A parser raises ValueError with the phrase
# that completes "[section] key = value ...".
Parser = Callable[[Any], Any]


def _string(max_len: int = 200) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text in quotes")
        if not value.strip() or len(value) > max_len:
            raise ValueError(f"must be 1 to {max_len} characters")
        return value

    return parse


def _time_of_day(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError('is not a time of day (write it like "20:00")')
    try:
        return parse_time_of_day(value)
    except TimingError:
        raise ValueError("is not a time of day") from None


def _duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise ValueError('is not a duration (write it like "2h" or "90m")')
    try:
        return parse_duration(value)
    except TimingError:
        raise ValueError('is not a duration (write it like "2h" or "90m")') from None


def _spread(value: Any) -> timedelta:
    if value == "off":
        return timedelta(0)
    span = _duration(value)
    if span > timedelta(hours=2):
        raise ValueError('must be "off" or at most 2h')
    return span


def _quiet_hours(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError('is not a range of hours (write it like "22:00-07:00")')
    try:
        parse_quiet_hours(value)
    except TimingError:
        raise ValueError('is not a range of hours (write it like "22:00-07:00")') from None
    return value


def _number(low: float, high: float) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return float(value)

    return parse


def _whole(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def _choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        if value not in options:
            raise ValueError("must be one of " + ", ".join(f'"{o}"' for o in options))
        return str(value)

    return parse


def _http_url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError('is not a web address (write it like "https://example.org/path")')
    return value


def _optional(parse: Parser) -> Parser:
    """Also accept "" for "not set"."""

    def parse_optional(value: Any) -> Any:
        return None if value == "" else parse(value)

    return parse_optional


def _host_port(value: Any) -> str:
    host, _, port = str(value).rpartition(":")
    number = read_id(port)
    if not isinstance(value, str) or not host or number is None or not 0 < number < 65536:
        raise ValueError('is not a host and port (write it like "127.0.0.1:8443")')
    return value


def _invite_link(value: Any) -> str:
    if not isinstance(value, str) or "{code}" not in value:
        raise ValueError(
            'must be a web address with {code} in it ("https://t.me/YourBot?start={code}")'
        )
    return _http_url(value)


def _snowflake(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("is not a Discord id (a whole number, without quotes)")
    return value


def _shard_ids(value: Any) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value)
        or len(set(value)) != len(value)
    ):
        raise ValueError("must be a list of different shard numbers, like [0, 1]")
    return tuple(sorted(value))


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _retention(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number of days (0 keeps everything)")
    if value != 0 and not 30 <= value <= 36500:
        raise ValueError("must be 0 (keep everything) or between 30 and 36500 days")
    return value


def _course_names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError('must be a list of course names (write it like ["Ethics", "Naloxone"])')
    names = tuple(" ".join(v.split()) for v in value)
    if any(len(name) > 120 for name in names) or len(names) > 20:
        raise ValueError("must be at most 20 names of at most 120 characters")
    if len({name.casefold() for name in names}) != len(names):
        raise ValueError("names a course twice")
    return names


def _database_url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(
        ("sqlite:///", "postgresql://", "postgres://")
    ):
        raise ValueError('is not a database URL (write it like "sqlite:///peerbot.db")')
    return value


_LIMITS = TelegramLimits()  # Telegram's documented values (slots: read from an instance)

SCHEMA: dict[str, dict[str, tuple[Parser, Any]]] = {
    "program": {"name": (_string(80), "Peer Support")},
    "storage": {"url": (_database_url, "sqlite:///peerbot.db")},
    "checkin": {
        "default_time": (_time_of_day, time(20, 0)),
        "quiet_hours": (_quiet_hours, "22:00-07:00"),
        "max_lateness": (_duration, timedelta(hours=2)),
        "reminder_after": (_duration, timedelta(hours=3)),
        "spread": (_spread, timedelta(0)),
        "tick_seconds": (_number(1, 60), 20.0),
    },
    "queue": {"lease_seconds": (_number(3, 3600), 300.0)},
    "crisis": {"region": (_string(10), "US"), "resources": (lambda v: v, {})},
    "logging": {"level": (_choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")},
    "ops": {"listen": (_optional(_host_port), None)},
    "resources": {"file": (_optional(_string(500)), None)},
    "escalation": {
        "craving_threshold": (_whole(0, 10), EscalationSettings().craving_threshold),
        "missed_checkins": (_whole(1, 30), EscalationSettings().missed_checkins),
        "urgent_ack_minutes": (_whole(1, 1440), EscalationSettings().urgent_ack_minutes),
        "normal_ack_hours": (_whole(1, 168), EscalationSettings().normal_ack_hours),
    },
    "mentoring": {"max_mentees": (_whole(1, 100), MentoringSettings().max_mentees)},
    "training": {
        "required": (_course_names, ()),
        "hours_per_year": (_number(0, 1000), 0.0),
        "supervision_per_month": (_whole(0, 31), 0),
        "hold_lapsed_from_new_pairings": (_boolean, False),
    },
    "privacy": {
        "retain_checkins_days": (_retention, PrivacySettings().retain_checkins_days),
        "retain_alerts_days": (_retention, PrivacySettings().retain_alerts_days),
        "retain_audit_days": (_retention, PrivacySettings().retain_audit_days),
    },
    "telegram": {
        "api_base_url": (_http_url, TelegramSettings.api_base_url),
        "webhook_url": (_optional(_http_url), None),
        "webhook_listen": (_host_port, TelegramSettings.webhook_listen),
        "poll_timeout": (_number(1, 60), float(TelegramSettings.poll_timeout)),
        "messages_per_second": (_whole(1, 30), _LIMITS.messages_per_second),
        "private_chat_per_second": (_whole(1, 5), _LIMITS.private_chat_per_second),
        "group_per_minute": (_whole(1, 60), _LIMITS.group_per_minute),
        "safety_margin": (_number(0, 1), _LIMITS.safety_margin),
        "allow_paid_broadcast": (_boolean, _LIMITS.allow_paid_broadcast),
        "paid_messages_per_second": (
            _whole(31, PAID_BROADCAST_LIMIT),
            _LIMITS.paid_messages_per_second,
        ),
    },
    "dashboard": {
        "listen": (_optional(_host_port), None),
        "public_url": (_optional(_http_url), None),
        "invite_link": (_optional(_invite_link), None),
        "session_hours": (_number(0.25, 72), DEFAULT_SESSION_HOURS),
    },
    "discord": {
        "prompts_in": (_choice("dm", "private_thread"), DiscordSettings.prompts_in),
        "prompt_channel_id": (_optional(_snowflake), None),
        "guild_id": (_optional(_snowflake), None),
        "max_ratelimit_timeout": (_number(1, 600), DiscordSettings.max_ratelimit_timeout),
        "message_content": (_boolean, False),
        "rsvp_role_id": (_optional(_snowflake), None),
        "mirror_circle_events": (_boolean, DiscordSettings.mirror_circle_events),
        "dm_gap_seconds": (_number(0, 60), DiscordSettings.dm_gap_seconds),
        "dm_burst": (_whole(1, 50), DiscordSettings.dm_burst),
        "shard_count": (_optional(_whole(1, 10_000)), None),
        "shard_ids": (_shard_ids, None),
    },
}


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (default ``./config.toml`` if present, else built-in defaults).

    An explicitly named file that is missing is an error; raise :class:`ConfigError`.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = path if path is not None else DEFAULT_PATH
    raw: dict[str, Any] = {}
    source = "built-in defaults"
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: is not valid TOML ({err})") from None
        except OSError as err:
            raise ConfigError(f"{path}: cannot be read ({err.strerror})") from None
        source = str(path)
    elif explicit:
        raise ConfigError(f"{path}: no such file (run `peerbot init` to create one)")

    values = _validate(source, raw)
    _check_shards(source, values["discord"])
    crisis = _crisis(source, values["crisis"])
    resources = _resources(source, values["resources"]["file"])
    program = ProgramSettings(
        name=values["program"]["name"],
        crisis=crisis,
        resources=resources,
        checkin=CheckinSettings(
            default_time=values["checkin"]["default_time"],
            quiet_hours=values["checkin"]["quiet_hours"],
            max_lateness=values["checkin"]["max_lateness"],
            reminder_after=values["checkin"]["reminder_after"],
            spread=values["checkin"]["spread"],
        ),
        escalation=EscalationSettings(**values["escalation"]),
        mentoring=MentoringSettings(**values["mentoring"]),
        training=TrainingSettings(**values["training"]),
        privacy=PrivacySettings(**values["privacy"]),
        dashboard=_dashboard(values["dashboard"]),
    )
    secrets = Secrets.from_env(env)
    database_url = env.get("PEERBOT_DATABASE_URL") or values["storage"]["url"]
    return Config(
        program=program,
        database_url=database_url,
        tick_seconds=values["checkin"]["tick_seconds"],
        lease_seconds=values["queue"]["lease_seconds"],
        log_level=values["logging"]["level"],
        source=source,
        secrets=secrets,
        cipher=_cipher(secrets),
        telegram=TelegramSettings(
            api_base_url=values["telegram"]["api_base_url"],
            webhook_url=values["telegram"]["webhook_url"],
            webhook_listen=values["telegram"]["webhook_listen"],
            poll_timeout=int(values["telegram"]["poll_timeout"]),
            limits=TelegramLimits(
                messages_per_second=values["telegram"]["messages_per_second"],
                private_chat_per_second=values["telegram"]["private_chat_per_second"],
                group_per_minute=values["telegram"]["group_per_minute"],
                safety_margin=values["telegram"]["safety_margin"],
                allow_paid_broadcast=values["telegram"]["allow_paid_broadcast"],
                paid_messages_per_second=values["telegram"]["paid_messages_per_second"],
            ),
        ),
        discord=DiscordSettings(**values["discord"]),
        ops_listen=values["ops"]["listen"],
        dashboard=DashboardServerSettings(
            listen=values["dashboard"]["listen"],
            session_hours=values["dashboard"]["session_hours"],
        ),
    )


def _check_shards(name: str, discord: Mapping[str, Any]) -> None:
    """``shard_ids`` name shards of ``shard_count``: without a count they mean nothing."""
    ids, count = discord["shard_ids"], discord["shard_count"]
    if ids is None:
        return
    if count is None:
        raise ConfigError(f"{name}: [discord] shard_ids needs shard_count (how many in all)")
    if max(ids) >= count:
        raise ConfigError(
            f"{name}: [discord] shard_ids must be below shard_count ({count}): shards are"
            f" numbered 0 to {count - 1}"
        )


def _dashboard(section: Mapping[str, Any]) -> DashboardSettings:
    """Where links point: ``public_url``, or, without one, the address it listens on."""
    public_url = section["public_url"]
    if public_url is None and section["listen"] is not None:
        public_url = f"http://{section['listen']}"
    return DashboardSettings(public_url=public_url, invite_link=section["invite_link"])


def _cipher(secrets: Secrets) -> TextCipher | None:
    if secrets.data_key is None:
        return None
    try:
        return TextCipher(secrets.data_key)
    except CipherError as err:
        raise ConfigError(f"PEERBOT_DATA_KEY is {err}") from None


def _validate(name: str, raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for section in raw:
        if section not in SCHEMA:
            raise ConfigError(f"{name}: [{section}] is not a section this program knows")
        if not isinstance(raw[section], dict):
            raise ConfigError(f"{name}: {section} must be a [{section}] table")
    for section, keys in SCHEMA.items():
        given = raw.get(section, {})
        for key in given:
            if key not in keys:
                raise ConfigError(f"{name}: [{section}] {key} is not a setting this program knows")
        values[section] = {}
        for key, (parse, default) in keys.items():
            if key not in given:
                values[section][key] = default
                continue
            try:
                values[section][key] = parse(given[key])
            except ValueError as err:
                shown = _show(given[key])
                raise ConfigError(f"{name}: [{section}] {key} = {shown} {err}") from None
    return values


def _crisis(name: str, section: Mapping[str, Any]) -> CrisisSettings:
    regions: dict[str, tuple[CrisisResource, ...]] = {}
    for region, entries in dict(section["resources"]).items():
        if not isinstance(entries, list) or not entries:
            raise ConfigError(f"{name}: [crisis.resources] {region} must be a list of resources")
        parsed = []
        for n, entry in enumerate(entries, start=1):
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("name"), str)
                or not isinstance(entry.get("contact"), str)
            ):
                raise ConfigError(
                    f"{name}: [[crisis.resources.{region}]] entry {n} needs a name and a contact"
                )
            parsed.append(CrisisResource(entry["name"], entry["contact"]))
        regions[region] = tuple(parsed)
    return CrisisSettings(region=section["region"], resources=regions)


def _resources(name: str, file: str | None) -> ResourceDirectory:
    """The resource directory, validated now: a bad entry stops the start with one line."""
    if file is None:
        return ResourceDirectory()
    try:
        return load_directory(Path(file))
    except ResourceFileError as err:
        more = len(err.problems) - 1
        hint = f" (and {more} more: run `peerbot resources check {file}`)" if more else ""
        raise ConfigError(f"{name}: [resources] file: {err}{hint}") from None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
