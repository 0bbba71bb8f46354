-- The review workflow (route, rounds, decisions with snapshots, conditions)
-- and the append-only, hash-chained audit trail.

ALTER TABLE engagements ADD COLUMN route TEXT NOT NULL DEFAULT 'department';
ALTER TABLE engagements ADD COLUMN review_round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE engagements ADD COLUMN submitted_by TEXT;
ALTER TABLE engagements ADD COLUMN next_review_on TEXT;

CREATE TABLE engagement_decisions (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    review_round BIGINT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    route TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    rationale TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX engagement_decisions_engagement ON engagement_decisions(engagement_id);

CREATE TABLE engagement_conditions (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id),
    decision_id TEXT NOT NULL REFERENCES engagement_decisions(id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL,
    completed_by TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX engagement_conditions_engagement ON engagement_conditions(engagement_id);
CREATE INDEX engagement_conditions_owner ON engagement_conditions(owner, status);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log(actor);
