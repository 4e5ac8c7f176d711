"""Durable storage behind small interfaces: SQLite embedded, PostgreSQL to scale out."""
