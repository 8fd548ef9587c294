-- Version 7 uuids are time-ordered as bytes (PostgreSQL's and SQLite's order) but not in SQL Server's uniqueidentifier
-- order, which compares the last six bytes first: clustered on them, every insert landed on a random page and split it.
-- The busiest tables get an ever-increasing clustering key of their own (see docs/decisions/0012). Its own batch: the
-- next migration indexes these columns, which must exist when that batch is compiled.
ALTER TABLE dbo.events ADD seq BIGINT IDENTITY(1, 1) NOT NULL;
ALTER TABLE dbo.deliveries ADD seq BIGINT IDENTITY(1, 1) NOT NULL;
ALTER TABLE dbo.delivery_attempts ADD seq BIGINT IDENTITY(1, 1) NOT NULL;
