"""Every user-facing string has a Spanish translation that fits its English source.

The strings are collected the way a translator would need them:

* literals passed to ``_()``, ``ctx._()``, ``self._()``, ``cx.translator()``, ``gettext()``
  and ``N_()`` anywhere in ``bot/`` (Babel's extractor, plus an ``ast`` pass that also sees
  calls inside f-strings, which Babel's tokenizer misses before Python 3.12);
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
SPANISH_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
_CODE_SPAN = re.compile(r"`[^`]*`")


# -- collecting the msgids ----------------------------------------------------------------


def babel_msgids(directory: Path) -> set[str]:
    """Literal msgids Babel's Python extractor finds in ``directory``."""
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            directory, method_map=[("**.py", "python")],
            keywords={keyword: None for keyword in KEYWORDS}):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def ast_msgids(directory: Path) -> set[str]:
    """Literal first arguments of calls to a keyword, by name (``_(``) or attribute (``ctx._(``).

    ``ast`` joins adjacent literals and parses the expressions inside f-strings too.
    """
    found: set[str] = set()
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
            first = node.args[0]
            if name in KEYWORDS and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str) and first.value:
                found.add(first.value)
    return found


def source_msgids(directory: Path) -> set[str]:
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
def required() -> set[str]:
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
        '_(variable)\n',
        encoding="utf-8")
    assert source_msgids(tmp_path) == {
        "attribute", "translator attribute", "self attribute", "marked", "split literal",
        "inside an f-string", "another"}


def test_sources_and_registry_yield_strings(required: set[str]) -> None:
    # Guards against a collector that silently finds nothing.
    assert len(required) > 100
    assert {"on hold", "low", "guest"} <= required
    assert all(command.summary in required for command in registry)


# -- the catalogue ------------------------------------------------------------------------


def test_catalogue_header(spanish: Catalog) -> None:
    assert str(spanish.locale) == "es"
    assert spanish.charset.lower() == "utf-8"
    assert spanish.plural_forms.startswith("nplurals=2;")


def test_every_string_has_a_spanish_translation(required: set[str], spanish: Catalog) -> None:
    missing = []
    for msgid in sorted(required):
        message = spanish.get(msgid)
        if message is None or not message.string or message.fuzzy:
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


def test_translations_keep_placeholders(required: set[str], spanish: Catalog) -> None:
    wrong = []
    for msgid in sorted(required):
        message = spanish.get(msgid)
        if message is None or not message.string:
            continue  # reported by the test above
        source, translated = _fields(msgid), _fields(str(message.string))
        if source != translated:
            wrong.append(f"  {msgid!r}: {dict(source) if isinstance(source, Counter) else source}"
                         f" -> {message.string!r}: "
                         f"{dict(translated) if isinstance(translated, Counter) else translated}")
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


def test_translations_keep_code_and_markdown(required: set[str], spanish: Catalog) -> None:
    """Commands, options and examples in backticks stay as they are, and so does emphasis."""
    wrong = []
    for msgid in sorted(required):
        message = spanish.get(msgid)
        if message is None or not message.string:
            continue
        translated = str(message.string)
        if (Counter(_CODE_SPAN.findall(msgid)) != Counter(_CODE_SPAN.findall(translated))
                or msgid.count("*") != translated.count("*")
                or msgid.count("`") != translated.count("`")):
            wrong.append(f"  {msgid!r} -> {translated!r}")
    assert not wrong, "translations that change code spans or markdown:\n" + "\n".join(wrong)


# -- behaviour ----------------------------------------------------------------------------


def test_translator_uses_the_catalogue() -> None:
    message = "Project {name} created (#{id})."
    assert Translator("es").gettext(message, name="Web", id=3) == "Proyecto Web creado (#3)."
    assert Translator("en").gettext(message, name="Web", id=3) == "Project Web created (#3)."
    assert Translator("es-MX")("on hold") == "en pausa"
