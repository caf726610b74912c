"""Who may open which page while sign-in is off: the facilitator's own machine, or a participant's round link.

With sign-in configured (:mod:`ui.auth`, S23) this rule does not apply: every page but the participant's asks for
sign-in and the workspace role decides. While sign-in is off the rule is:

- A browser on the machine the app runs on (a loopback client address, 127.0.0.0/8 or ::1) is the facilitator
  and may open every page.
- Any other client, e.g. a phone on the workshop LAN, may open only the participant page (``pages/11_Answer.py``),
  and that page serves only the round its token names. Every other page stops before it reads the store.

The client address is the TCP peer of the browser's WebSocket (``st.context.ip_address``, which reports a loopback
peer as None). Uvicorn, under Streamlit 1.67, replaces it by an ``X-Forwarded-For`` value only when the peer is
itself 127.0.0.1 or ::1 (its ``forwarded_allow_ips`` default), so a phone on the LAN cannot claim to be local.
``WORKBENCH_FACILITATOR_NETWORKS`` (comma-separated networks, e.g. ``10.20.0.0/16``) adds networks whose browsers
count as facilitators, for a deployment behind your own access control.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import streamlit as st

from ui.i18n import t

FACILITATOR_NETWORKS_ENV = "WORKBENCH_FACILITATOR_NETWORKS"
PUBLIC_URL_ENV = "WORKBENCH_PUBLIC_URL"
PARTICIPANT_PAGE = "pages/11_Answer.py"
PARTICIPANT_PATH = "Answer"
# Recognised in a configured address, never bound here.
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})  # nosec B104
# A documentation address (RFC 5737): connecting a UDP socket to it picks the outgoing interface, sends nothing.
ROUTE_PROBE_ADDRESS = ("192.0.2.1", 9)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def facilitator_networks(setting: str | None) -> tuple[Network, ...]:
    """The networks from ``WORKBENCH_FACILITATOR_NETWORKS``; ValueError naming a malformed entry."""
    networks = []
    for part in (setting or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{FACILITATOR_NETWORKS_ENV}: '{part.strip()}' is not a network") from None
    return tuple(networks)


def is_facilitator_address(address: str | None, networks: tuple[Network, ...] = ()) -> bool:
    """True for the app's own machine (None = a loopback peer, as ``st.context.ip_address`` reports it, or an
    address in 127.0.0.0/8, ::1, IPv4-mapped loopback) and for addresses in ``networks``; False otherwise,
    also for anything that is not an IP address."""
    if address is None:
        return True
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return parsed.is_loopback or any(parsed in network for network in networks)


def client_address() -> str | None:
    """The browser's address as Streamlit saw its WebSocket; None for a loopback peer. AppTest's mocked runtime
    reports no text at all, which counts as None (its scripts run in this process)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def facilitator_allowed() -> bool:
    """Whether this browser session may open the facilitator's pages (see the module docstring)."""
    return is_facilitator_address(client_address(), facilitator_networks(os.environ.get(FACILITATOR_NETWORKS_ENV)))


def stop_for_participant() -> None:
    """Stop the page for a browser that is not the facilitator's, pointing it to the participant page."""
    st.warning(t("access.facilitator_only"), icon=":material/lock:")
    st.page_link(PARTICIPANT_PAGE, label=t("access.to_answer"), icon=":material/how_to_vote:")
    st.stop()


def lan_address() -> str | None:
    """This machine's address on the network its default route leads to, or None without one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE_ADDRESS)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def share_base_url() -> str:
    """The address participants type, e.g. ``http://192.168.1.20:8501``.

    ``WORKBENCH_PUBLIC_URL`` if set; else the server's bind address when it is a concrete one; else, when it binds
    every interface, this machine's LAN address; else the address this browser used.
    """
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    if configured:
        return configured
    port = st.get_option("server.port")
    base_path = (st.get_option("server.baseUrlPath") or "").strip("/")
    suffix = f"/{base_path}" if base_path else ""
    address = str(st.get_option("server.address") or "")
    host = address if address not in WILDCARD_ADDRESSES else lan_address()
    if host is None or host in ("127.0.0.1", "localhost", "::1"):
        seen = urlsplit(st.context.url or "")
        if seen.scheme and seen.netloc:
            return f"{seen.scheme}://{seen.netloc}{suffix}"
        host = host or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{suffix}"
