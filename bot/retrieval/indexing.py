"""The pipeline's indexing step: a transcript's segments, chunked by speaker turns, indexed."""

from __future__ import annotations

import itertools
import logging
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

    async def index(self, workspace_id: int, transcript_id: int) -> None:
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
                                                   transcript.language)

    async def forget_transcript(self, workspace_id: int, transcript_id: int) -> None:
        await self.search_index.delete_transcript(workspace_id, transcript_id)

    async def forget_project(self, workspace_id: int, project_id: int) -> None:
        await self.search_index.delete_project(workspace_id, project_id)

    async def sweep(self) -> int:
        """Drop the chunks of transcripts that are no longer stored.

        Deleting tells the index right after the commit; a process that stopped in between
        left chunks behind, which this removes. Run at every start.

        Returns:
            How many transcripts were dropped from the index.
        """
        async with self.db.transaction() as store:
            stored = await store.transcripts.ids_by_workspace()
        dropped = 0
        for workspace_id in sorted(await self.search_index.workspace_ids()):
            gone = (await self.search_index.transcript_ids(workspace_id)
                    - stored.get(workspace_id, set()))
            for transcript_id in sorted(gone):
                await self.search_index.delete_transcript(workspace_id, transcript_id)
            dropped += len(gone)
        if dropped:
            log.info("dropped %d deleted transcripts from the search index", dropped)
        return dropped

    async def backfill(self) -> int:
        """Index every transcript the pipeline got past indexing but the index lacks.

        A new embedding model starts with empty collections (vector spaces never mix), so
        after an upgrade this fills them from the stored segments. Run at every start: an
        interrupted backfill carries on from the transcripts still missing.

        Returns:
            How many transcripts were indexed.
        """
        async with self.db.transaction() as store:
            indexed = await store.transcripts.past_indexing()
        done = 0
        for workspace_id, rows in itertools.groupby(indexed, key=lambda row: row[0]):
            present = await self.search_index.transcript_ids(workspace_id)
            for _workspace, transcript_id in rows:
                if transcript_id not in present:
                    await self.index(workspace_id, transcript_id)
                    done += 1
        if done:
            log.info("re-indexed %d transcripts for %s", done, self.search_index.model_id)
        return done
