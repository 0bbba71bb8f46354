-- What screening found and what the risk engine concluded, each time an
-- engagement was evaluated (on save, on demand, after list or policy changes):
-- the history is kept, the latest is shown.

CREATE TABLE engagement_screenings (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    engagement_version BIGINT NOT NULL,
    at TEXT NOT NULL,
    ok BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX engagement_screenings_engagement ON engagement_screenings(engagement_id, at);

CREATE TABLE engagement_assessments (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    engagement_version BIGINT NOT NULL,
    at TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL,
    route TEXT NOT NULL,
    assessment TEXT NOT NULL
);
CREATE INDEX engagement_assessments_engagement ON engagement_assessments(engagement_id, at);
