"""Jitsi room names, links and tokens."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jwt
import pytest

from bot.meetings.jitsi import (
    JitsiConfig,
    meeting_link,
    normalize_server,
    room_name,
    token_claims,
    verify_token,
)

ROOM_RE = re.compile(r"^[a-z0-9-]+$")
# At least 32 bytes: PyJWT warns about shorter HS256 keys.
SECRET = "s3cret-key-for-tests-0123456789abcdef"
APP_ID = "v1tr0"
SIGNED = JitsiConfig(server="https://meet.example.com", app_id=APP_ID, secret=SECRET)
START = datetime(2030, 5, 6, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
NOT_BEFORE = START - timedelta(minutes=15)
EXPIRES = END + timedelta(hours=1)


def _random_part(name: str) -> str:
    return name.rsplit("-", 1)[1]


def _signed_link(room: str = "proj-abc", *, moderator: bool = False,
                 email: str | None = "ana@example.com") -> str:
    return meeting_link(SIGNED, room, user_id="42", name="Ana", email=email,
                        moderator=moderator, not_before=NOT_BEFORE, expires=EXPIRES)


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["jwt"][0]


def _decode(token: str, secret: str = SECRET) -> dict[str, Any]:
    # The window lies in 2030, so the real-clock nbf check is off here.
    return jwt.decode(token, secret, algorithms=["HS256"], audience="jitsi", issuer=APP_ID,
                      options={"verify_nbf": False})


# Room names


def test_room_name_format_and_prefix() -> None:
    name = room_name("Diseño Web!")
    assert ROOM_RE.match(name)
    assert name.startswith("diseno-web-")
    assert re.fullmatch(r"[a-z2-7]{26}", _random_part(name))


def test_room_name_prefix_is_slugged_and_short() -> None:
    assert room_name("  --Ärger & Co.--  ").startswith("arger-co-")
    prefix = room_name("x" * 29 + " tail of a very long project name").rsplit("-", 1)[0]
    assert len(prefix) <= 30 and not prefix.endswith("-")
    assert all(ROOM_RE.match(room_name(text)) for text in ["日本語", "a/b?c#d", "UPPER lower"])


def test_room_name_falls_back_when_nothing_is_left() -> None:
    assert room_name("").startswith("meeting-")
    assert room_name("!!! ¿? ").startswith("meeting-")
    assert room_name("日本語").startswith("meeting-")


def test_room_names_are_unique() -> None:
    assert len({room_name("Project") for _ in range(1000)}) == 1000


def test_room_name_random_part_has_128_balanced_bits() -> None:
    parts = [_random_part(room_name("Project")) for _ in range(1000)]
    raw = [base64.b32decode(part.upper() + "=" * 6) for part in parts]
    assert all(len(item) == 16 for item in raw)
    numbers = [int.from_bytes(item, "big") for item in raw]
    for bit in range(128):
        share = sum((number >> bit) & 1 for number in numbers) / len(numbers)
        # Random bits land near 50% (std dev 1.6%); a constant or counter would not.
        assert 0.35 <= share <= 0.65, f"bit {bit} set in {share:.0%} of names"


# Links and tokens


def test_unsigned_config_gives_plain_link() -> None:
    link = meeting_link(JitsiConfig(), "proj-abc", name="Ana", moderator=True)
    assert link == "https://meet.jit.si/proj-abc"
    assert "jwt" not in link
    assert not JitsiConfig(app_id="only-id").signed
    assert not JitsiConfig(secret="only-secret").signed
    assert SIGNED.signed


def test_signed_link_carries_all_claims() -> None:
    link = _signed_link(moderator=True)
    assert link.startswith("https://meet.example.com/proj-abc?jwt=")
    claims = _decode(_token(link))
    assert claims["aud"] == "jitsi"
    assert claims["iss"] == APP_ID
    assert claims["sub"] == "meet.example.com"
    assert claims["room"] == "proj-abc"
    assert claims["nbf"] == int(NOT_BEFORE.timestamp())
    assert claims["exp"] == int(EXPIRES.timestamp())
    assert isinstance(claims["iat"], int)
    assert claims["context"]["user"] == {"id": "42", "name": "Ana", "email": "ana@example.com"}
    assert claims["moderator"] is True


def test_guest_token_is_not_moderator_and_has_no_null_email() -> None:
    claims = _decode(_token(_signed_link(moderator=False, email=None)))
    assert claims["moderator"] is False
    assert "email" not in claims["context"]["user"]


def test_token_claims_convert_any_timezone_to_epoch() -> None:
    madrid = NOT_BEFORE.astimezone(ZoneInfo("Europe/Madrid"))
    claims = token_claims(SIGNED, "r", user_id="1", name="A", email=None, moderator=False,
                          not_before=madrid, expires=EXPIRES, issued_at=START)
    assert claims["nbf"] == int(NOT_BEFORE.timestamp())
    assert claims["iat"] == int(START.timestamp())


def test_wrong_secret_fails_verification() -> None:
    token = _token(_signed_link())
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(token, "another-secret-that-is-long-enough-0123")
    forged = JitsiConfig(server=SIGNED.server, app_id=APP_ID,
                         secret="another-secret-that-is-long-enough-0123")
    with pytest.raises(jwt.InvalidSignatureError):
        verify_token(forged, token, room="proj-abc", now=START)


def test_verify_token_checks_the_time_window() -> None:
    token = _token(_signed_link())
    assert verify_token(SIGNED, token, room="proj-abc", now=START)["room"] == "proj-abc"
    assert verify_token(SIGNED, token, room="proj-abc", now=NOT_BEFORE)
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_token(SIGNED, token, room="proj-abc", now=EXPIRES + timedelta(seconds=1))
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_token(SIGNED, token, room="proj-abc", now=EXPIRES)
    with pytest.raises(jwt.ImmatureSignatureError):
        verify_token(SIGNED, token, room="proj-abc", now=NOT_BEFORE - timedelta(seconds=1))
    # Leeway tolerates a little clock skew on both ends.
    assert verify_token(SIGNED, token, room="proj-abc", now=EXPIRES,
                        leeway=timedelta(seconds=5))


def test_verify_token_with_the_real_clock() -> None:
    # The window lies in 2030: PyJWT's own nbf check refuses it today.
    with pytest.raises(jwt.ImmatureSignatureError):
        verify_token(SIGNED, _token(_signed_link()), room="proj-abc")
    now = datetime.now(UTC)
    link = meeting_link(SIGNED, "live", user_id="1", name="A", not_before=now - timedelta(days=1),
                        expires=now + timedelta(days=1))
    assert verify_token(SIGNED, _token(link), room="live")["room"] == "live"


def test_token_for_another_room_is_rejected() -> None:
    token = _token(_signed_link("proj-abc"))
    with pytest.raises(jwt.InvalidTokenError, match="another room"):
        verify_token(SIGNED, token, room="proj-xyz", now=START)


def test_token_from_another_issuer_or_server_is_rejected() -> None:
    token = _token(_signed_link())
    other_app = JitsiConfig(server=SIGNED.server, app_id="someone-else", secret=SECRET)
    with pytest.raises(jwt.InvalidIssuerError):
        verify_token(other_app, token, room="proj-abc", now=START)
    other_host = JitsiConfig(server="https://meet.other.org", app_id=APP_ID, secret=SECRET)
    with pytest.raises(jwt.exceptions.InvalidSubjectError):
        verify_token(other_host, token, room="proj-abc", now=START)


def test_verify_token_needs_a_signed_config_and_aware_now() -> None:
    token = _token(_signed_link())
    with pytest.raises(ValueError):
        verify_token(JitsiConfig(), token, room="proj-abc")
    with pytest.raises(ValueError):
        verify_token(SIGNED, token, room="proj-abc", now=datetime(2030, 5, 6, 10))


def test_signed_link_needs_a_valid_window() -> None:
    with pytest.raises(ValueError):
        meeting_link(SIGNED, "r", name="Ana", not_before=NOT_BEFORE)
    with pytest.raises(ValueError):
        meeting_link(SIGNED, "r", name="Ana", expires=EXPIRES)
    with pytest.raises(ValueError):
        meeting_link(SIGNED, "r", name="Ana", not_before=EXPIRES, expires=NOT_BEFORE)
    with pytest.raises(ValueError):
        meeting_link(SIGNED, "r", name="Ana", not_before=datetime(2030, 1, 1),
                     expires=datetime(2030, 1, 2))


# Server URLs


@pytest.mark.parametrize(("url", "expected"), [
    ("meet.example.com", "https://meet.example.com"),
    ("https://meet.example.com/", "https://meet.example.com"),
    ("  HTTPS://Meet.Example.COM  ", "https://meet.example.com"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("meet.example.com:8443/", "https://meet.example.com:8443"),
])
def test_normalize_server_accepts_hosts(url: str, expected: str) -> None:
    assert normalize_server(url) == expected


@pytest.mark.parametrize("url", [
    "", "   ", "ftp://meet.example.com", "https://meet.example.com/room",
    "https://meet.example.com?x=1", "https://meet.example.com/#top", "https://user:pw@meet.example.com",
    "https://", "https://exa mple.com", "https://-bad-.com", "https://meet.example.com:99999",
    "javascript:alert(1)", "https://meet.example.com?",
])
def test_normalize_server_rejects_everything_else(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_server(url)


def test_link_uses_the_normalized_server() -> None:
    assert meeting_link(JitsiConfig(server="meet.example.com/"), "r") == "https://meet.example.com/r"
