-- 0008: identical SMS (same number and body) go one at a time, in order: the outbox claims a row only
-- when no earlier identical row is still pending or sending, and an uncertain attempt is looked for at
-- Twilio among the messages no other row owns. This index serves both look-ups by number.

CREATE INDEX sms_outbox_to ON sms_outbox (to_number);
