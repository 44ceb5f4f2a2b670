"""SQL storage (SQLAlchemy): answer events, feedback, handoff tickets, review items and the audit log."""
