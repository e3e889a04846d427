"""The history database's schema, and the in-place upgrade of a database from before accounts.

Old databases lack ``account``: the column is added with the default ``default``, so every row
is kept and belongs to the default account. Two processes upgrading at once is harmless.
"""

from __future__ import annotations

import sqlite3

_TABLE = """
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY,
    window TEXT NOT NULL,
    source TEXT NOT NULL,
    at REAL NOT NULL,
    used_percent REAL NOT NULL,
    resets_at REAL,
    scope TEXT,
    account TEXT NOT NULL DEFAULT 'default'
);
"""
_ADD_ACCOUNT = "ALTER TABLE samples ADD COLUMN account TEXT NOT NULL DEFAULT 'default'"
_INDEXES = """
CREATE INDEX IF NOT EXISTS samples_window_at ON samples (window, at);
CREATE INDEX IF NOT EXISTS samples_account_window_source_at
    ON samples (account, window, source, at);
DROP INDEX IF EXISTS samples_window_source_at;
"""


def _add_account_column(conn: sqlite3.Connection) -> None:
    """Give a database from before accounts its ``account`` column, keeping every row."""
    columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(samples)")}
    if "account" in columns:
        return
    try:
        conn.execute(_ADD_ACCOUNT)
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc).lower():  # another process just added it
            raise


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the table and indexes, upgrading an older table first."""
    conn.executescript(_TABLE)
    _add_account_column(conn)
    conn.executescript(_INDEXES)
