"""Every deployment knob is validated at start-up, naming the variable."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dam.env import env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_helpers_accept_good_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example")
    monkeypatch.setenv("X_URL", "postgres://u@h/db")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_url("X_URL", schemes=("postgres",)) == "postgres://u@h/db"
    assert env_int("X_UNSET", 7) == 7


@pytest.mark.parametrize("helper,value", [
    (lambda: env_bool("X", False), "maybe"),
    (lambda: env_int("X", 1), "ten"),
    (lambda: env_int("X", 1), "0"),
    (lambda: env_url("X", schemes=("postgres",)), "mysql://h/db"),
    (lambda: env_list("X", ["a"]), " , "),
])
def test_helpers_name_the_variable_on_bad_values(monkeypatch, helper, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="^X "):
        helper()


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DAM_", "DATABASE_URL"))}
    full.update(env)
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("env,variable", [
    ({"DAM_DEBUG": "perhaps"}, "DAM_DEBUG"),
    ({"DAM_MAX_UPLOAD_MB": "lots"}, "DAM_MAX_UPLOAD_MB"),
    ({"DAM_MAX_IMAGE_PIXELS": "-5"}, "DAM_MAX_IMAGE_PIXELS"),
    ({"DATABASE_URL": "oracle://db"}, "DATABASE_URL"),
    ({"DAM_REDIS_URL": "localhost:6379"}, "DAM_REDIS_URL"),
    ({"DAM_QUEUE_POLL_MS": "1"}, "DAM_QUEUE_POLL_MS"),
    ({"DAM_DEBUG": "0"}, "DAM_SECRET_KEY"),
])
def test_bad_value_stops_start_up_naming_the_variable(tmp_path, env, variable):
    result = _start({"DAM_DATA_DIR": str(tmp_path), **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DAM_", "DATABASE_URL"))}
    full.update({"DAM_DATA_DIR": str(tmp_path), "DAM_DEBUG": "0", "DAM_HTTPS": "1",
                 "DAM_SECRET_KEY": "k" * 30 + "-a-long-random-production-secret-value-0123456789",
                 "DAM_ALLOWED_HOSTS": "dam.example.org"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=full, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
