-- Each audit entry carries a seal: HMAC-SHA-256, under a key derived from the data key
-- (a file outside the database), of its chain and its hash. Whoever holds the database
-- alone can recompute plain hashes after changing an entry, but not the seals. Entries
-- written before this migration are sealed once when the data key is first attached.
ALTER TABLE audit_log ADD COLUMN seal TEXT;
