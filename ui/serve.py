"""``make workshop``: serve the app to a workshop on the local network (S21), with XSRF and CORS protection on.

The server listens on every interface, so that the facilitator keeps ``http://localhost:PORT`` (a loopback
address, which :mod:`ui.access` requires for every page but the participant's) while phones on the LAN use this
machine's LAN address, which is printed and becomes the address on the projector (``WORKBENCH_PUBLIC_URL``).
WebSocket connections are accepted only for the Host names localhost, 127.0.0.1 and that LAN address
(``server.allowedHosts``, against DNS rebinding) and only from the app's own origin (``server.enableCORS``);
``server.enableXsrfProtection`` guards uploads. Usage: ``python -m ui.serve [--port 8501]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ui.access import PARTICIPANT_PATH, PUBLIC_URL_ENV, lan_address

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PORT = 8501
# Every interface, on purpose: phones on the LAN answer (XSRF, CORS and allowed hosts as the docstring says).
ALL_INTERFACES = "0.0.0.0"  # nosec B104


def workshop_command(port: int, lan: str | None, python: str = sys.executable) -> list[str]:
    """The ``streamlit run`` command line for a workshop on ``port``; ``lan`` is this machine's LAN address."""
    hosts = ["localhost", "127.0.0.1", *([lan] if lan else [])]
    return [
        python, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.address", ALL_INTERFACES, "--server.port", str(port), "--server.headless", "true",
        "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
        *(argument for host in hosts for argument in ("--server.allowedHosts", host)),
    ]


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ui.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    port = parser.parse_args(arguments).port
    lan = lan_address()
    environment = dict(os.environ)
    if lan and not environment.get(PUBLIC_URL_ENV):
        environment[PUBLIC_URL_ENV] = f"http://{lan}:{port}"
    print(f"Facilitator, on this machine only: http://localhost:{port}/Workshop")
    if lan:
        print(f"Participants: {environment[PUBLIC_URL_ENV]}/{PARTICIPANT_PATH} (the QR code on the Workshop page)")
    else:
        print("No LAN address found: connect this machine to the workshop network, then start again.")
    sys.stdout.flush()
    command = workshop_command(port, lan)
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    # A fixed argument list, no shell.
    os.execve(command[0], command, environment)  # nosec B606


if __name__ == "__main__":
    main()
