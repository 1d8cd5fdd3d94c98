-- Haven schema 2: humanitarian minimum standards (data the operator can change) and
-- the facilities measured at each site.

CREATE TABLE standards (
    key TEXT PRIMARY KEY NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE site_facilities (
    site_id BIGINT PRIMARY KEY NOT NULL REFERENCES sites(id),
    water_litres_per_day DOUBLE PRECISION NOT NULL,
    latrines BIGINT NOT NULL,
    showers BIGINT NOT NULL
);
