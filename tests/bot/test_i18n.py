"""Every user-facing string has a Spanish translation that fits its English source.

The strings are collected the way a translator would need them:

* literals passed to ``_()``, ``ctx._()``, ``self._()``, ``cx.translator()``, ``gettext()``
  and ``N_()`` anywhere in ``bot/`` (Babel's extractor, plus an ``ast`` pass that also sees
  calls inside f-strings, which Babel's tokenizer misses before Python 3.12), the
  singular and plural pairs passed to ``_.ngettext()``, and the context and message pairs
  passed to ``NP_()`` and ``_.pgettext()``;
* the command help, translated at help time: each command's summary, each argument's help
  and each group's summary;
* the labels of choice arguments (``on hold``, ``low``, ``guest``), which the parser
  translates to accept them in the member's language.
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import bot
from bot.commands import registry
from bot.i18n import LOCALE_DIR, Translator
from bot.registry import Registry

BOT_DIR = Path(bot.__file__).parent
KEYWORDS = ("_", "N_", "gettext", "translator")
PLURAL = "ngettext"
CONTEXTUAL = ("NP_", "pgettext")
SPANISH_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
_CODE_SPAN = re.compile(r"`[^`]*`")


# -- collecting the msgids ----------------------------------------------------------------


# A msgid: a plain message, or the (singular, plural) pair of one that depends on a count.
# A message said of something (``pgettext``) is its context and text joined by "\x04".
Msgid = str | tuple[str, str]


def babel_msgids(directory: Path) -> set[Msgid]:
    """Literal msgids Babel's Python extractor finds in ``directory``."""
    found: set[Msgid] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            directory, method_map=[("**.py", "python")],
            keywords={**{keyword: None for keyword in KEYWORDS}, PLURAL: (1, 2),
                      **{keyword: ((1, "c"), 2) for keyword in CONTEXTUAL}}):
        if isinstance(message, str) and message:
            found.add(f"{_context}\x04{message}" if _context else message)
        elif isinstance(message, tuple) and all(message):
            found.add((message[0], message[1]))
    return found


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value else None


def ast_msgids(directory: Path) -> set[Msgid]:
    """Literal first arguments of calls to a keyword, by name (``_(``) or attribute (``ctx._(``).

    ``ast`` joins adjacent literals and parses the expressions inside f-strings too.
    """
    found: set[Msgid] = set()
    for path in sorted(directory.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            match node.func:
                case ast.Name(id=name) | ast.Attribute(attr=name):
                    pass
                case _:
                    continue
            if name in KEYWORDS and (message := _literal(node.args[0])):
                found.add(message)
            elif name == PLURAL and len(node.args) > 1 and (singular := _literal(node.args[0])) \
                    and (plural := _literal(node.args[1])):
                found.add((singular, plural))
            elif name in CONTEXTUAL and len(node.args) > 1 and (
                    context := _literal(node.args[0])) and (message := _literal(node.args[1])):
                found.add(f"{context}\x04{message}")
    return found


def source_msgids(directory: Path) -> set[Msgid]:
    return babel_msgids(directory) | ast_msgids(directory)


def registry_msgids(commands: Registry) -> set[str]:
    """Command and group help, and the labels of choice arguments."""
    found = set(commands.groups.values())
    for command in commands:
        found.add(command.summary)
        for param in command.params:
            found.add(param.help)
            if param.choices:
                found.update(choice.value.replace("_", " ") for choice in param.choices)
    return {message for message in found if message}


@pytest.fixture(scope="module")
def required() -> set[Msgid]:
    return source_msgids(BOT_DIR) | registry_msgids(registry)


@pytest.fixture(scope="module")
def spanish() -> Catalog:
    with SPANISH_PO.open("rb") as handle:
        return read_po(handle, locale="es")


def test_extraction_sees_every_way_a_string_is_marked(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        'ctx._("attribute")\n'
        'cx.translator("translator attribute")\n'
        'self._("self attribute")\n'
        '_ = translator\n'
        'N_("marked")\n'
        '_("split "\n  "literal")\n'
        'f"{_(\'inside an f-string\')} and {ctx._(\'another\')}"\n'
        '_(variable)\n'
        '_.ngettext("{count} day", "{count} days", n)\n'
        'NP_("meeting", "cancelled")\n'
        'f"{_.pgettext(\'project\', \'on hold\')}"\n',
        encoding="utf-8")
    assert source_msgids(tmp_path) == {
        "attribute", "translator attribute", "self attribute", "marked", "split literal",
        "inside an f-string", "another", ("{count} day", "{count} days"),
        "meeting\x04cancelled", "project\x04on hold"}


def test_sources_and_registry_yield_strings(required: set[Msgid]) -> None:
    # Guards against a collector that silently finds nothing.
    assert len(required) > 100
    assert any(isinstance(msgid, tuple) for msgid in required)
    assert {"on hold", "low", "guest"} <= required
    assert all(command.summary in required for command in registry)


# -- the catalogue ------------------------------------------------------------------------


def test_catalogue_header(spanish: Catalog) -> None:
    assert str(spanish.locale) == "es"
    assert spanish.charset.lower() == "utf-8"
    assert spanish.plural_forms.startswith("nplurals=2;")


def _translations(msgid: Msgid, spanish: Catalog) -> list[tuple[str, str]]:
    """Each (English, Spanish) pair of a msgid: one, or one per plural form; [] if untranslated.

    Spanish has two plural forms, like English: the singular for one, the plural for the rest.
    """
    key = msgid[0] if isinstance(msgid, tuple) else msgid
    context, _sep, key = key.rpartition("\x04")
    message = spanish.get(key, context=context or None)
    if message is None or message.fuzzy or isinstance(msgid, tuple) != isinstance(
            message.string, tuple):
        return []
    if isinstance(msgid, tuple):
        forms = [str(form) for form in message.string]
        if tuple(message.id) != msgid or len(forms) != 2 or not all(forms):
            return []
        return list(zip(msgid, forms, strict=True))
    return [(key, str(message.string))] if message.string else []


def _order(msgid: Msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def test_every_string_has_a_spanish_translation(required: set[Msgid], spanish: Catalog) -> None:
    missing = []
    for msgid in sorted(required, key=_order):
        if not _translations(msgid, spanish):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} strings have no Spanish translation in {SPANISH_PO}:\n"
        + "\n".join(f"  msgid {m!r}" for m in missing))


def _fields(text: str) -> Counter[str] | str:
    """The ``{placeholders}`` of ``text`` (with conversion and format spec), or the error."""
    try:
        return Counter(f"{{{name}{'!' + conversion if conversion else ''}"
                       f"{':' + spec if spec else ''}}}"
                       for _literal, name, spec, conversion in string.Formatter().parse(text)
                       if name is not None)
    except ValueError as error:
        return f"not a valid format string: {error}"


def test_translations_keep_placeholders(required: set[Msgid], spanish: Catalog) -> None:
    wrong = []
    for msgid in sorted(required, key=_order):
        for english, translation in _translations(msgid, spanish):
            source, translated = _fields(english), _fields(translation)
            if source != translated:
                wrong.append(
                    f"  {english!r}: {dict(source) if isinstance(source, Counter) else source}"
                    f" -> {translation!r}: "
                    f"{dict(translated) if isinstance(translated, Counter) else translated}")
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


def test_translations_keep_code_and_markdown(required: set[Msgid], spanish: Catalog) -> None:
    """Commands, options and examples in backticks stay as they are, and so does emphasis."""
    wrong = []
    for msgid in sorted(required, key=_order):
        for english, translated in _translations(msgid, spanish):
            if (Counter(_CODE_SPAN.findall(english)) != Counter(_CODE_SPAN.findall(translated))
                    or english.count("*") != translated.count("*")
                    or english.count("`") != translated.count("`")):
                wrong.append(f"  {english!r} -> {translated!r}")
    assert not wrong, "translations that change code spans or markdown:\n" + "\n".join(wrong)


# -- behaviour ----------------------------------------------------------------------------


def test_translator_uses_the_catalogue() -> None:
    message = "Project {name} created (#{id})."
    assert Translator("es").gettext(message, name="Web", id=3) == "Proyecto Web creado (#3)."
    assert Translator("en").gettext(message, name="Web", id=3) == "Project Web created (#3)."
    assert Translator("es-MX")("on hold") == "en pausa"


def test_plural_forms_follow_the_count() -> None:
    singular, plural = "{count} overdue action item: {task}.", \
        "{count} overdue action items, the oldest: {task}."
    spanish, english = Translator("es"), Translator("en")
    assert spanish.ngettext(singular, plural, 1, task="QA") == "1 tarea atrasada: QA."
    assert spanish.ngettext(singular, plural, 3, task="QA") == \
        "3 tareas atrasadas; la más antigua: QA."
    assert spanish.ngettext(singular, plural, 0, task="QA").startswith("0 tareas")
    assert english.ngettext(singular, plural, 1, task="QA") == "1 overdue action item: QA."
    assert english.ngettext(singular, plural, 2, task="QA") == \
        "2 overdue action items, the oldest: QA."
    # A message the catalogue lacks falls back to the English forms.
    assert spanish.ngettext("{count} file", "{count} files", 2) == "2 files"
