-- Settings an administrator changes at run time and every node must share:
-- the active policy pack (its TOML text) and the country profiles (JSON).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
