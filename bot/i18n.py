"""Translations (gettext catalogues read with Babel) and locale-aware formatting.

Source strings are English. Spanish lives in ``bot/locale/es/LC_MESSAGES/messages.po``,
which is read directly, so editing the catalogue needs no compile step.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet (declarations, constants)."""
    return message


def NP_(context: str, message: str) -> str:
    """Like :func:`N_`, for a word whose translation depends on what it is said of; translate
    it with ``pgettext(context, message)`` (a meeting is "cancelada", a project "cancelado")."""
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


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """One language's translations: plain messages, plural ones, and its plural rule."""

    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]]  # by singular msgid: one form per plural category
    plural_index: Callable[[int], int]  # a count to the index of its form


@functools.cache
def _catalogue(locale: str) -> _Catalogue:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return _Catalogue({}, {}, lambda count: int(count != 1))
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(str(form) for form in message.string)
            if all(forms):
                plurals[str(message.id[0])] = forms
        elif message.string:
            key = str(message.id)
            messages[f"{message.context}\x04{key}" if message.context else key] = \
                str(message.string)
    # The catalogue's own C expression (its Plural-Forms header), as gettext evaluates it.
    return _Catalogue(messages, plurals, stdlib_gettext.c2py(catalogue.plural_expr))


class Translator:
    """Translates and formats for one locale.

    Example:
        >>> Translator("es").gettext("Project {name} created (#{id}).", name="Web", id=3)
        'Proyecto Web creado (#3).'
    """

    __slots__ = ("_babel", "_catalogue", "locale")

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = normalize_locale(locale) or DEFAULT_LOCALE
        self._catalogue = _catalogue(self.locale)
        try:
            self._babel = Locale.parse(self.locale)
        except UnknownLocaleError:  # pragma: no cover - SUPPORTED_LOCALES are all known to Babel
            self._babel = Locale.parse(DEFAULT_LOCALE)

    def gettext(self, message: str, /, **values: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}`` from ``values``."""
        text = self._catalogue.messages.get(message, message)
        return text.format(**values) if values else text

    __call__ = gettext
    _ = gettext

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        """Translate ``message`` as said of ``context``, else as :meth:`gettext` would.

        Example:
            >>> es = Translator("es")
            >>> es.pgettext("meeting", "cancelled"), es.gettext("cancelled")
            ('cancelada', 'cancelado')
        """
        # "\x04" joins a context to its msgid, as in gettext's own catalogues.
        if (text := self._catalogue.messages.get(f"{context}\x04{message}")) is None:
            return self.gettext(message, **values)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The form of a message that fits ``count``, filled like :meth:`gettext`.

        ``count`` is also the ``{count}`` placeholder unless ``values`` names it otherwise.

        Example:
            >>> Translator("es").ngettext("{count} overdue action item: {task}.",
            ...                           "{count} overdue action items, the oldest: {task}.",
            ...                           1, task="QA")
            '1 tarea atrasada: QA.'
        """
        forms = self._catalogue.plurals.get(singular)
        if forms is None:
            text = singular if count == 1 else plural
        else:
            text = forms[min(self._catalogue.plural_index(count), len(forms) - 1)]
        return text.format(**{"count": count, **values})

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "—"
        return format_currency(amount, currency, locale=self._babel)

    def number(self, value: Decimal | float | int | None, digits: int = 2) -> str:
        if value is None:
            return "—"
        return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                              locale=self._babel)

    def join(self, items: Sequence[str]) -> str:
        """Items as a sentence lists them: ``Ana, Luis and Bea``, ``Ana, Luis y Bea``."""
        return format_list(list(items), locale=self._babel)

    def duration(self, minutes: int) -> str:
        """A length of time as a calendar shows it: ``45 min``, ``2 h``, ``1 h 30 min``."""
        hours, minutes = divmod(minutes, 60)
        if not hours:
            return self.gettext("{minutes} min", minutes=minutes)
        if not minutes:
            return self.gettext("{hours} h", hours=hours)
        return self.gettext("{hours} h {minutes} min", hours=hours, minutes=minutes)

    def date(self, value: date | None) -> str:
        if value is None:
            return "—"
        return format_date(value, format="medium", locale=self._babel)

    def datetime(self, value: datetime | None, tz: str) -> str:
        """A moment in ``tz`` as people read it: ``Wed, Nov 25, 2026, 6:57 PM``."""
        if value is None:
            return "—"
        return (f"{format_skeleton('yMMMEd', value, tzinfo=ZoneInfo(tz), locale=self._babel)}, "
                f"{self.time(value, tz)}")

    def time(self, value: datetime, tz: str) -> str:
        """The time of day of a moment in ``tz``: ``6:57 PM``, ``18:57``."""
        return format_time(value, "short", tzinfo=ZoneInfo(tz), locale=self._babel)


@functools.cache
def translator(locale: str) -> Translator:
    """Shared translator for ``locale`` (translators are immutable, so one per locale)."""
    return Translator(locale)
