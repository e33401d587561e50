-- An account's e-mail address, for notifications sent by e-mail (e-order's outbox).
ALTER TABLE users ADD COLUMN email TEXT;
