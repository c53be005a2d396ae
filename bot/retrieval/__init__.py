"""Retrieval over meeting transcripts: chunking, and (in sibling modules) search and answers."""
