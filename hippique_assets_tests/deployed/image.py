"""The production image for the container tests, built once per session and reused while its inputs
do not change.

``deploy/image/make-base.sh`` makes (once, then from its cache) a stand-in for ``python:3.11-slim``,
since official images cannot be pulled here; ``podman build`` builds the repository's Dockerfile on it.
Both run under an exclusive file lock, so that two pytest workers (or two sessions) wanting the image
at once build it once: the second finds it up to date and reuses it. Up to date means the image under
the tag is the one recorded after the last build of the same inputs (the Dockerfile, what
``.dockerignore`` admits into the build context, the base image).

Skipped, with the reason, where podman or runc is missing, the user is not root, the base cannot be
made or podman cannot run a container; a build that fails for want of network is skipped too, any
other build failure fails.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hippique_assets_tests.deployed.stack import REPO

MAKE_BASE = REPO / "deploy" / "image" / "make-base.sh"
CONTAINERS_CONF = REPO / "deploy" / "image" / "containers.conf"
BASE_IMAGE = os.environ.get("HIPPIQUE_BASE_IMAGE", "localhost/python:3.11-slim")
BASE_CACHE = Path(os.environ.get("HIPPIQUE_BASE_CACHE", "/var/cache/hippique-image-base"))
IMAGE = "localhost/hippique-assets:test"
# The machine's runtime flags (deploy/image/containers.conf holds the rest): crun and the systemd
# cgroup manager fail here.
PODMAN_FLAGS = ("--cgroup-manager", "cgroupfs", "--runtime", "runc")
# The base and the image are built at this niceness (what they start inherits it): a cold build takes
# minutes of both cores, and the days played on the daemon beside it run H-5s due seconds before the off.
BACKGROUND = ("nice", "-n", "10")
# The build context as .dockerignore admits it, and the files that shape the build.
BUILD_INPUTS = (
    "Dockerfile",
    ".dockerignore",
    "pyproject.toml",
    "uv.lock",
    "README.md",
    "replay/pyproject.toml",
    "deploy/workspace.yaml",
    "deploy/dagster.yaml",
    "hippique_assets",
)
NETWORK_FAILURE = re.compile(
    r"(temporary failure in name resolution|could not resolve|network is unreachable|connection refused"
    r"|failed to fetch|error sending request|tcp connect error|timed out)",
    re.I,
)


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    image_id: str
    # Seconds spent building in this session; 0 when an up-to-date image was reused.
    build_s: float
    reused: bool
    size_bytes: int


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(
    *args: str, timeout_s: float = 120, check: bool = True, background: bool = False
) -> subprocess.CompletedProcess[str]:
    """``podman`` as it runs on these machines (cgroupfs, runc); a failure shows its output.
    ``background``: at a lower priority (a build), so that the days played on the daemon beside it
    keep their seconds-long windows."""
    done = subprocess.run(
        [*(BACKGROUND if background else ()), "podman", *PODMAN_FLAGS, *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"podman {' '.join(args[:3])} ... exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return done


def healthy(name: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """The container's own HEALTHCHECK, run until it passes or ``timeout_s`` is over."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            checked = podman("healthcheck", "run", name, check=False, timeout_s=60)
        except subprocess.TimeoutExpired:
            # A check that does not answer (a starved machine) is a failed attempt, as podman's own
            # healthcheck timeout makes it; the deadline bounds the attempts.
            checked = subprocess.CompletedProcess([name], 1, "", "the healthcheck did not answer in 60 s")
        if checked.returncode == 0 or time.monotonic() > deadline:
            return checked
        time.sleep(1)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def make_base() -> None:
    """The stand-in base image, or a skip naming what is missing."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install -y podman runc debootstrap)")
    if shutil.which("runc") is None:
        pytest.skip("runc is not installed (apt-get install -y runc): podman's crun fails here")
    if os.geteuid() != 0:
        pytest.skip("podman builds and runs the image as root here; not root")
    done = subprocess.run(
        [*BACKGROUND, str(MAKE_BASE)],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode == 3:
        pytest.skip(last_line(done.stderr))
    assert done.returncode == 0, done.stdout + done.stderr
    # The base's age and Debian snapshot, in the test report (-rA / -s).
    print(last_line(done.stdout))
    tried = podman("run", "--rm", "--network", "host", "--ulimit", "host", BASE_IMAGE, "true", check=False)
    if tried.returncode != 0:
        pytest.skip(f"podman cannot run a container here: {last_line(tried.stderr)}")


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` (the machine's trust authentication ignores it; the tests search the
    image and the containers for it)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def image_id(tag: str) -> str | None:
    done = podman("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def inputs_digest(base_id: str) -> str:
    """What the build depends on: the base image and every file of the build context."""
    digest = hashlib.sha256(base_id.encode())
    for name in BUILD_INPUTS:
        path = REPO / name
        files = sorted(
            p
            for p in (path.rglob("*") if path.is_dir() else [path])
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
        for file in files:
            digest.update(str(file.relative_to(REPO)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def build(tag: str) -> float:
    """``podman build`` of the Dockerfile on the stand-in; its duration in seconds."""
    started = time.monotonic()
    done = podman(
        "build",
        # HEALTHCHECK and STOPSIGNAL are kept in the docker format only.
        "--format",
        "docker",
        "--network",
        "host",
        # The Dockerfile's two stages side by side (the product's and the dependencies' layers) when
        # neither is cached.
        "--jobs",
        "2",
        "--build-arg",
        f"BASE_IMAGE={BASE_IMAGE}",
        "-t",
        tag,
        "-f",
        str(REPO / "Dockerfile"),
        str(REPO),
        timeout_s=1200,
        check=False,
        background=True,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if NETWORK_FAILURE.search(output):
            pytest.skip(f"podman build could not reach the package registries: {last_line(output)}")
        raise AssertionError(f"podman build failed:\n{output[-4000:]}")
    return time.monotonic() - started


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """One holder at a time across processes (pytest workers, other sessions)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_image(tag: str = IMAGE) -> BuiltImage:
    """The image under ``tag``, built unless the one there was built from the same inputs."""
    with exclusive(BASE_CACHE / "build.lock"):
        make_base()
        base_id = image_id(BASE_IMAGE)
        assert base_id, f"{BASE_IMAGE} is missing after make-base.sh"
        digest = inputs_digest(base_id)
        stamp = BASE_CACHE / (re.sub(r"[^A-Za-z0-9_.-]", "_", tag) + ".json")
        recorded = json.loads(stamp.read_text()) if stamp.is_file() else {}
        current = image_id(tag)
        reused = current is not None and recorded == {"inputs": digest, "image_id": current}
        build_s = 0.0
        if not reused:
            build_s = build(tag)
            current = image_id(tag)
            assert current, f"{tag} is missing after its build"
            stamp.write_text(json.dumps({"inputs": digest, "image_id": current}))
        assert current is not None
        size = podman("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip()
        return BuiltImage(tag, current, build_s, reused, int(size))
