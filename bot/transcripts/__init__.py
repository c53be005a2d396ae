"""Transcripts: ingest, speech-to-text, summaries, decisions and action items."""
