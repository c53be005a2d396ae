"""Names in free text: which project or client a phrase names, case and accents aside."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz.distance import DamerauLevenshtein

from bot.transcripts.summarize import STOP_WORDS, fold

if TYPE_CHECKING:
    from storage import WorkspaceStore
    from storage.models import Project

_TYPO_MIN_LENGTH = 5  # shorter words are one typo away from too many others
_ARTICLE = re.compile(r"^(?:the|a|an|our|el|la|los|las|un|una|nuestro|nuestra)\s+",
                      re.IGNORECASE)


def without_article(text: str) -> str:
    """``text`` without the article it starts with ("the website", "la web")."""
    return _ARTICLE.sub("", text)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text).casefold()))


def mentioned(text: str, names: Iterable[tuple[int, str]]) -> int | None:
    """The id of the longest name ``text`` contains as whole words, case and accents aside.

    Example:
        >>> mentioned("¿Qué decidimos en la mobile APP?", [(1, "App"), (2, "Mobile app")])
        2
        >>> mentioned("what about the appendix?", [(1, "App")]) is None
        True
    """
    words = f" {_words(text)} "
    found = [(len(key), item) for item, name in names
             if (key := _words(name)) and f" {key} " in words]
    return max(found)[1] if found else None


def named_by_a_word(text: str, names: Iterable[tuple[int, str]], *,
                    misspelt: bool = False) -> int | None:
    """The id of the only name ``text`` shares a word with, counting only the words that
    no other name has (stop words and words under three letters aside). ``misspelt``: a
    word of five letters or more one typo away counts too ("mobil", "webiste").

    Example:
        >>> names = [(1, "Website redesign"), (2, "Mobile app"), (3, "Mobile web")]
        >>> named_by_a_word("how many hours on the website?", names)
        1
        >>> named_by_a_word("what is pending on mobile?", names) is None
        True
        >>> named_by_a_word("how is the webiste doing?", names, misspelt=True)
        1
    """
    found = each_named_by_a_word(text, names, misspelt=misspelt)
    return found[0] if len(found) == 1 else None


def each_named_by_a_word(text: str, names: Iterable[tuple[int, str]], *,
                         misspelt: bool = False) -> list[int]:
    """The ids of every name ``text`` shares a word with that no other name has (see
    :func:`named_by_a_word`), in the order of ``names``.

    Example:
        >>> each_named_by_a_word("the budget of website and mobile?",
        ...                      [(1, "Website redesign"), (2, "Mobile app"), (3, "Brand")])
        [1, 2]
    """
    owners: dict[str, set[int]] = {}
    order: list[int] = []
    for item, name in names:
        order.append(item)
        for word in _words(name).split():
            if len(word) >= 3 and word not in STOP_WORDS:
                owners.setdefault(word, set()).add(item)
    said = set(_words(text).split())
    if misspelt:
        said = {word for word in owners for typed in said if len(typed) >= _TYPO_MIN_LENGTH
                and len(word) >= _TYPO_MIN_LENGTH
                and DamerauLevenshtein.distance(typed, word, score_cutoff=1) <= 1}
    found = {item for word, items in owners.items() if word in said and len(items) == 1
             for item in items}
    return [item for item in order if item in found]


def the_one_holding(ref: str, names: Iterable[tuple[int, str]]) -> int | None:
    """The id of the only name that holds ``ref`` as whole words, case and accents aside;
    None when no name or several do. The other way round from :func:`mentioned`.

    Example:
        >>> the_one_holding("website", [(1, "Website redesign"), (2, "Mobile app")])
        1
        >>> the_one_holding("web", [(1, "Website redesign")]) is None
        True
    """
    wanted = _words(ref)
    found = [item for item, name in names if wanted and f" {wanted} " in f" {_words(name)} "]
    return found[0] if len(found) == 1 else None


async def project_mentioned(store: WorkspaceStore, text: str, *, by_a_word: bool = True,
                            projects: list[tuple[int, str]] | None = None) -> Project | None:
    """The project whose name ``text`` holds (see :func:`mentioned`), else the current
    project of the client whose name it holds; else, ``by_a_word``, the same by a word of
    just one name (see :func:`named_by_a_word`: "the website" for "Website redesign"), and
    last by such a word misspelt ("mobil").
    ``projects``: the workspace's project names, when the caller has read them already."""
    projects = projects if projects is not None else await store.project_names()
    clients = await store.client_names()
    finders = (mentioned, named_by_a_word, partial(named_by_a_word, misspelt=True))
    for find in finders if by_a_word else finders[:1]:
        if (project_id := find(text, projects)) is not None:
            return await store.project(project_id)
        if (client_id := find(text, clients)) is not None:
            return await store.current_project(client_id)
    return None

