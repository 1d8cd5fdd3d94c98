-- Haven schema 5: resettlement pledges. A country's offer of places (persons) for a
-- period, with its criteria and legal bars kept as the JSON document the operator wrote
-- (see docs/resettlement-domain.md), evaluated by haven-core's one rule engine.

CREATE TABLE pledges (
    id BIGINT PRIMARY KEY NOT NULL,
    pledge_id TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL,
    places BIGINT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    criteria_json TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX pledges_country ON pledges(country);
