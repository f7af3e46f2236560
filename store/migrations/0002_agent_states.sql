-- 0002: each agent's last sign-in state (logged out, available, paused with a reason), kept outside Redis so
-- that a Redis that lost its data gets its agents back as they were (see queue.RestoreAgents).
CREATE TABLE agent_states (
    agent_id text PRIMARY KEY,
    agent    jsonb NOT NULL DEFAULT '{}',   -- agents.Agent: name, endpoint, skills
    state    text NOT NULL CHECK (state IN ('logged_out', 'available', 'paused')),
    reason   text NOT NULL DEFAULT '',
    since    timestamptz NOT NULL
);
