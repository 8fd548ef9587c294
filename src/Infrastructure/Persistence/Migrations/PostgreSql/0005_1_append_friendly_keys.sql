-- SQL Server only (it clusters on the primary key, and its uuid order is not time order; see docs/decisions/0012).
-- Here inserts already append: SQLite stores rows by rowid, PostgreSQL in a heap. Nothing to change.
SELECT 1;
