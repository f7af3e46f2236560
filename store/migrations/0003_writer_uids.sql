-- 0003: a client-generated id on every appended row the Writer writes, so that a batch retried after a lost
-- connection (or replayed from the Writer's spool file) is stored exactly once. NULL for rows written without
-- one (NULLs never conflict).
ALTER TABLE queue_events ADD COLUMN uid text;
CREATE UNIQUE INDEX queue_events_uid ON queue_events (uid);
ALTER TABLE ratings ADD COLUMN uid text;
CREATE UNIQUE INDEX ratings_uid ON ratings (uid);
ALTER TABLE messages ADD COLUMN uid text;
CREATE UNIQUE INDEX messages_uid ON messages (uid);
