"""Translations (gettext catalogues read with Babel) and locale-aware formatting.

Source strings are English. Spanish lives in ``bot/locale/es/LC_MESSAGES/messages.po``,
which is read directly, so editing the catalogue needs no compile step.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet (declarations, constants)."""
    return message


def normalize_locale(value: str | None) -> str | None:
    """Map ``es-ES``, ``es_MX`` or ``Español`` to a supported language code, else ``None``."""
    if not value:
        return None
    code = value.strip().replace("-", "_").split("_")[0].lower()
    aliases = {"english": "en", "ingles": "en", "inglés": "en", "spanish": "es", "espanol": "es",
               "español": "es"}
    code = aliases.get(code, code)
    return code if code in SUPPORTED_LOCALES else None


@functools.cache
def _catalogue(locale: str) -> dict[str, str]:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    return {
        str(message.id): str(message.string)
        for message in catalogue
        if message.id and message.string and not message.fuzzy
    }


class Translator:
    """Translates and formats for one locale.

    Example:
        >>> Translator("es").gettext("Project {name} created.", name="Web")
        'Proyecto Web creado.'
    """

    __slots__ = ("_babel", "_messages", "locale")

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = normalize_locale(locale) or DEFAULT_LOCALE
        self._messages = _catalogue(self.locale)
        try:
            self._babel = Locale.parse(self.locale)
        except UnknownLocaleError:  # pragma: no cover - SUPPORTED_LOCALES are all known to Babel
            self._babel = Locale.parse(DEFAULT_LOCALE)

    def gettext(self, message: str, /, **values: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}`` from ``values``."""
        text = self._messages.get(message, message)
        return text.format(**values) if values else text

    __call__ = gettext
    _ = gettext

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "—"
        return format_currency(amount, currency, locale=self._babel)

    def number(self, value: Decimal | float | int | None, digits: int = 2) -> str:
        if value is None:
            return "—"
        return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                              locale=self._babel)

    def date(self, value: date | None) -> str:
        if value is None:
            return "—"
        return format_date(value, format="medium", locale=self._babel)

    def datetime(self, value: datetime | None, tz: str) -> str:
        """A moment in ``tz`` as people read it: ``Wed, Nov 25, 2026, 6:57 PM``."""
        if value is None:
            return "—"
        zone = ZoneInfo(tz)
        return (f"{format_skeleton('yMMMEd', value, tzinfo=zone, locale=self._babel)}, "
                f"{format_time(value, 'short', tzinfo=zone, locale=self._babel)}")


@functools.cache
def translator(locale: str) -> Translator:
    """Shared translator for ``locale`` (translators are immutable, so one per locale)."""
    return Translator(locale)
