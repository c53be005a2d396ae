"""V1tr0 Bot core: commands, services and the platform-neutral request/reply model.

The core knows no chat platform. Front doors (``adapters``) turn platform events into
:class:`~bot.core.Request` objects and render :class:`~bot.core.Reply` objects back.
"""

__version__ = "0.1.0"
