-- SQLite only (its WAL writes every page an index entry lands on; see that dialect's 0009). PostgreSQL logs the row
-- and SQL Server the index entry, so the full index costs them one entry per write, as any other: nothing to change.
SELECT 1;
