"""Free text (mentions, direct messages) routed to a command.

With a language model, through tool calls built from the command registry's schemas; the
embedded default, through rules in English and Spanish, each one decorated function with
its patterns, tried in the order declared: "log 3h on Website" to ``project log``, "set up
a call with Acme next Tuesday at 3pm" to ``meeting schedule``, "what's overdue?" to
``actions --overdue``, and so on (the README's table lists them all). What no rule places
is a question for ``ask`` (or a request for one: "tell me about…", "cuéntame…", or a few
bare words: "website budget"), a search ("search …"), or nothing. Whatever is chosen then
runs through the dispatcher like any command, with the same parsing, role check and
transaction.
"""

from bot.routing.names import (
    each_named_by_a_word,
    mentioned,
    named_by_a_word,
    project_mentioned,
    the_one_holding,
    without_article,
)
from bot.routing.router import Router, is_a_yes, is_acknowledgement, is_thanks
from bot.routing.rules import PROMISED, ProjectLookup, Routed

__all__ = ["PROMISED", "ProjectLookup", "Routed", "Router", "each_named_by_a_word", "is_a_yes",
           "is_acknowledgement", "is_thanks", "mentioned", "named_by_a_word",
           "project_mentioned", "the_one_holding", "without_article"]
