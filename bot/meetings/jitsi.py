"""Secure Jitsi meeting links: unguessable room names and signed join tokens.

A room name is the only thing that keeps strangers out of a server without token
authentication, so it carries 128 random bits. Servers that use Prosody's ``token``
authentication (jitsi-meet ``doc/tokens.md``) also get a personal HS256 JWT per
participant, valid only for one room and only around the meeting's time.
"""

from __future__ import annotations

import base64
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt

AUDIENCE = "jitsi"
ALGORITHM = "HS256"
ROOM_PREFIX_MAX = 30
ROOM_RANDOM_BYTES = 16  # 128 bits: not guessable or enumerable
ROOM_FALLBACK = "meeting"
# Claims every token we issue carries; a token missing one of them is not ours.
REQUIRED_CLAIMS = ["aud", "iss", "sub", "room", "exp", "nbf", "iat"]

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MIN_SECRET_BYTES = 32  # shorter HS256 keys are guessable (RFC 7518 §3.2)


@dataclass(frozen=True, slots=True)
class JitsiConfig:
    """Where meetings happen and, for token-protected servers, how to sign links.

    Attributes:
        server: Base URL of the Jitsi server, e.g. ``https://meet.example.com``.
        app_id: The ``app_id`` configured in Prosody; becomes the token's ``iss``.
        secret: The ``app_secret`` shared with Prosody; signs the tokens.
    """

    server: str = "https://meet.jit.si"
    app_id: str | None = None
    secret: str | None = None

    @property
    def signed(self) -> bool:
        """Whether links carry a JWT (the server checks tokens)."""
        return bool(self.app_id) and bool(self.secret)


def normalize_server(url: str) -> str:
    """Return the canonical base URL of a Jitsi server.

    Args:
        url: ``meet.example.com``, ``https://meet.example.com/`` or similar; a
            missing scheme means https. A port is kept.

    Returns:
        ``scheme://host[:port]`` in lower case, without a trailing slash.

    Raises:
        ValueError: If the URL is not a plain http(s) host (path, query, fragment,
            credentials or another scheme).
    """
    text = url.strip()
    if not text:
        raise ValueError("The server URL is empty.")
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("The server URL must start with http:// or https://.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("The server URL must be a host only, without a path or query.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("The server URL must not contain credentials.")
    host = (parts.hostname or "").rstrip(".")
    if not _valid_host(host):
        raise ValueError("The server URL has no valid host name.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("The server URL has an invalid port.") from None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def _valid_host(host: str) -> bool:
    """Whether ``host`` (already lower case) is a DNS name or IPv4 address."""
    return bool(host) and len(host) <= 253 and all(_HOST_LABEL.match(p) for p in host.split("."))


def server_host(server: str) -> str:
    """The host name of a server URL, without port: the token's ``sub`` claim.

    Raises:
        ValueError: If the URL is not valid (see :func:`normalize_server`).
    """
    return urlsplit(normalize_server(server)).hostname or ""


def _slug(text: str) -> str:
    """A readable, URL-safe ASCII form of ``text`` (may be empty)."""
    # NFKD splits "ñ" into "n" + a combining tilde, which the ASCII encode then drops.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    # Cutting can leave a dash at the end, which would double up with the separator.
    return slug[:ROOM_PREFIX_MAX].rstrip("-")


def room_name(project_name: str) -> str:
    """A new unguessable room name with a readable project prefix.

    Args:
        project_name: Any text; only its ASCII-folded slug is used.

    Returns:
        E.g. ``diseno-web-`` followed by 26 base32 characters (128 random bits);
        always matches ``^[a-z0-9-]+$``.
    """
    prefix = _slug(project_name) or ROOM_FALLBACK
    random_part = base64.b32encode(secrets.token_bytes(ROOM_RANDOM_BYTES)).decode("ascii")
    # Padding ("=") is not URL-safe and carries no information.
    return f"{prefix}-{random_part.rstrip('=').lower()}"


def _epoch(moment: datetime, what: str) -> int:
    """Whole epoch seconds of an aware datetime (JWT NumericDate).

    Raises:
        ValueError: If ``moment`` is naive, whose instant would be a guess.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware.")
    return int(moment.timestamp())


def token_claims(config: JitsiConfig, room: str, *, user_id: str, name: str,
                 email: str | None, moderator: bool, not_before: datetime,
                 expires: datetime, issued_at: datetime | None = None) -> dict[str, Any]:
    """The JWT claims that let one person into one room during one window.

    Args:
        config: A signed configuration (its ``app_id`` is the issuer).
        room: The room name, exactly as in the link.
        user_id: Stable id of the person (shown to nobody, kept in server logs).
        name: Display name in the meeting.
        email: Optional e-mail (Jitsi uses it for the Gravatar).
        moderator: True for the host.
        not_before: Aware datetime from which the token is accepted.
        expires: Aware datetime from which it is refused.
        issued_at: When the token is made; defaults to the current time.

    Returns:
        A JSON-serialisable claims dictionary.

    Raises:
        ValueError: For naive datetimes, an empty window or a bad server URL.
    """
    nbf, exp = _epoch(not_before, "not_before"), _epoch(expires, "expires")
    if exp <= nbf:
        raise ValueError("expires must be after not_before.")
    iat = _epoch(issued_at if issued_at is not None else datetime.now(UTC), "issued_at")
    user: dict[str, Any] = {"id": user_id, "name": name}
    # Omitted rather than null: Prosody's Lua decodes JSON null to a truthy value.
    if email:
        user["email"] = email
    return {
        "aud": AUDIENCE,
        "iss": config.app_id,
        "sub": server_host(config.server),
        "room": room,
        "iat": iat,
        "nbf": nbf,
        "exp": exp,
        "context": {"user": user},
        "moderator": moderator,
    }


def meeting_link(config: JitsiConfig, room: str, *, user_id: str = "", name: str = "",
                 email: str | None = None, moderator: bool = False,
                 not_before: datetime | None = None, expires: datetime | None = None) -> str:
    """The address to join ``room``, with a personal token when the server checks them.

    Args:
        config: The Jitsi server and, optionally, its token credentials.
        room: The room name.
        user_id: See :func:`token_claims` (used only when signed).
        name: See :func:`token_claims`.
        email: See :func:`token_claims`.
        moderator: See :func:`token_claims`.
        not_before: Start of the token's validity; required when signed.
        expires: End of the token's validity; required when signed.

    Returns:
        ``{server}/{room}``, or ``{server}/{room}?jwt={token}`` when signed.

    Raises:
        ValueError: If signed and the validity window is missing or invalid, or the
            server URL is invalid.
    """
    base = f"{normalize_server(config.server)}/{room}"
    secret = config.secret
    if not config.signed or secret is None:
        return base
    if not_before is None or expires is None:
        raise ValueError("A signed link needs not_before and expires.")
    claims = token_claims(config, room, user_id=user_id, name=name, email=email,
                          moderator=moderator, not_before=not_before, expires=expires)
    token = jwt.encode(claims, secret, algorithm=ALGORITHM)
    # A JWT is base64url segments joined by dots: already safe in a query string.
    return f"{base}?jwt={token}"


def verify_token(config: JitsiConfig, token: str, *, room: str, now: datetime | None = None,
                 leeway: timedelta = timedelta(0)) -> dict[str, Any]:
    """Check a token the way the Jitsi server would and return its claims.

    Args:
        config: The signed configuration that issued it.
        token: The encoded JWT (the ``jwt`` query value of a link).
        room: The room the token must be for.
        now: Aware datetime to check the time window against; default: the clock.
        leeway: Clock skew tolerated on ``nbf``/``exp``.

    Returns:
        The decoded claims.

    Raises:
        ValueError: If ``config`` is not signed or ``now`` is naive.
        jwt.ExpiredSignatureError: If the token has expired at ``now``.
        jwt.ImmatureSignatureError: If the token is not yet valid at ``now``.
        jwt.InvalidTokenError: For a bad signature, audience, issuer, subject,
            missing claim or another room.
    """
    secret = config.secret
    if not config.signed or secret is None:
        raise ValueError("Only a signed Jitsi configuration has tokens to verify.")
    # PyJWT always compares with the real clock, so with an explicit ``now`` its time
    # checks (iat included, which it refuses when in the future) are done below instead.
    time_checks = now is None
    options: dict[str, Any] = {"require": REQUIRED_CLAIMS, "verify_exp": time_checks,
                               "verify_nbf": time_checks, "verify_iat": time_checks}
    claims: dict[str, Any] = jwt.decode(
        token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
        issuer=config.app_id, subject=server_host(config.server), options=options,
        leeway=leeway)
    if now is not None:
        _check_window(claims, _epoch(now, "now"), leeway.total_seconds())
    if claims.get("room") != room:
        raise jwt.InvalidTokenError("The token is for another room.")
    return claims


def _check_window(claims: dict[str, Any], now: int, leeway: float) -> None:
    """PyJWT's exp/nbf rules, applied at ``now`` instead of the clock."""
    try:
        exp, nbf = int(claims["exp"]), int(claims["nbf"])
    except (TypeError, ValueError):
        raise jwt.DecodeError("exp and nbf must be integers.") from None
    if exp <= now - leeway:
        raise jwt.ExpiredSignatureError("Signature has expired")
    if nbf > now + leeway:
        raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
