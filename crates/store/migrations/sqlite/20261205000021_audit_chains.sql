-- SQLite has one writer, so its log stays one chain (chain 1, `seq` without gaps); the
-- column keeps the schema the same as PostgreSQL's, whose log has 16 chains.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
