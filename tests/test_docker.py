"""The compose file validates offline (Debian's docker-compose 1.29 needs no engine for `config`)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.support import REPO

COMPOSE = REPO / "docker" / "compose.yaml"


def _config(**env: str) -> subprocess.CompletedProcess:
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose is not installed (the test command installs Debian's docker-compose)")
    return subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env},
    )  # fmt: skip


def test_compose_file_is_valid_and_points_the_app_at_neo4j():
    result = _config(NEO4J_PASSWORD="secret-for-test")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert config["services"]["neo4j"]["image"].startswith("neo4j:5")
    app = config["services"]["app"]["environment"]
    assert app["NEO4J_URI"] == "bolt://neo4j:7687" and app["NEO4J_PASSWORD"] == "secret-for-test"


def test_compose_refuses_to_run_without_a_password():
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose is not installed")
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0 and "NEO4J_PASSWORD" in result.stderr
