"""The files an operator runs the bot with, checked as files (no container or systemd here):
the image runs the real console script as a non-root user with a data volume and no secret in
it; the compose files load and wire what they say; the systemd units are hardened and run
commands ``peerbot`` accepts; the configs they mount load."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SECRETS = (
    "PEERBOT_TELEGRAM_TOKEN",
    "PEERBOT_DISCORD_TOKEN",
    "PEERBOT_DATA_KEY",
    "PEERBOT_TELEGRAM_WEBHOOK_SECRET",
    "PGPASSWORD",
    "POSTGRES_PASSWORD",
)


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Containerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _final_stage(path: Path) -> list[tuple[str, str]]:
    steps = _instructions(path)
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def _console_script() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [(name, target)] = project["project"]["scripts"].items()
    assert target == "bot.cli:main"
    return str(name)


def _accepted(argv: list[str]) -> Any:
    """What ``peerbot`` makes of ``argv`` (without the program name): SystemExit if refused."""
    return build_parser().parse_args(argv)


def test_the_image_runs_the_real_console_script_as_a_non_root_user() -> None:
    steps = _final_stage(ROOT / "Containerfile")
    words = [word for word, _ in steps]
    cmd = json.loads(next(rest for word, rest in steps if word == "CMD"))
    assert cmd[0] == _console_script()
    args = _accepted(cmd[1:])
    assert args.command == "run" and str(args.config) == "/etc/peerbot/config.toml"
    user = next(rest for word, rest in steps if word == "USER")
    assert user not in ("root", "0") and words.index("USER") < words.index("CMD")
    assert json.loads(next(rest for word, rest in steps if word == "VOLUME")) == ["/data"]
    env = " ".join(rest for word, rest in steps if word == "ENV")
    assert "sqlite:////data/peerbot.db" in env
    assert not any(secret in env for secret in SECRETS)  # secrets come at run time
    copied = next(rest for word, rest in steps if word == "COPY" and "config" in rest).split()
    assert copied == ["deploy/config.container.toml", "/etc/peerbot/config.toml"]
    config = load_config(ROOT / copied[0], env={})
    assert config.ops_listen == "0.0.0.0:9464"
    health = json.loads(
        next(rest for word, rest in steps if word == "HEALTHCHECK").split("CMD ")[1]
    )
    assert "127.0.0.1:9464/healthz" in health[-1]


def test_the_build_stage_copies_every_package_the_wheel_needs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {
        rest.split()[0] for word, rest in _instructions(ROOT / "Containerfile") if word == "COPY"
    }
    assert packages <= copied and "pyproject.toml" in " ".join(copied)


def _compose(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_bot_on_postgresql_with_secrets_from_the_env_file() -> None:
    compose = _compose("compose.yaml")
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("docker.io/library/postgres:")
    assert "ports" not in db  # the database stays on the compose network
    assert bot["build"] == {"context": "..", "dockerfile": "Containerfile"}
    assert (DEPLOY / bot["build"]["context"] / "Containerfile").exists()
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["env_file"] == "peerbot.env" and (DEPLOY / "peerbot.env.example").exists()
    assert bot["ports"] == ["127.0.0.1:9464:9464"]  # ops endpoints on loopback only
    assert set(compose["volumes"]) == {"db-data", "bot-data"}
    assert not _secrets_in(compose)


def test_the_env_example_names_every_secret_with_no_value_and_a_url_without_password() -> None:
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "peerbot.env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert set(SECRETS) <= set(values)
    assert all(values[secret] == "" for secret in SECRETS)
    url = values["PEERBOT_DATABASE_URL"]
    assert url.startswith("postgresql://peerbot@db:5432/") and ":" not in url.split("@")[0][13:]


def test_the_webhook_compose_runs_two_bots_behind_the_proxy() -> None:
    compose = _compose("compose.webhook.yaml")
    services = compose["services"]
    bots = {name: s for name, s in services.items() if name.startswith("bot-")}
    assert len(bots) == 2
    for bot in bots.values():
        assert bot["build"]["dockerfile"] == "Containerfile"
        [mount] = bot["volumes"]
        assert mount == "./config.webhook.toml:/etc/peerbot/config.toml:ro"
    config = load_config(DEPLOY / "config.webhook.toml", env={})
    assert config.telegram.webhook_url is not None
    webhook_port = config.telegram.webhook_listen.rpartition(":")[2]
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    path = "/" + config.telegram.webhook_url.split("/", 3)[3]
    assert f"handle {path} {{" in caddyfile
    assert f"reverse_proxy bot-1:{webhook_port} bot-2:{webhook_port}" in caddyfile
    assert "health_uri /healthz" in caddyfile
    proxy = services["proxy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    text = (DEPLOY / "compose.webhook.yaml").read_text(encoding="utf-8")
    assert "multiproc" in text and "webhook_url" in text  # says what it depends on
    assert not _secrets_in(compose)


def _secrets_in(compose: dict[str, Any]) -> list[str]:
    """Secrets written into a compose file instead of the env file."""
    found = []
    for service in compose["services"].values():
        environment = service.get("environment") or {}
        found += [key for key in environment if key in SECRETS]
    return found


def _unit(name: str) -> configparser.RawConfigParser:
    unit = configparser.RawConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    unit.read(DEPLOY / name, encoding="utf-8")
    return unit


@pytest.mark.parametrize("name", ["peerbot.service", "peerbot-backup.service"])
def test_the_systemd_units_are_hardened_and_run_real_commands(name: str) -> None:
    service = _unit(name)["Service"]
    assert service["DynamicUser"] == "yes" and service["User"] == "peerbot"
    assert service["ProtectSystem"] == "strict" and service["ProtectHome"] == "yes"
    assert service["NoNewPrivileges"] == "yes" and service["PrivateTmp"] == "yes"
    assert service["CapabilityBoundingSet"] == ""
    assert service["StateDirectory"].split()[0] == "peerbot"
    assert service["EnvironmentFile"] == "/etc/peerbot/peerbot.env"
    assert service["UMask"] == "0077"
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == _console_script()
    args = _accepted(argv[1:])
    assert str(args.config) == "/etc/peerbot/config.toml"
    assert args.command == ("run" if name == "peerbot.service" else "backup")
    state = Path("/var/lib") / service["StateDirectory"].split()[0]
    assert service["WorkingDirectory"] == str(state)


def test_the_service_stops_cleanly_and_the_backup_timer_starts_the_backup() -> None:
    unit = _unit("peerbot.service")
    assert unit["Service"]["KillSignal"] == "SIGTERM" and unit["Service"]["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    timer = _unit("peerbot-backup.timer")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
