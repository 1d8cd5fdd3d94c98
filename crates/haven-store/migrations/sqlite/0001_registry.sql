-- Haven schema 1: registry, population ledger, audit log (SQLite).
-- Dates are ISO 8601 text on both backends so that they compare and sort alike.
-- Ids are assigned by Haven under the writer lock, identical on both backends.

CREATE TABLE specific_needs (
    code TEXT PRIMARY KEY NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE sites (
    id BIGINT PRIMARY KEY NOT NULL,
    site_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    area_m2 DOUBLE PRECISION,
    closing_deadline TEXT,
    content_hash TEXT NOT NULL
);

CREATE TABLE shelter_units (
    id BIGINT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL UNIQUE,
    site_id BIGINT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    covered_area_m2 DOUBLE PRECISION NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX shelter_units_site ON shelter_units(site_id);

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY NOT NULL,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
);

CREATE TABLE households (
    id BIGINT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL
);

CREATE TABLE people (
    id BIGINT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL UNIQUE,
    household_id BIGINT NOT NULL REFERENCES households(id),
    relationship TEXT NOT NULL,
    given_name_latin TEXT NOT NULL,
    family_name_latin TEXT NOT NULL,
    given_name_original TEXT NOT NULL,
    family_name_original TEXT NOT NULL,
    sex TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    dob_precision TEXT NOT NULL,
    nationality TEXT NOT NULL,
    languages TEXT NOT NULL,
    specific_needs TEXT NOT NULL,
    attributes TEXT NOT NULL,
    registered_site TEXT NOT NULL,
    registered_unit TEXT,
    registered_on TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id)
);
CREATE INDEX people_household ON people(household_id);
CREATE INDEX people_account ON people(account_id);

-- Transliteration-tolerant search: one row per distinct name key of a person.
CREATE TABLE name_keys (
    key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (key, person_id)
) WITHOUT ROWID;

-- The population ledger: one row per movement of one person. from_account_id is NULL
-- for registration (the person enters the books).
CREATE TABLE movements (
    id BIGINT PRIMARY KEY NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id),
    from_account_id BIGINT REFERENCES accounts(id),
    to_account_id BIGINT NOT NULL REFERENCES accounts(id),
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    split_reason TEXT
);
CREATE INDEX movements_person ON movements(person_id);

-- Append-only, hash-chained.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
