-- Haven schema 6: placement runs and referrals. A run is a recommendation: its inputs,
-- result, bound, gap and explanation are kept as the optimiser saw and returned them;
-- only an officer's approval turns its placements into referrals.

-- status: proposed, approved.
CREATE TABLE placement_runs (
    id BIGINT PRIMARY KEY NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    approved_at TEXT,
    approved_by TEXT,
    weights_json TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    objective DOUBLE PRECISION,
    bound DOUBLE PRECISION,
    gap DOUBLE PRECISION,
    optimal BOOLEAN NOT NULL
);

-- One household submitted to one pledge. status: submitted, accepted, declined, departed.
CREATE TABLE referrals (
    id BIGINT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL UNIQUE,
    run_id BIGINT NOT NULL REFERENCES placement_runs(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    pledge_id BIGINT NOT NULL REFERENCES pledges(id),
    people BIGINT NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    reason TEXT,
    departure_date TEXT,
    departed_at TEXT
);
CREATE INDEX referrals_household ON referrals(household_id);
CREATE INDEX referrals_pledge ON referrals(pledge_id);
