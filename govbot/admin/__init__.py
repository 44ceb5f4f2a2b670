"""Staff tools: authentication, audited knowledge-base edits, live re-indexing, review queue, analytics."""
