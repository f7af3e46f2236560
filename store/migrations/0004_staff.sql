-- 0004: staff accounts, their sessions and bearer tokens (package auth); the
-- supervisors' audit log and the agents' wrap-ups (packages agentpanel, supervisor).

CREATE TABLE staff_users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    agent_id      text NOT NULL DEFAULT '',   -- the configured agent an agent account acts as
    password_hash text NOT NULL,              -- argon2id, PHC string
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'agent' OR agent_id <> '')
);

-- Server-side sessions: the cookie holds a random token, the table its SHA-256.
CREATE TABLE staff_sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

-- Bearer tokens for machine clients, each acting as one account.
CREATE TABLE staff_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Supervisor actions (set state, listen, whisper, barge): append-only.
CREATE TABLE supervisor_audit (
    id      bigserial PRIMARY KEY,
    time    timestamptz NOT NULL,
    actor   text NOT NULL,          -- the supervisor's username
    action  text NOT NULL,          -- set_state, listen, whisper, barge, stop
    agent   text NOT NULL DEFAULT '',
    call_id text NOT NULL DEFAULT '',
    detail  text NOT NULL DEFAULT ''
);
CREATE INDEX supervisor_audit_time ON supervisor_audit (time);

-- The agent's wrap-up of a call: disposition code and notes.
CREATE TABLE call_wrapups (
    id          bigserial PRIMARY KEY,
    time        timestamptz NOT NULL,
    call_id     text NOT NULL,
    agent       text NOT NULL,
    code        text NOT NULL,
    notes       text NOT NULL DEFAULT ''  -- may hold personal data: never logged
);
CREATE INDEX call_wrapups_call ON call_wrapups (call_id);
