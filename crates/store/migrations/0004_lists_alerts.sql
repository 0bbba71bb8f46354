-- List management: configured sources, every downloaded or imported version
-- (content kept in the database so every app node loads the same version),
-- and alerts raised when re-screening after a list change finds a new or
-- stronger match.

CREATE TABLE list_sources (
    id TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    title TEXT NOT NULL,
    urls TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    schedule_hours BIGINT NOT NULL DEFAULT 24,
    last_error TEXT,
    last_attempt_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE list_versions (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES list_sources(id),
    fetched_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    entity_count BIGINT NOT NULL,
    row_issues BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE INDEX list_versions_source ON list_versions(source_id, status);

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    subject TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    source TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entry_fingerprint TEXT NOT NULL,
    matched_name TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    change TEXT NOT NULL,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dismissed_by TEXT,
    dismissed_at TEXT,
    dismissed_reason TEXT
);
CREATE INDEX alerts_engagement ON alerts(engagement_id, status);
CREATE INDEX alerts_entry ON alerts(engagement_id, source, entity_id);
