-- 0009: unstaffed callers (EXITEMPTY: could not join, or left, because no signed-in agent serves the queue)
-- in queue_rollup, so the report from rollups shows them as the one from raw rows does.

ALTER TABLE queue_rollup ADD COLUMN unstaffed bigint NOT NULL DEFAULT 0;

-- The events already stored, counted as reporting.CountsBySlot does: an EXITEMPTY that ends an offer (the
-- call's latest ENTERQUEUE on that queue, not yet left) counts in the slot the offer entered in; one with no
-- such ENTERQUEUE (the caller could not join) in its own slot; one after the offer already left, not at all.
WITH exits AS (
    SELECT e.queue, e.time, ent.time AS entered,
        EXISTS (SELECT 1 FROM queue_events x WHERE x.call_id = e.call_id AND x.queue = e.queue
                AND x.id > ent.id AND x.id < e.id
                AND x.event IN ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'CALLBACKREQUESTED')) AS had_left
    FROM queue_events e
    LEFT JOIN LATERAL (SELECT s.id, s.time FROM queue_events s
        WHERE s.call_id = e.call_id AND s.queue = e.queue AND s.event = 'ENTERQUEUE' AND s.id < e.id
        ORDER BY s.id DESC LIMIT 1) ent ON true
    WHERE e.event = 'EXITEMPTY' AND e.queue <> ''
), counted AS (
    SELECT date_bin('30 minutes', coalesce(entered, time), timestamptz '2000-01-01 00:00:00+00') AS slot, queue,
        count(*) AS n
    FROM exits WHERE NOT coalesce(had_left, false) GROUP BY 1, 2
)
INSERT INTO queue_rollup AS r (slot, queue, unstaffed)
SELECT slot, queue, n FROM counted
ON CONFLICT (slot, queue) DO UPDATE SET unstaffed = EXCLUDED.unstaffed;
