-- Meridian's schema, written once for SQLite and PostgreSQL alike: only TEXT,
-- BIGINT and DOUBLE PRECISION columns (what sqlx's Any driver carries on both),
-- ids are application-made UUIDs, times are RFC 3339 UTC text that sorts as time.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    legal_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    search_text TEXT NOT NULL,
    country TEXT,
    sector TEXT,
    parent_id TEXT,
    doc TEXT NOT NULL,
    dd_status TEXT NOT NULL DEFAULT 'not_started',
    dd_reviewer TEXT,
    dd_decided_on TEXT,
    dd_expires_on TEXT,
    merged_into TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX parties_name_key ON parties(name_key);
CREATE INDEX parties_country ON parties(country);

-- Every name of a party (legal and other), keyed for resolution and suggestions.
CREATE TABLE party_names (
    party_id TEXT NOT NULL REFERENCES parties(id),
    name TEXT NOT NULL,
    name_type TEXT NOT NULL,
    name_key TEXT NOT NULL
);
CREATE INDEX party_names_key ON party_names(name_key);
CREATE INDEX party_names_party ON party_names(party_id);

CREATE TABLE party_dd_decisions (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties(id),
    status TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    expires_on TEXT,
    note TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX party_dd_party ON party_dd_decisions(party_id);

CREATE TABLE party_adverse_media (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties(id),
    text TEXT NOT NULL,
    source_url TEXT NOT NULL,
    published_on TEXT,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX party_media_party ON party_adverse_media(party_id);

CREATE TABLE party_history (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX party_history_party ON party_history(party_id);

CREATE TABLE engagements (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    department TEXT NOT NULL,
    search_text TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    archived BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX engagements_updated ON engagements(updated_at);

CREATE TABLE engagement_countries (
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    country TEXT NOT NULL,
    PRIMARY KEY (engagement_id, country)
);
CREATE INDEX engagement_countries_country ON engagement_countries(country);

CREATE TABLE engagement_parties (
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    party_id TEXT NOT NULL REFERENCES parties(id),
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (engagement_id, role, position)
);
CREATE INDEX engagement_parties_party ON engagement_parties(party_id);

CREATE TABLE engagement_history (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    version BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX engagement_history_engagement ON engagement_history(engagement_id);
