-- 0005: tickets (complaints, compliments, information requests), their audit trail, linked calls,
-- supervisor notifications, and the SMS outbox, opt-outs and inbound log (package ticket, package sms).

-- One counter per year across every kind: references C-2026-000001, M-2026-000002, ... never repeat, and the
-- digits alone (year + sequence) find a ticket. Incremented with INSERT .. ON CONFLICT DO UPDATE .. RETURNING:
-- the row lock serialises concurrent creations.
CREATE TABLE ticket_counters (
    year integer PRIMARY KEY,
    last bigint  NOT NULL
);

CREATE TABLE tickets (
    id               bigserial PRIMARY KEY,
    reference        text NOT NULL UNIQUE,
    year             integer NOT NULL,
    seq              bigint NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('complaint', 'compliment', 'information')),
    channel          text NOT NULL CHECK (channel IN ('phone', 'counter', 'online', 'email', 'letter', 'sms')),
    status           text NOT NULL CHECK (status IN ('new', 'acknowledged', 'in_progress', 'waiting_on_customer',
                                                     'resolved', 'closed', 'reopened')),
    language         text NOT NULL DEFAULT '',
    what_happened    text NOT NULL DEFAULT '',
    occurred_on      text NOT NULL DEFAULT '',
    occurred_time    text NOT NULL DEFAULT '',
    place            text NOT NULL DEFAULT '',
    phone_from       text NOT NULL DEFAULT '',   -- personal
    counter_location text NOT NULL DEFAULT '',
    other_details    text NOT NULL DEFAULT '',
    department       text NOT NULL DEFAULT '',
    service          text NOT NULL DEFAULT '',
    outcome_expected text NOT NULL DEFAULT '',
    contact_wanted   boolean NOT NULL DEFAULT false,
    contact_by       text NOT NULL DEFAULT '' CHECK (contact_by IN ('', 'email', 'phone')),
    name             text NOT NULL DEFAULT '',   -- personal
    email            text NOT NULL DEFAULT '',   -- personal
    phone            text NOT NULL DEFAULT '',   -- personal
    privacy_accepted boolean NOT NULL DEFAULT false,
    call_id          text NOT NULL DEFAULT '',
    recording        text NOT NULL DEFAULT '',
    rating           smallint CHECK (rating BETWEEN 1 AND 4),
    agent            text NOT NULL DEFAULT '',
    officer          text NOT NULL DEFAULT '',
    created_by       text NOT NULL DEFAULT '',
    created          timestamptz NOT NULL,
    ack_due          timestamptz NOT NULL,
    reply_due        timestamptz NOT NULL,
    resolve_due      timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    resolved_at      timestamptz,
    closed_at        timestamptz,
    escalated_at     timestamptz,
    anonymised_at    timestamptz,
    updated          timestamptz NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX tickets_created ON tickets (created);
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_department_created ON tickets (department, created);
CREATE INDEX tickets_resolve_due ON tickets (resolve_due);
CREATE INDEX tickets_phone ON tickets (phone) WHERE phone <> '';

-- The audit trail: append-only.
CREATE TABLE ticket_changes (
    id        bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    time      timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    from_val  text NOT NULL DEFAULT '',
    to_val    text NOT NULL DEFAULT '',
    note      text NOT NULL DEFAULT ''
);
CREATE INDEX ticket_changes_ticket ON ticket_changes (ticket_id, id);

-- Call records linked to a ticket (the call it was logged in; calls from the number the person called from).
CREATE TABLE ticket_calls (
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    call_id   text NOT NULL,
    why       text NOT NULL,
    PRIMARY KEY (ticket_id, call_id)
);

-- Overdue tickets told to supervisors.
CREATE TABLE ticket_notifications (
    id        bigserial PRIMARY KEY,
    time      timestamptz NOT NULL,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    recipient text NOT NULL,
    reason    text NOT NULL,
    seen      boolean NOT NULL DEFAULT false
);
CREATE INDEX ticket_notifications_recipient ON ticket_notifications (recipient, seen);

-- SMS to send: written in the same transaction as the change that causes it, delivered by the worker.
-- key is the idempotency key of the message (e.g. "ack:C-2026-000001"): one row per message, ever.
CREATE TABLE sms_outbox (
    id              bigserial PRIMARY KEY,
    key             text NOT NULL UNIQUE,
    to_number       text NOT NULL,               -- personal
    body            text NOT NULL,
    ticket_id       bigint REFERENCES tickets (id),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'delivered',
                                                  'undelivered', 'failed', 'suppressed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt    timestamptz NOT NULL,
    attempt_started timestamptz,                 -- set while a send is in flight
    uncertain       boolean NOT NULL DEFAULT false, -- the last attempt may have reached Twilio
    last_error      text NOT NULL DEFAULT '',
    sid             text NOT NULL DEFAULT '',
    created         timestamptz NOT NULL,
    sent_at         timestamptz,
    updated         timestamptz NOT NULL
);
CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt) WHERE status IN ('pending', 'sending');
CREATE INDEX sms_outbox_sid ON sms_outbox (sid) WHERE sid <> '';

-- Numbers that texted STOP (and not START since).
CREATE TABLE sms_optouts (
    number text PRIMARY KEY,                     -- personal
    time   timestamptz NOT NULL
);

-- Inbound messages already handled (Twilio retries a webhook it thinks failed).
CREATE TABLE sms_inbound (
    message_sid text PRIMARY KEY,
    time        timestamptz NOT NULL,
    reply       text NOT NULL DEFAULT ''
);
