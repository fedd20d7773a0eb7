"""The hub's classes without a running hub (deploy/hub/course_*.py): importing them changes
nothing on the machine; their settings are traitlets, checked when set, each bad one refused
with its name; the environment is read once into those settings; the authenticator and the
spawner derive their commands and servers' environment from the course's settings.
The hub itself is tested end to end in test_hub.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from course_hub import ENVIRONMENT, PREFIX, CourseHub, SettingError, environment_config
from traitlets import TraitError
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "deploy" / "hub"

#: What the import check prints: the environment, whether the group and account the settings
#: name exist (other hub tests may add accounts of their own meanwhile), the folders the
#: settings name, and the process's children.
SNAPSHOT = """
import grp, json, os, pwd, sys
import psutil
def snapshot(paths):
    return {
        "env": dict(os.environ),
        "group": "wsimport-check" in {g.gr_name for g in grp.getgrall()},
        "account": "wsimport-trainer" in {p.pw_name for p in pwd.getpwall()},
        "paths": {p: os.path.lexists(p) for p in paths},
        "children": len(psutil.Process().children(recursive=True)),
        "cwd": os.getcwd(),
        "umask": os.umask(0o022),
    }
paths = sys.argv[1:]
before = snapshot(paths)
import course_hub, course_accounts, course_servers, hub_guards, lti_signin
after = snapshot(paths)
print(json.dumps({"before": before, "after": after}))
"""


def test_importing_the_hubs_modules_changes_nothing(tmp_path: Path):
    """With every WHOLESCHOOL_HUB_* folder and the group pointing at things that do not exist
    yet, importing the modules makes none of them, touches no account or group, changes no
    environment variable and starts no process."""
    state, exchange, homes = tmp_path / "state", tmp_path / "exchange", tmp_path / "homes"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HUB), str(ROOT / "widgets")]),
        "WHOLESCHOOL_HUB_STATE": str(state),
        "WHOLESCHOOL_HUB_EXCHANGE": str(exchange),
        "WHOLESCHOOL_HUB_HOME_BASE": str(homes),
        "WHOLESCHOOL_HUB_GROUP": "wsimport-check",
        "WHOLESCHOOL_HUB_TRAINERS": "wsimport-trainer",
    }
    paths = [str(state), str(exchange), str(homes), "/srv/wholeschool-hub", "/srv/nbgrader"]
    done = subprocess.run(
        [sys.executable, "-c", SNAPSHOT, *paths],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["after"] == seen["before"]
    assert not any(seen["after"]["paths"][p] for p in paths[:3])
    assert not seen["after"]["group"] and not seen["after"]["account"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("password_cost", 9),
        ("password_cost", 17),
        ("server_ports", "80-1000"),
        ("server_ports", "20000-20050"),
        ("server_ports", "30000-40000"),
        ("server_ports", "twenty"),
        ("trainers", []),
        ("trainers", ["alice", " "]),
        ("idle_timeout", 5),
        ("sign_in", "saml"),
    ],
)
def test_a_bad_course_setting_is_refused_with_its_name(name: str, value: object):
    config = Config({"CourseHub": {name: value}})
    with pytest.raises(TraitError, match=name):
        CourseHub(config=config)


def test_course_settings_and_what_they_mean():
    course = CourseHub(
        config=Config(
            {
                "CourseHub": {
                    "server_ports": "20000-20099",
                    "trainers": [" alice", "bob "],
                    "state": "/srv/elsewhere",
                }
            }
        )
    )
    assert course.port_range == range(20000, 20100)
    assert course.trainers == ["alice", "bob"] and course.is_trainer("bob")
    assert not course.is_trainer("carol")
    assert course.local_config == "/srv/elsewhere/jupyterhub_config_local.py"
    assert course.course_root == str(ROOT)
    assert course.course_id == "wholeschool-smhl"  # from assessments/nbgrader_config.py
    assert course.proxy.startswith(str(ROOT / ".venv" / "hub-node"))
    for trait in course.traits(config=True).values():
        assert trait.help, trait.name


def test_the_environment_is_read_into_settings_and_only_set_ones_count():
    config = environment_config(
        {
            f"{PREFIX}TRAINERS": "alice, bob,,",
            f"{PREFIX}PASSWORD_COST": " 11 ",
            f"{PREFIX}OPEN_SIGNUP": "1",
            f"{PREFIX}START_TIMEOUT": "300",
            f"{PREFIX}LTI_CLIENT_ID": "one,two",
            f"{PREFIX}GROUP": "",  # empty: the default stands
            "WHOLESCHOOL_RECORDS": "/not/a/hub/setting",
        }
    )
    assert config.CourseHub == {"trainers": ["alice", "bob"], "password_cost": 11}
    assert config.NativeAuthenticator.open_signup is True
    assert config.Spawner.start_timeout == 300
    assert sorted(config.LTI13Authenticator.client_id) == ["one", "two"]
    assert "group" not in config.CourseHub
    assert CourseHub(config=config).group == "wholeschool-hub"


@pytest.mark.parametrize(
    ("short", "value", "hint"),
    [
        ("PASSWORD_COST", "twelve", "OWASP"),
        ("PASSWORD_COST", "9", "OWASP"),
        ("SERVER_PORTS", "1-2", "FIRST-LAST"),
        ("IDLE_TIMEOUT", "soon", "seconds"),
        ("SIGN_IN", "saml", "native or lti"),
        ("START_TIMEOUT", "two minutes", "invalid literal"),
        ("OPEN_SIGNUP", "perhaps", "perhaps"),
    ],
)
def test_a_bad_environment_setting_stops_with_its_name_and_what_to_give(
    short: str, value: str, hint: str
):
    with pytest.raises(SettingError) as refused:
        environment_config({f"{PREFIX}{short}": value})
    message = str(refused.value)
    assert message.startswith(f"{PREFIX}{short}={value!r}: ")
    assert hint in message and "\n" not in message


def test_every_environment_setting_names_a_configurable_trait():
    from course_hub import _trait

    for short, target in ENVIRONMENT.items():
        _section, _name, trait = _trait(target)
        assert trait.metadata.get("config"), short


def test_readme_lists_the_course_settings():
    readme = (HUB / "README.md").read_text(encoding="utf-8")
    listed = {short for short in ENVIRONMENT if f"`{PREFIX}{short}`" in readme}
    course_own = {s for s, t in ENVIRONMENT.items() if t.startswith("CourseHub.")}
    assert course_own - {"COURSE_ROOT", "PROXY", "WARM_KERNELS", "ADMIN_TOKEN"} <= listed


def test_the_authenticator_and_spawner_take_the_course_settings():
    """The accounts' ``useradd`` and the servers' command and environment follow the course's
    settings, and the login throttle its own."""
    from course_accounts import CourseAuthenticator
    from course_servers import CourseSpawner, free_server_port

    config = Config(
        {
            "CourseHub": {
                "group": "cohort-7",
                "home_base": "/srv/homes",
                "user_env": "/opt/users-env",
                "exchange": "/srv/exchange-7",
                "warm_kernels": 0,
            },
            "CourseAuthenticator": {"failed_logins_per_name": 3},
        }
    )
    accounts = CourseAuthenticator(config=config, add_new_table=False)
    command = accounts.add_user_cmd
    assert command[command.index("--groups") + 1] == "cohort-7"
    assert command[command.index("--base-dir") + 1] == "/srv/homes"
    assert "HOME_MODE=0700" in command
    assert accounts.logins.per_name == 3 and accounts.logins.per_address == 30
    assert accounts.is_blocked("trainer") is False  # never by name alone

    servers = CourseSpawner(config=config)
    assert servers.cmd == ["/opt/users-env/bin/jupyterhub-singleuser"]
    env = servers.environment
    assert env["PATH"].startswith("/opt/users-env/bin:")
    assert env["WHOLESCHOOL_EXCHANGE"] == "/srv/exchange-7"
    assert env["WHOLESCHOOL_HUB_WARM_KERNELS"] == "0"
    assert env["PYTHONPATH"] == env["JUPYTER_CONFIG_PATH"] == str(HUB / "user-config")
    assert (Path(env["PYTHONPATH"]) / "hub_exchange.py").is_file()

    ports = range(20000, 20100)
    port = free_server_port(ports, taken=set(ports) - {20042})
    assert port in (20042, None)  # the one not taken, unless something else listens there
