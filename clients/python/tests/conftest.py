"""Fixtures: the real DriftGuard release server, started once for the session on a free
port with a temporary data folder and an admin made by ``driftguard user create``; signed-in
clients of each role; the reference data pair as DataFrames.

The binary is ``$DRIFTGUARD_BIN``, else ``target/release/driftguard`` of this checkout
(``cargo build --release -p driftguard``). A missing binary or a server that does not get
ready is a failure, never a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

import driftguard

REPO = Path(__file__).resolve().parents[3]
ADMIN_EMAIL = "admin@example.com"
PASSWORD = "a-long-test-password"


def binary() -> Path:
    path = Path(os.environ.get("DRIFTGUARD_BIN") or REPO / "target/release/driftguard")
    if not path.is_file():
        pytest.fail(
            f"no driftguard binary at {path}: run `cargo build --release -p driftguard` or set "
            "DRIFTGUARD_BIN"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``driftguard serve``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"http://127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            "DRIFTGUARD_BIND": self.url.removeprefix("http://"),
            "DRIFTGUARD_DATA_DIR": str(folder / "data"),
            "DRIFTGUARD_DATABASE_URL": f"sqlite://{folder}/data/driftguard.db",
            "DRIFTGUARD_LOG_DIR": str(folder / "logs"),
            # The suite signs in more often than the 5 a minute a client IP is allowed.
            "DRIFTGUARD_RATE_LIMITS__ENABLED": "false",
            "DRIFTGUARD_WORKERS": "2",
        }
        self.log = folder / "server.out"
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str, stdin: str = "") -> str:
        """Runs a CLI command against the server's settings (in its folder)."""
        done = subprocess.run(
            [str(binary()), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.folder,
            timeout=120,
        )
        assert done.returncode == 0, f"driftguard {' '.join(args)}: {done.stderr}"
        return done.stdout

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(binary()), "serve"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.folder,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the server was not ready within 60 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("driftguard-server")
    server = Server(folder)
    # The first admin comes from the CLI, as in production (it migrates the new database).
    server.run("user", "create", "--email", ADMIN_EMAIL, "--role", "admin", stdin=PASSWORD + "\n")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def admin(server: Server) -> Iterator[driftguard.Client]:
    with driftguard.Client(server.url) as client:
        client.login(ADMIN_EMAIL, PASSWORD)
        yield client


def account(server: Server, admin: driftguard.Client, role: str) -> driftguard.Client:
    """A new account of ``role``: registered (a viewer), promoted by the admin, signed in."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    client = driftguard.Client(server.url)
    user = client.auth.register(email, PASSWORD, full_name=f"Test {role}")
    if role != "viewer":
        admin.users.set_role(user["id"], role)
    client.login(email, PASSWORD)
    return client


@pytest.fixture(scope="session")
def engineer(server: Server, admin: driftguard.Client) -> Iterator[driftguard.Client]:
    with account(server, admin, "engineer") as client:
        yield client


@pytest.fixture(scope="session")
def approver(server: Server, admin: driftguard.Client) -> Iterator[driftguard.Client]:
    with account(server, admin, "approver") as client:
        yield client


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    folder = Path(os.environ.get("DRIFTGUARD_REFERENCE_DIR") or REPO / "testdata/reference")
    assert (folder / "reference_10k.csv").is_file(), f"no reference data in {folder}"
    return folder


@pytest.fixture(scope="session")
def reference_df(reference_dir: Path) -> pd.DataFrame:
    """10,000 rows: 14 numeric and 6 categorical features, prediction, label, score, group."""
    return pd.read_csv(reference_dir / "reference_10k.csv")


@pytest.fixture(scope="session")
def current_df(reference_dir: Path) -> pd.DataFrame:
    """The same columns, drifted on 8 features and unfair to one group: it fails the
    default policy."""
    return pd.read_csv(reference_dir / "current_10k.csv")


ROLES = {"prediction": "prediction", "label": "label", "score": "score"}


def new_model(client: driftguard.Client, **roles: object) -> dict:
    name = f"credit-{uuid.uuid4().hex[:8]}"
    columns = {**ROLES, **roles}
    return client.models.create(
        name, "1.0.0", "binary_classification", "high", framework="sklearn", columns=columns
    )


@pytest.fixture
def model(engineer: driftguard.Client) -> dict:
    """A new model version with the reference data's column roles, ``group`` sensitive (the
    reference data is unfair to one group: every evaluation fails the default policy)."""
    return new_model(engineer, sensitive=["group"])


@pytest.fixture
def plain_model(engineer: driftguard.Client) -> dict:
    """A new model version with no sensitive column: data like its reference passes."""
    return new_model(engineer)
