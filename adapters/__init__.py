"""Front doors: each turns one platform's events into core requests and renders replies.

Adapters import :mod:`bot`, never each other.
"""
