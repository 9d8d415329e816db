"""Calls from the DAM to addresses people typed in (webhooks, connections), and the secrets they carry.

An address is refused unless it is http(s) and every address its host resolves to is public: not loopback,
private, shared, link-local, multicast, unspecified or reserved, and the host is not the DAM itself. A host
listed in settings.DAM_WEBHOOK_ALLOW_HOSTS skips these checks (a receiver on the same machine in development).

`check_url` answers when an address is saved; `post` checks again before each call, because what a name
resolves to can change, and then connects to the very address it checked (never resolving the name a second
time, so a DNS answer that changes between the check and the connection cannot redirect the call) while
sending the name in `Host` and, over TLS, in SNI and the certificate check. Redirects are never followed.
"""
from __future__ import annotations

import base64
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.http.request import validate_host
from django.utils.crypto import salted_hmac

# Seconds to connect, and to wait for each part of the answer. The job that sends has its own time limit
# above both (distribution.webhooks.delivery.TASK_TIMEOUT) for a receiver that trickles its answer.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 10.0
# How much of an answer's body is read: only its status counts, the rest is dropped.
MAX_ANSWER_BYTES = 64 * 1024

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The address may not be called; the message says why, in a sentence."""


class CallFailed(Exception):
    """The call was made and went wrong (no connection, no answer in time, TLS); the message says how."""


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect, and what to call it in Host and TLS."""

    scheme: str
    host: str  # the name (or address) in the URL, lower case, IDNA-encoded, without brackets
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # what `host` resolved to when checked; connections go to these only

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == (443 if self.scheme == "https" else 80) else f"{name}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    location: str
    duration_ms: int


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (a separate function so tests can stand in for DNS)."""
    return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def _allowed(host: str) -> bool:
    return host in {h.strip().lower().rstrip(".").strip("[]") for h in settings.DAM_WEBHOOK_ALLOW_HOSTS}


def _is_dam(host: str) -> bool:
    """The DAM's own public host (DAM_BASE_URL) or one it answers to (ALLOWED_HOSTS, "*" aside).

    Compared by name: a receiver on the same machine under another name (WordPress beside the DAM) is another
    site, and reaching the DAM under an address it does not serve only gets Django's 400.
    """
    own = (urlsplit(settings.DAM_BASE_URL).hostname or "").lower()
    patterns = [p.lower().strip("[]") for p in settings.ALLOWED_HOSTS if p != "*"]
    return host == own or validate_host(host, patterns)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), which is where it really goes."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IpAddress) -> str:
    """Why an address is not public (empty when it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_refusal(inner)
    for kind, test in (("a loopback", address.is_loopback), ("an unspecified", address.is_unspecified),
                       ("a link-local", address.is_link_local), ("a multicast", address.is_multicast),
                       ("a private", address.is_private), ("a reserved", address.is_reserved)):
        if test:
            return f"{kind} address"
    if not address.is_global:
        return "a non-public address"
    return ""


# Names that can never be reached on the internet (RFC 6761): refused even before any lookup.
NEVER_RESOLVE = (".invalid",)


def check_url(url: str, *, unresolved_ok: bool = False) -> Target:
    """The checked target of an address, or Refused with the reason in a sentence.

    `unresolved_ok` (when subscribing): a name that does not resolve now (a receiver not deployed yet, or
    no DNS where the DAM runs) is accepted with no addresses; every delivery checks it again, resolved.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("This is not a valid address.") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http:// and https:// addresses can be called.")
    if parts.username is not None or parts.password is not None:
        raise Refused("Put no user name or password in the address; receivers check the signature instead.")
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise Refused("The address has no host.")
    try:
        host = raw_host.encode("idna").decode("ascii").lower() if not raw_host.isascii() else raw_host.lower()
    except UnicodeError:
        raise Refused("The host name is not valid.") from None
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    allowed = _allowed(host)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    elif f".{host}".endswith(NEVER_RESOLVE) and not allowed:
        raise Refused(f"{host} cannot be found (the name does not resolve).")
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses and not unresolved_ok:
            raise Refused(f"{host} cannot be found (the name does not resolve).")
    if not allowed:
        for text in addresses:
            why = address_refusal(ipaddress.ip_address(text.split("%")[0]))
            if why:
                shown = host if literal is not None else f"{host} (which resolves to {text})"
                raise Refused(f"{shown} is {why}; only public addresses can be called unless the host is "
                              "listed in DAM_WEBHOOK_ALLOW_HOSTS.")
        if _is_dam(host):
            raise Refused(f"{host} is the DAM itself; it cannot call itself.")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to a checked address and return its answer; Refused or CallFailed otherwise."""
    reply = call("POST", url, body=body, headers=headers, max_answer=MAX_ANSWER_BYTES)
    return Answer(status=reply.status, reason=reply.reason, location=reply.headers.get("location", ""),
                  duration_ms=reply.duration_ms)


@dataclass(frozen=True)
class Reply:
    """A whole answer: its status, headers (lower-case names) and at most `max_answer` bytes of its body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    duration_ms: int


def call(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
         max_answer: int = 4 * 1024 * 1024, read_timeout: float | None = None) -> Reply:
    """Call a checked address (the checks of `check_url`, made again now) and return its answer; Refused or
    CallFailed otherwise. Redirects are never followed: the caller sees them and checks the new address."""
    target = check_url(url)
    read_timeout = READ_TIMEOUT if read_timeout is None else read_timeout
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=read_timeout)
    failure = ""
    for address in target.addresses:
        started = time.monotonic()
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            # The connection goes to the checked address; the name is what TLS and the certificate are checked for.
            pool = urllib3.HTTPSConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1,
                                               server_hostname=target.host, assert_hostname=target.host,
                                               cert_reqs="CERT_REQUIRED")
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
        try:
            response = pool.urlopen(method, target.path, body=body,
                                    headers={**(headers or {}), "Host": target.host_header, "Connection": "close"},
                                    redirect=False, retries=False, assert_same_host=False, preload_content=False)
            data = b""
            try:
                data = response.read(max_answer)
            except urllib3.exceptions.HTTPError:
                pass  # a broken body after the status: the caller judges by the status and what did arrive
            finally:
                response.release_conn()
            return Reply(status=response.status, reason=response.reason or "",
                         headers={k.lower(): v for k, v in response.headers.items()}, body=data,
                         duration_ms=round((time.monotonic() - started) * 1000))
        except urllib3.exceptions.NewConnectionError as exc:  # before its base class, ConnectTimeoutError
            failure = f"Could not connect to {target.host_header}: {_cause(exc)}."
        except urllib3.exceptions.ConnectTimeoutError:
            failure = f"Could not connect to {target.host_header} within {CONNECT_TIMEOUT:g} seconds."
        except urllib3.exceptions.ReadTimeoutError:
            # The receiver took the request: trying another of its addresses would send it twice.
            raise CallFailed(f"The receiver did not answer within {read_timeout:g} seconds.") from None
        except urllib3.exceptions.SSLError as exc:
            raise CallFailed(f"The secure connection failed: {_cause(exc)}.") from None
        except urllib3.exceptions.ProtocolError as exc:
            raise CallFailed(f"The receiver closed the connection without a valid answer ({_cause(exc)}).") from None
        except urllib3.exceptions.HTTPError as exc:
            raise CallFailed(f"The call failed: {_cause(exc)}.") from None
        finally:
            pool.close()
    raise CallFailed(failure or f"Could not connect to {target.host_header}.")


def _cause(exc: BaseException) -> str:
    """The innermost reason of a urllib3 error, in a few words."""
    while exc.__context__ is not None and not isinstance(exc, OSError | ValueError):
        exc = exc.__context__
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    text = str(reason).strip().rstrip(".")
    return text[:200] or type(exc).__name__


# --- secrets ------------------------------------------------------------------------------------------------

def _fernet(secret_key: str) -> Fernet:
    key = salted_hmac("distribution.outbound.seal", "outbound secrets", secret=secret_key, algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(key.digest()))


def _box() -> MultiFernet:
    # Sealed with SECRET_KEY; opened with it or a key listed in SECRET_KEY_FALLBACKS (rotation).
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(secret: str) -> str:
    """Encrypt a secret to store it (Fernet, with a key derived from SECRET_KEY)."""
    return _box().encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    """The stored secret; Refused when it was sealed with a key the DAM no longer has."""
    try:
        return _box().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken:
        raise Refused("The stored secret cannot be read: DAM_SECRET_KEY changed since it was made.") from None
