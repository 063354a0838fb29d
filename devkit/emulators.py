"""Start and stop the Firestore and Pub/Sub emulators of the Google Cloud CLI, directly and fast."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

INSTALL_HINT: Final = (
    "The Google Cloud CLI emulators are needed: install the Google Cloud CLI and the components "
    "'cloud-firestore-emulator' and 'pubsub-emulator' (Debian: apt-get install google-cloud-cli "
    "google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator), and Java 17 or newer "
    "(Debian: apt-get install openjdk-17-jre-headless)."
)


class EmulatorError(RuntimeError):
    """An emulator could not be found or did not become ready."""


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sdk_root() -> Path:
    """The Google Cloud SDK root (where the emulator jars live)."""
    env = os.environ.get("CLOUDSDK_ROOT_DIR")
    if env and Path(env, "platform").is_dir():
        return Path(env)
    gcloud = shutil.which("gcloud")
    if gcloud:
        try:
            out = subprocess.run(
                [gcloud, "info", "--format=value(installation.sdk_root)"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
            if out and Path(out, "platform").is_dir():
                return Path(out)
        except (subprocess.SubprocessError, OSError):
            pass
    for candidate in ("/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk", "/opt/google-cloud-sdk"):
        if Path(candidate, "platform").is_dir():
            return Path(candidate)
    raise EmulatorError(INSTALL_HINT)


def _wait_ready(host: str, proc: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EmulatorError(f"the {name} emulator exited with code {proc.returncode}. {INSTALL_HINT}")
        try:
            with urllib.request.urlopen(f"http://{host}/", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise EmulatorError(f"the {name} emulator did not answer on {host} within {timeout:.0f} s")


# JVM flags for both emulators: the JIT's first tier only. The emulators are short-lived; on a busy two-core
# machine the optimising compiler competes with the tests for the CPU. Measured here: an emulator answers a second
# or more sooner after a start (the test session's, each subprocess stack's and restart_firestore's), and 3,000
# writes and reads on a fresh Firestore emulator took 15-16 s instead of 25-28 s; two whole integration files ran
# within noise of the defaults (85-93 s against 90-94 s). EMULATOR_JAVA_OPTS replaces them ("" for the defaults).
JAVA_FLAGS: Final = "-XX:TieredStopAtLevel=1"


def java_flags() -> list[str]:
    """The JVM flags the emulators are started with."""
    return os.environ.get("EMULATOR_JAVA_OPTS", JAVA_FLAGS).split()


def _firestore_argv(jar: Path, port: str) -> list[str]:
    """The command line of the Firestore emulator on 127.0.0.1:port."""
    return [
        "java",
        *java_flags(),
        "-Duser.language=en",
        "-cp",
        str(jar),
        "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
        "start",
        "--host=127.0.0.1",
        f"--port={port}",
    ]


@dataclass
class Emulators:
    """The two emulators, each in its own process group so that stopping them leaves no orphans."""

    project: str = "qorgau-local"
    log_dir: Path | None = None
    firestore_host: str = ""
    pubsub_host: str = ""
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 60.0) -> Emulators:
        """Start both on free ports and wait until each answers."""
        if shutil.which("java") is None:
            raise EmulatorError(INSTALL_HINT)
        root = sdk_root()
        jar = root / "platform" / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar"
        pubsub = root / "platform" / "pubsub-emulator" / "bin" / "cloud-pubsub-emulator"
        if not jar.exists() or not pubsub.exists():
            raise EmulatorError(INSTALL_HINT)
        atexit.register(self.stop)
        self.firestore_host = f"127.0.0.1:{free_port()}"
        self.pubsub_host = f"127.0.0.1:{free_port()}"
        fs_port = self.firestore_host.rsplit(":", 1)[1]
        ps_port = self.pubsub_host.rsplit(":", 1)[1]
        self._spawn("firestore", _firestore_argv(jar, fs_port))
        self._spawn("pubsub", [str(pubsub), "--host=127.0.0.1", f"--port={ps_port}"])
        _wait_ready(self.firestore_host, self._procs[0], "Firestore", timeout)
        _wait_ready(self.pubsub_host, self._procs[1], "Pub/Sub", timeout)
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        out = subprocess.DEVNULL
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = (self.log_dir / f"{name}-emulator.log").open("ab")  # type: ignore[assignment]
        # the Pub/Sub emulator's launcher script passes JAVA_OPTS to its JVM
        env = os.environ | {"JAVA_OPTS": " ".join([os.environ.get("JAVA_OPTS", ""), *java_flags()]).strip()}
        self._procs.append(
            subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        )

    def env(self) -> dict[str, str]:
        """The environment variables that point Google's clients at these emulators."""
        return {
            "FIRESTORE_EMULATOR_HOST": self.firestore_host,
            "PUBSUB_EMULATOR_HOST": self.pubsub_host,
            "GOOGLE_CLOUD_PROJECT": self.project,
        }

    def reset_firestore(self) -> None:
        """Delete every document of the project's default database."""
        url = f"http://{self.firestore_host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=60).close()

    def stop(self) -> None:
        """Stop both emulators, whole process groups (the Java child included)."""
        for proc in self._procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGCONT)  # a paused emulator does not act on SIGTERM
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        self._procs.clear()

    def _group(self, component: str) -> int:
        index = {"firestore": 0, "pubsub": 1}[component]
        return self._procs[index].pid

    def pause(self, component: str) -> None:
        """Freeze one emulator ("firestore" or "pubsub") with SIGSTOP: clients hang as in an outage, data stays."""
        os.killpg(self._group(component), signal.SIGSTOP)

    def resume(self, component: str) -> None:
        """Thaw an emulator frozen by pause()."""
        os.killpg(self._group(component), signal.SIGCONT)

    def stop_firestore(self) -> None:
        """Stop only the Firestore emulator (fault injection)."""
        proc = self._procs[0]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def restart_firestore(self, timeout: float = 60.0) -> None:
        """Start the Firestore emulator again on the same port (its data is gone)."""
        root = sdk_root()
        jar = root / "platform" / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar"
        port = self.firestore_host.rsplit(":", 1)[1]
        out = subprocess.DEVNULL
        proc = subprocess.Popen(
            _firestore_argv(jar, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._procs[0] = proc
        _wait_ready(self.firestore_host, proc, "Firestore", timeout)


if __name__ == "__main__":
    try:
        emulators = Emulators().start()
    except EmulatorError as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from error
    sys.stdout.write(" ".join(f"{k}={v}" for k, v in emulators.env().items()) + "\n")
    sys.stdout.flush()
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        emulators.stop()
