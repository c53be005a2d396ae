"""The pipeline's indexing step: a transcript's segments, chunked by speaker turns, indexed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.retrieval.chunking import Turn, chunk_turns, clean_text
from storage import Database

if TYPE_CHECKING:  # chromadb is slow to import; only the composition root loads it
    from storage.search_index import SearchIndex

log = logging.getLogger("v1tr0.retrieval")


class TranscriptIndexer:
    """Fills the search index from stored segments; re-indexing replaces (idempotent).

    Args:
        db: Where the segments are.
        index: The Chroma and BM25 index.
    """

    def __init__(self, db: Database, index: SearchIndex) -> None:
        self.db = db
        self.search_index = index

    async def index(self, workspace_id: int, transcript_id: int,
                    progress: Callable[[float], None] | None = None) -> None:
        async with self.db.transaction() as store:
            scoped = store.scoped(workspace_id)
            transcript = await scoped.transcript(transcript_id)
            if transcript is None:
                return
            meeting = await scoped.meeting(transcript.meeting_id)
            assert meeting is not None  # transcripts cascade with their meeting
            segments = await scoped.segments(transcript_id)
        turns = [Turn(s.position, s.speaker, s.start, s.end, s.text) for s in segments]
        # Each line's vector is stored too, so answers rank lines without embedding them.
        lines = [(s.position, text) for s in segments if (text := clean_text(s.text))]
        await self.search_index.replace_transcript(workspace_id, meeting.project_id, meeting.id,
                                                   transcript_id, chunk_turns(turns), lines,
                                                   transcript.language, progress)

    async def forget_transcript(self, workspace_id: int, transcript_id: int) -> None:
        await self.search_index.delete_transcript(workspace_id, transcript_id)

    async def forget_project(self, workspace_id: int, project_id: int) -> None:
        await self.search_index.delete_project(workspace_id, project_id)

    async def reconcile(self, *, drop: bool = True, fill: bool = True) -> tuple[int, int]:
        """Bring the index in line with the stored transcripts, reading each workspace's
        collection once: drop what was deleted, index what it lacks. Run at every start.

        Deleting tells the index right after the commit; a process that stopped in between
        left chunks behind (``drop``). A new embedding model starts with empty collections
        (vector spaces never mix), and an interrupted backfill carries on from the
        transcripts still missing (``fill``).

        Returns:
            How many transcripts were dropped, and how many were indexed.
        """
        async with self.db.transaction() as store:
            stored = await store.transcripts.ids_by_workspace()
            indexed = await store.transcripts.past_indexing()
        wanted: dict[int, list[int]] = {}
        for workspace_id, transcript_id in indexed:
            wanted.setdefault(workspace_id, []).append(transcript_id)
        in_index = await self.search_index.workspace_ids()
        dropped = done = 0
        for workspace_id in sorted(in_index | (wanted.keys() if fill else set())):
            present = await self.search_index.transcript_ids(workspace_id)
            gone = present - stored.get(workspace_id, set()) if drop else set()
            for transcript_id in sorted(gone):
                await self.search_index.delete_transcript(workspace_id, transcript_id)
            for transcript_id in wanted.get(workspace_id, []) if fill else []:
                if transcript_id not in present:
                    await self.index(workspace_id, transcript_id)
                    done += 1
            dropped += len(gone)
        if dropped:
            log.info("dropped %d deleted transcripts from the search index", dropped)
        if done:
            log.info("re-indexed %d transcripts for %s", done, self.search_index.model_id)
        return dropped, done

    async def sweep(self) -> int:
        """Drop the chunks of transcripts no longer stored; see :meth:`reconcile`."""
        return (await self.reconcile(fill=False))[0]

    async def backfill(self) -> int:
        """Index the transcripts past indexing that the index lacks; see :meth:`reconcile`."""
        return (await self.reconcile(drop=False))[1]
