"""The consult command line, run as a real process and through Click."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from consult.cli import cli
from consult.config import ConfigError, build_config


def run(args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "consult.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def test_help_lists_the_commands(tmp_path):
    result = run(["--help"], cwd=tmp_path)
    assert result.returncode == 0
    for command in ("db", "demo", "serve", "users", "codebook", "code", "nlp"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize("url, message", [
    ("not a url", "CONSULT_DATABASE_URL: not a valid database URL"),
    ("mysql://u@h/db", "CONSULT_DATABASE_URL: unsupported database 'mysql'"),
    ("sqlite:////proc/forbidden/x.db", "CONSULT_DATABASE_URL: cannot create folder"),
])
def test_invalid_database_url_gives_one_line(tmp_path, url, message):
    result = run(["db", "upgrade"], {"CONSULT_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_unreachable_postgres_gives_one_line(tmp_path):
    result = run(["db", "upgrade"],
                 {"CONSULT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().startswith("Error: CONSULT_DATABASE_URL: cannot use the database")
    assert len(result.stderr.strip().splitlines()) == 1


def test_secret_key_generated_once_and_private(tmp_path):
    first = build_config({"INSTANCE_PATH": str(tmp_path / "inst")})
    second = build_config({"INSTANCE_PATH": str(tmp_path / "inst")})
    key_file = tmp_path / "inst" / "secret_key"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'consult.sqlite3'}"


def test_instance_config_file_and_environment(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "consult.cfg").write_text("MAX_UPLOAD_MB = 5\nSECRET_KEY = '" + "k" * 40 + "'\n")
    config = build_config({"INSTANCE_PATH": str(inst)})
    assert config["MAX_UPLOAD_MB"] == 5 and config["SECRET_KEY"] == "k" * 40
    monkeypatch.setenv("CONSULT_MAX_UPLOAD_MB", "7")
    assert build_config({"INSTANCE_PATH": str(inst)})["MAX_UPLOAD_MB"] == 7
    monkeypatch.setenv("CONSULT_MAX_UPLOAD_MB", "veel")
    with pytest.raises(ConfigError, match="CONSULT_MAX_UPLOAD_MB"):
        build_config({"INSTANCE_PATH": str(inst)})


def test_demo_twice_and_users_create(db_url, tmp_path):
    env = {"CONSULT_DATABASE_URL": db_url, "CONSULT_INSTANCE_PATH": str(tmp_path / "inst")}
    first = run(["demo"], env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Built the demo consultation" in first.stdout and "250  submitted survey responses" in first.stdout
    second = run(["demo"], env, cwd=tmp_path)
    assert second.returncode == 0 and "already exists" in second.stdout
    assert first.stdout.splitlines()[1:-2] == second.stdout.splitlines()[1:-2]

    created = run(["users", "create", "--email", "Beleid@Deventer.nl", "--name", "Bea Beleid",
                   "--role", "policy_writer", "--password", "een lang wachtwoord"], env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    duplicate = run(["users", "create", "--email", "beleid@deventer.nl", "--name", "B",
                     "--role", "policy_writer", "--password", "een lang wachtwoord"], env, cwd=tmp_path)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    listed = run(["users", "list"], env, cwd=tmp_path)
    assert "beleid@deventer.nl\tBea Beleid\tpolicy_writer" in listed.stdout


def test_commands_refuse_an_unmigrated_database(tmp_path):
    from click.testing import CliRunner

    env = {"CONSULT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "CONSULT_INSTANCE_PATH": str(tmp_path / "inst")}
    result = CliRunner().invoke(cli, ["users", "create", "--email", "a@b.nl", "--name", "A",
                                      "--role", "facilitator", "--password", "x" * 12], env=env)
    assert result.exit_code == 1 and "consult db upgrade" in result.output


def test_readme_documents_every_setting():
    from pathlib import Path

    from consult.config import SETTINGS

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`CONSULT_{setting.name}`" in readme
