-- Haven schema 7: voluntary return. One row per person's return case, holding the
-- haven-core state machine as JSON (counselling, consent, verification by another
-- officer, schedule, departure, withdrawals), with its stage for queries.

CREATE TABLE voluntary_returns (
    id BIGINT PRIMARY KEY NOT NULL,
    person_id BIGINT NOT NULL UNIQUE REFERENCES people(id),
    country TEXT NOT NULL,
    stage TEXT NOT NULL,
    state_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
