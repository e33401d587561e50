-- The audit log in 16 chains: a transaction appends to the chain of its connection
-- (`1 + pg_backend_pid() % 16`), so concurrent writers no longer queue on one head row.
-- Each chain links its entries by `prev_hash` and ends at its own `audit_head` row (the
-- chain's entry count and last hash); `seq` is a global order, from a sequence, and may
-- have gaps where a transaction rolled back. Existing entries form chain 1.
ALTER TABLE audit_log ADD COLUMN chain integer NOT NULL DEFAULT 1;
ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_chain CHECK (id BETWEEN 1 AND 16);
INSERT INTO audit_head (id, seq, hash)
SELECT g, 0, '0000000000000000000000000000000000000000000000000000000000000000'
FROM generate_series(2, 16) AS g;
CREATE SEQUENCE audit_log_seq;
SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false);
