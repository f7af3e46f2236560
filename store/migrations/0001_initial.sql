-- 0001: calls, the queue event log, ratings (phone, kiosk, web) and recorded messages.

CREATE TABLE calls (
    id          text PRIMARY KEY,                 -- the controller's call id
    node        text NOT NULL DEFAULT '',
    caller      text NOT NULL DEFAULT '',         -- personal data: never logged, anonymised after retention
    dialled     text NOT NULL DEFAULT '',
    language    text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    queue       text NOT NULL DEFAULT '',
    ivr_path    text[] NOT NULL DEFAULT '{}',
    arrived     timestamptz NOT NULL,
    enqueued    timestamptz,                      -- NULL: never queued
    answered    timestamptz,                      -- NULL: never connected to an agent
    ended       timestamptz,
    agent       text NOT NULL DEFAULT '',
    wait_ms     bigint NOT NULL DEFAULT 0,
    talk_ms     bigint NOT NULL DEFAULT 0,
    hung_up_by  text NOT NULL DEFAULT '',
    disposition text NOT NULL DEFAULT '',
    survey      smallint CHECK (survey BETWEEN 1 AND 4), -- NULL: no survey answer
    recording   text NOT NULL DEFAULT '',
    callback    boolean NOT NULL DEFAULT false,
    offers      jsonb NOT NULL DEFAULT '[]'       -- []hotline.AgentOffer, in ring order
);
CREATE INDEX calls_arrived ON calls (arrived);
CREATE INDEX calls_department_arrived ON calls (department, arrived);
CREATE INDEX calls_queue_arrived ON calls (queue, arrived);

-- Append-only, like Asterisk's queue_log. Rows are never updated or deleted by the application.
CREATE TABLE queue_events (
    id       bigserial PRIMARY KEY,
    time     timestamptz NOT NULL,
    call_id  text NOT NULL DEFAULT '',
    queue    text NOT NULL DEFAULT '',
    agent    text NOT NULL DEFAULT '',
    event    text NOT NULL,
    wait_ms  bigint NOT NULL DEFAULT 0,
    talk_ms  bigint NOT NULL DEFAULT 0,
    position integer NOT NULL DEFAULT 0,
    data     text NOT NULL DEFAULT ''
);
CREATE INDEX queue_events_time ON queue_events (time);
CREATE INDEX queue_events_queue_time ON queue_events (queue, time);
CREATE INDEX queue_events_call ON queue_events (call_id);

-- One table for every rating, whatever its source.
CREATE TABLE ratings (
    id            bigserial PRIMARY KEY,
    time          timestamptz NOT NULL,
    rating        smallint NOT NULL CHECK (rating BETWEEN 1 AND 4), -- 1 very_unhappy .. 4 very_happy
    source        text NOT NULL CHECK (source IN ('phone', 'kiosk', 'web')),
    call_id       text,
    queue         text,
    department    text,
    agent         text,
    kiosk_id      text,
    service_point text,
    misuse        boolean NOT NULL DEFAULT false
);
CREATE INDEX ratings_time ON ratings (time);
CREATE INDEX ratings_department_time ON ratings (department, time);
CREATE INDEX ratings_kiosk_time ON ratings (kiosk_id, time) WHERE kiosk_id IS NOT NULL;

-- The ratings every KPI counts: misuse (kiosk presses too close together) excluded.
CREATE VIEW ratings_valid AS SELECT * FROM ratings WHERE NOT misuse;

-- Recorded messages left after hours, waiting to become tickets.
CREATE TABLE messages (
    id          bigserial PRIMARY KEY,
    time        timestamptz NOT NULL,
    call_id     text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    language    text NOT NULL DEFAULT '',
    recording   text NOT NULL,
    duration_ms bigint NOT NULL DEFAULT 0,
    status      text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ticketed', 'discarded'))
);
CREATE INDEX messages_time ON messages (time);
CREATE INDEX messages_status_time ON messages (status, time);
