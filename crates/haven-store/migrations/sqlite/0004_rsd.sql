-- Haven schema 4: refugee status determination (RSD). One claim per household (the
-- case), the head being the principal applicant; officers and interpreters with their
-- daily capacity and languages; interviews and decisions as they were recorded.
-- Dates are ISO 8601 text; ids are assigned by Haven under the writer lock.

CREATE TABLE rsd_officers (
    id BIGINT PRIMARY KEY NOT NULL,
    officer_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    capacity_per_day BIGINT NOT NULL,
    -- ISO 639 codes separated by ';'
    languages TEXT NOT NULL
);

CREATE TABLE rsd_interpreters (
    id BIGINT PRIMARY KEY NOT NULL,
    interpreter_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    capacity_per_day BIGINT NOT NULL,
    languages TEXT NOT NULL
);

-- A household without a row here has a pending claim since its head's registration.
CREATE TABLE rsd_claims (
    id BIGINT PRIMARY KEY NOT NULL,
    household_id BIGINT NOT NULL UNIQUE REFERENCES households(id),
    stage TEXT NOT NULL,
    -- The haven-core Claim, serialised: the state machine's own record.
    claim_json TEXT NOT NULL,
    scheduled_on TEXT,
    officer_id BIGINT REFERENCES rsd_officers(id),
    interpreter_id BIGINT REFERENCES rsd_interpreters(id),
    outcome TEXT,
    -- Fixed at notification (the letter names the deadline).
    appeal_window_days BIGINT NOT NULL,
    stage_since TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rsd_claims_stage ON rsd_claims(stage);
CREATE INDEX rsd_claims_scheduled ON rsd_claims(scheduled_on);

CREATE TABLE rsd_interviews (
    id BIGINT PRIMARY KEY NOT NULL,
    claim_id BIGINT NOT NULL REFERENCES rsd_claims(id),
    held_on TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES rsd_officers(id),
    interpreter_id BIGINT REFERENCES rsd_interpreters(id),
    notes TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX rsd_interviews_claim ON rsd_interviews(claim_id);
CREATE INDEX rsd_interviews_held ON rsd_interviews(held_on);

-- instance: 'first' or 'appeal'.
CREATE TABLE rsd_decisions (
    id BIGINT PRIMARY KEY NOT NULL,
    claim_id BIGINT NOT NULL REFERENCES rsd_claims(id),
    instance TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES rsd_officers(id),
    decided_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX rsd_decisions_claim ON rsd_decisions(claim_id);
CREATE INDEX rsd_decisions_on ON rsd_decisions(decided_on);
