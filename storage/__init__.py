"""Storage: the only package that talks to the database (and, later, the vector store)."""

from storage.db import Database, normalize_url
from storage.repositories import Identity, Page, Store, WorkspaceStore, name_key

__all__ = ["Database", "Identity", "Page", "Store", "WorkspaceStore", "name_key", "normalize_url"]
