"""Persistence: SQLAlchemy models, the async engine, and running the migrations (which live in
bot/migrations/, above the features whose tables they create)."""
