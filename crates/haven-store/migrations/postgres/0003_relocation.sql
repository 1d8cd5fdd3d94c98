-- Haven schema 3: relocation. People on hold, relocation plans, convoys and their
-- manifests; shelter units near facilities (for people whose needs call for it).

ALTER TABLE shelter_units ADD COLUMN near_facilities BOOLEAN NOT NULL DEFAULT FALSE;

-- A person who cannot travel now (in hospital, in custody, ...). Holds their household
-- back from relocation until released.
CREATE TABLE person_holds (
    person_id BIGINT PRIMARY KEY NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    since TEXT NOT NULL,
    actor TEXT NOT NULL
);

CREATE TABLE relocation_plans (
    id BIGINT PRIMARY KEY NOT NULL,
    from_site_id BIGINT NOT NULL REFERENCES sites(id),
    to_site_id BIGINT NOT NULL REFERENCES sites(id),
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- The operator's rules and the households held back, with why (JSON).
    rules_json TEXT NOT NULL,
    held_json TEXT NOT NULL
);

-- status: planned, departed, arrived.
CREATE TABLE convoys (
    id BIGINT PRIMARY KEY NOT NULL,
    convoy_id TEXT NOT NULL UNIQUE,
    plan_id BIGINT NOT NULL REFERENCES relocation_plans(id),
    date TEXT NOT NULL,
    seats BIGINT NOT NULL,
    status TEXT NOT NULL,
    departed_at TEXT,
    arrived_at TEXT
);
CREATE INDEX convoys_plan ON convoys(plan_id);

-- One row per person on a convoy. status: planned, departed, stayed (left behind at
-- departure, household whole), arrived, missing (not checked in on arrival: whereabouts
-- unknown), found (checked in later).
CREATE TABLE manifest_entries (
    convoy_id BIGINT NOT NULL REFERENCES convoys(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    unit_id BIGINT NOT NULL REFERENCES shelter_units(id),
    priority BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (convoy_id, person_id)
);
CREATE INDEX manifest_person ON manifest_entries(person_id);
CREATE INDEX manifest_unit ON manifest_entries(unit_id);
