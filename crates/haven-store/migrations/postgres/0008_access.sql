-- Haven schema 8: access. Agencies (a resettlement country's delegation carries its
-- country), users bound to one agency with one role, their argon2 password hashes and
-- lock-out counters, and the web sessions, kept in Haven's own database.

CREATE TABLE agencies (
    id BIGINT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT
);

CREATE TABLE users (
    id BIGINT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
