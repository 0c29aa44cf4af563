"""The consult command line, run as a real process and through Click."""
from __future__ import annotations

import os
import re
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


def _passwords(stdout: str) -> dict[str, str]:
    """``{email: password}`` from the staff-account lines ``consult demo`` prints."""
    return dict(re.findall(r"^  \w+ +(\S+@\S+) +password: (\S+)$", stdout, re.M))


def test_demo_twice_and_users_create(db_url, tmp_path):
    env = {"CONSULT_DATABASE_URL": db_url, "CONSULT_INSTANCE_PATH": str(tmp_path / "inst")}
    first = run(["demo"], env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Built the demo consultation" in first.stdout and "250  submitted survey responses" in first.stdout
    for path in ("/c/verkenning-wmo-demo", "/c/ontmoeten-in-de-wijk-demo/v/ontmoetingsplekken", "/inloggen"):
        assert f"http://127.0.0.1:5000{path}\n" in first.stdout
    passwords = _passwords(first.stdout)
    assert set(passwords) == {"beheerder@demo.consult.nl", "beleid@demo.consult.nl",
                              "gespreksleider@demo.consult.nl"}
    assert len(set(passwords.values())) == 3 and all(len(p) >= 12 for p in passwords.values())
    assert "Passwords are shown only this once." in first.stdout

    second = run(["demo"], env, cwd=tmp_path)
    assert second.returncode == 0 and "already exists" in second.stdout
    counts = [line for line in first.stdout.splitlines() if re.match(r"^ +\d+  ", line)]
    assert len(counts) == 14 and counts == [line for line in second.stdout.splitlines()
                                            if re.match(r"^ +\d+  ", line)]
    assert _passwords(second.stdout) == {} and "(unchanged" in second.stdout
    assert not any(p in second.stdout for p in passwords.values())

    created = run(["users", "create", "--email", "Beleid@Deventer.nl", "--name", "Bea Beleid",
                   "--role", "policy_writer", "--password", "een lang wachtwoord"], env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created policy_writer Bea Beleid <beleid@deventer.nl>."
    duplicate = run(["users", "create", "--email", "beleid@deventer.nl", "--name", "B",
                     "--role", "policy_writer", "--password", "een lang wachtwoord"], env, cwd=tmp_path)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    listed = run(["users", "list"], env, cwd=tmp_path)
    assert "beleid@deventer.nl\tBea Beleid\tpolicy_writer" in listed.stdout

    # the printed logins work, and a visitor can complete the open survey
    from tests.conftest import make_app
    from tests.web.conftest import csrf_token, login

    app = make_app(db_url, tmp_path / "web-instance", RATELIMIT_ENABLED=False)
    try:
        client = app.test_client()
        r = login(client, "beleid@demo.consult.nl", passwords["beleid@demo.consult.nl"])
        assert r.status_code == 302, r.get_data(as_text=True)
        assert client.get("/beheer/c/ontmoeten-in-de-wijk-demo").status_code == 200
        client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
        assert _complete_open_survey(app.test_client())
    finally:
        app.extensions["consult.engine"].dispose()


def _complete_open_survey(client) -> str:
    """Answer the demo's open survey over HTTP; returns the receipt code."""
    from tests.web.conftest import csrf_token

    base = "/c/ontmoeten-in-de-wijk-demo/v/ontmoetingsplekken"
    html = client.get(base).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(base, data={"csrf_token": csrf_token(client, base), "start_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    page = r.headers["Location"]
    answers = [{"q_rol": "inwoner", "q_wijk": "Voorstad"}, None, {"q_toestemming": "y"}]
    for data in answers:
        html = client.get(page).get_data(as_text=True)
        if data is None:  # page 2: the first place offered, a score and what is missing
            first = re.search(r'name="q_plekken" type="checkbox" value="([^"]+)"', html).group(1)
            data = {"q_plekken": [first], "q_tevreden": "3", "q_mist": "Een bankje bij de supermarkt."}
        r = client.post(page, data={"csrf_token": csrf_token(client, page), "action": "next", **data})
        assert r.status_code == 302, r.get_data(as_text=True)
        page = r.headers["Location"]
    assert page.endswith("/controleren")
    r = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert r.status_code == 303
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    return re.search(r'id="ontvangstcode">([A-Z0-9-]+)<', done).group(1)


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


def test_serve_refuses_a_taken_port_before_announcing_it(tmp_path):
    import socket

    env = {"CONSULT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "CONSULT_INSTANCE_PATH": str(tmp_path / "inst")}
    assert run(["db", "upgrade"], env, cwd=tmp_path).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["serve", "--port", str(port)], ["demo", "--serve", "--port", str(port)]):
            result = run(args, env, cwd=tmp_path)
            assert result.returncode == 1
            assert result.stderr.strip() == (f"Error: port {port} on 127.0.0.1 is already in use: "
                                             "choose another with --port")
            assert "running on" not in result.stdout and "Built the demo" not in result.stdout
