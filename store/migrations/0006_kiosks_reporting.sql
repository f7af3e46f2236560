-- 0006: kiosks, kiosk presses in ratings (idempotent per kiosk + sequence, HappyOrNot feedback ids),
-- rollups maintained as data arrives, staff training records.

CREATE TABLE kiosks (
    id              text PRIMARY KEY,
    department      text NOT NULL,
    location        text NOT NULL,                  -- the service point
    token_hash      bytea NOT NULL,                 -- sha256 of the secret; the secret is shown once
    created         timestamptz NOT NULL DEFAULT now(),
    rotated         timestamptz,
    revoked         timestamptz,                    -- NULL: active
    last_seen       timestamptz,
    clock_offset_ms bigint NOT NULL DEFAULT 0       -- server time − kiosk time at its last batch
);

ALTER TABLE ratings ADD COLUMN kiosk_seq bigint;    -- the kiosk's own sequence number
ALTER TABLE ratings ADD COLUMN external_id text;    -- e.g. "hon:<feedbackId>" for HappyOrNot imports
ALTER TABLE ratings ADD COLUMN kiosk_time timestamptz; -- the kiosk's own clock, before correction
ALTER TABLE ratings ADD COLUMN follow_up text;       -- the kiosk's follow-up answer, if any
CREATE UNIQUE INDEX ratings_kiosk_seq ON ratings (kiosk_id, kiosk_seq) WHERE kiosk_seq IS NOT NULL;
CREATE UNIQUE INDEX ratings_external_id ON ratings (external_id) WHERE external_id IS NOT NULL;

-- Ratings counted per UTC hour as they are stored (ingestion, import, phone survey writer).
CREATE TABLE rating_rollup (
    slot          timestamptz NOT NULL,             -- start of the hour
    source        text NOT NULL,
    department    text NOT NULL DEFAULT '',
    service_point text NOT NULL DEFAULT '',
    kiosk_id      text NOT NULL DEFAULT '',
    very_unhappy  bigint NOT NULL DEFAULT 0,
    unhappy       bigint NOT NULL DEFAULT 0,
    happy         bigint NOT NULL DEFAULT 0,
    very_happy    bigint NOT NULL DEFAULT 0,
    misuse        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (slot, source, department, service_point, kiosk_id)
);

-- Queue figures per queue and 30-minute slot of entry, counted from the queue events as they are written.
CREATE TABLE queue_rollup (
    slot                timestamptz NOT NULL,       -- start of the 30-minute interval the calls entered in
    queue               text NOT NULL,
    offered             bigint NOT NULL DEFAULT 0,
    answered            bigint NOT NULL DEFAULT 0,
    answered_within_t   bigint NOT NULL DEFAULT 0,
    abandoned           bigint NOT NULL DEFAULT 0,
    short_abandoned     bigint NOT NULL DEFAULT 0,
    abandoned_within_t  bigint NOT NULL DEFAULT 0,
    timed_out           bigint NOT NULL DEFAULT 0,
    callbacks_requested bigint NOT NULL DEFAULT 0,
    callbacks_completed bigint NOT NULL DEFAULT 0,
    wait_us             bigint NOT NULL DEFAULT 0,  -- sums in microseconds: exact for Postgres times
    max_wait_us         bigint NOT NULL DEFAULT 0,
    talk_us             bigint NOT NULL DEFAULT 0,
    hold_us             bigint NOT NULL DEFAULT 0,
    wrap_us             bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (slot, queue)
);

-- Staff records: who is customer-facing and when they were last trained in customer service.
CREATE TABLE staff (
    agent_id        text PRIMARY KEY,
    department      text NOT NULL DEFAULT '',
    customer_facing boolean NOT NULL DEFAULT true,
    last_trained    date
);

-- rating_rollup is kept by the database as ratings arrive, whoever writes them (the writer's phone
-- surveys, kiosk ingestion, imports, COPY): statement-level triggers over the transition tables.
CREATE FUNCTION rating_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rating_rollup AS r (slot, source, department, service_point, kiosk_id,
        very_unhappy, unhappy, happy, very_happy, misuse)
    SELECT date_trunc('hour', time, 'UTC'), source, coalesce(department, ''), coalesce(service_point, ''),
        coalesce(kiosk_id, ''),
        count(*) FILTER (WHERE NOT misuse AND rating = 1), count(*) FILTER (WHERE NOT misuse AND rating = 2),
        count(*) FILTER (WHERE NOT misuse AND rating = 3), count(*) FILTER (WHERE NOT misuse AND rating = 4),
        count(*) FILTER (WHERE misuse)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5 -- one lock order for concurrent writers: no deadlock
    ON CONFLICT (slot, source, department, service_point, kiosk_id) DO UPDATE SET
        very_unhappy = r.very_unhappy + EXCLUDED.very_unhappy, unhappy = r.unhappy + EXCLUDED.unhappy,
        happy = r.happy + EXCLUDED.happy, very_happy = r.very_happy + EXCLUDED.very_happy,
        misuse = r.misuse + EXCLUDED.misuse;
    RETURN NULL;
END $$;

CREATE FUNCTION rating_rollup_sub() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_rollup r SET
        very_unhappy = r.very_unhappy - o.vu, unhappy = r.unhappy - o.u, happy = r.happy - o.h,
        very_happy = r.very_happy - o.vh, misuse = r.misuse - o.m
    FROM (SELECT date_trunc('hour', time, 'UTC') AS slot, source, coalesce(department, '') AS department,
            coalesce(service_point, '') AS service_point, coalesce(kiosk_id, '') AS kiosk_id,
            count(*) FILTER (WHERE NOT misuse AND rating = 1) AS vu, count(*) FILTER (WHERE NOT misuse AND rating = 2) AS u,
            count(*) FILTER (WHERE NOT misuse AND rating = 3) AS h, count(*) FILTER (WHERE NOT misuse AND rating = 4) AS vh,
            count(*) FILTER (WHERE misuse) AS m
          FROM old_rows GROUP BY 1, 2, 3, 4, 5) o
    WHERE r.slot = o.slot AND r.source = o.source AND r.department = o.department
        AND r.service_point = o.service_point AND r.kiosk_id = o.kiosk_id;
    RETURN NULL;
END $$;

CREATE TRIGGER ratings_rollup_insert AFTER INSERT ON ratings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_add();
CREATE TRIGGER ratings_rollup_update_old AFTER UPDATE ON ratings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_sub();
CREATE TRIGGER ratings_rollup_update_new AFTER UPDATE ON ratings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_add();
CREATE TRIGGER ratings_rollup_delete AFTER DELETE ON ratings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_sub();
