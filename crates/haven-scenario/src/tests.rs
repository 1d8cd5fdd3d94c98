//! Every generated row must import: checked here against docs/import-format.md.

use std::collections::{BTreeMap, HashMap, HashSet};

use time::Date;

use super::*;

const NEEDS_CSV: &str = include_str!("../../haven-core/data/specific_needs.csv");
const RELATIONSHIPS: [&str; 9] = [
    "head",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "grandparent",
    "other_relative",
    "non_relative",
];

fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn date(s: &str) -> Date {
    let parts: Vec<&str> = s.split('-').collect();
    assert_eq!(parts.len(), 3, "{s}");
    assert_eq!(
        (parts[0].len(), parts[1].len(), parts[2].len()),
        (4, 2, 2),
        "{s}"
    );
    let y: i32 = parts[0].parse().expect("year");
    let m: u8 = parts[1].parse().expect("month");
    let d: u8 = parts[2].parse().expect("day");
    Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date")
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn need_codes() -> HashSet<String> {
    NEEDS_CSV
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::to_string)
        .collect()
}

/// The whole operation, checked row by row against the import format.
fn check_operation(cfg: &ScenarioConfig, files: &ScenarioFiles) {
    let s = &files.summary;

    // sites.csv
    let (header, sites) = rows(&files.sites);
    assert_eq!(header, SITE_HEADER);
    let mut site_kind = HashMap::new();
    for row in &sites {
        assert_eq!(row.len(), SITE_HEADER.len(), "{row:?}");
        assert!(valid_id(&row[0]), "{row:?}");
        assert!(!row[1].is_empty());
        assert!(
            ["closing_camp", "temporary_site", "transit_centre"].contains(&row[2].as_str()),
            "{row:?}"
        );
        let _: u64 = row[3].parse().expect("capacity");
        let area: f64 = row[4].parse().expect("area");
        assert!(area >= 0.0);
        if row[2] == "closing_camp" {
            assert!(date(&row[5]) > cfg.start, "deadline {row:?}");
        } else {
            assert!(row[5].is_empty());
        }
        assert!(
            site_kind.insert(row[0].clone(), row[2].clone()).is_none(),
            "dup site"
        );
    }
    assert_eq!(sites.len(), s.sites);
    assert_eq!(s.closing_camps, cfg.groups());

    // shelter_units.csv
    let (header, units) = rows(&files.shelter_units);
    assert_eq!(header, SHELTER_UNIT_HEADER);
    let mut unit_site = HashMap::new();
    let mut unit_capacity = HashMap::new();
    let mut ts_capacity: HashMap<&str, u64> = HashMap::new();
    let mut below_sphere_ts = 0;
    for row in &units {
        assert_eq!(row.len(), SHELTER_UNIT_HEADER.len(), "{row:?}");
        assert!(valid_id(&row[0]), "{row:?}");
        let kind = site_kind.get(&row[1]).expect("unit of a known site");
        assert!(!row[2].is_empty());
        let capacity: u64 = row[3].parse().expect("capacity");
        let area: f64 = row[4].parse().expect("area");
        assert!(capacity > 0 && area > 0.0, "{row:?}");
        if kind == "temporary_site" {
            *ts_capacity.entry(row[1].as_str()).or_default() += capacity;
            if area / (capacity as f64) < SPHERE_MIN_M2_PER_PERSON {
                below_sphere_ts += 1;
            }
        }
        assert!(
            unit_site.insert(row[0].clone(), row[1].clone()).is_none(),
            "dup unit"
        );
        unit_capacity.insert(row[0].clone(), capacity);
    }
    assert_eq!(units.len(), s.shelter_units);
    assert_eq!(ts_capacity.len(), s.temporary_sites);
    for (site, cap) in &ts_capacity {
        assert_eq!(*cap, u64::from(cfg.temporary_site_capacity), "{site}");
    }
    assert!(
        below_sphere_ts > 0,
        "the standards report needs something to say"
    );

    // households.csv
    let (header, people) = rows(&files.households);
    assert_eq!(header, HOUSEHOLD_HEADER);
    let codes = need_codes();
    let last_registration = cfg.start + time::Duration::days(56);
    let mut persons = HashSet::new();
    let mut heads: BTreeMap<&str, usize> = BTreeMap::new();
    let mut household_unit: HashMap<&str, &str> = HashMap::new();
    let mut occupancy: HashMap<&str, u64> = HashMap::new();
    for row in &people {
        assert_eq!(row.len(), HOUSEHOLD_HEADER.len(), "{row:?}");
        let [
            hh,
            person,
            rel,
            given,
            family,
            given_o,
            family_o,
            sex,
            dob,
            precision,
            nat,
            langs,
            needs,
            attrs,
            site,
            unit,
            registered,
        ] = &row[..]
        else {
            unreachable!()
        };
        assert!(valid_id(hh) && valid_id(person), "{row:?}");
        assert!(persons.insert(person.as_str()), "duplicate person {person}");
        assert!(RELATIONSHIPS.contains(&rel.as_str()), "{row:?}");
        *heads.entry(hh).or_default() += usize::from(rel == "head");
        assert!(!given.is_empty() && !family.is_empty(), "{row:?}");
        assert!(given.is_ascii() && family.is_ascii(), "{row:?}");
        assert!(!given_o.is_empty() && !family_o.is_empty(), "{row:?}");
        assert!(["F", "M", "X"].contains(&sex.as_str()));
        // Date of birth fits its precision and is not after the start.
        let born = match (precision.as_str(), dob.len()) {
            ("exact", 10) => date(dob),
            ("month", 7) => date(&format!("{dob}-01")),
            ("year" | "estimated", 4) => date(&format!("{dob}-01-01")),
            other => panic!("{other:?} {row:?}"),
        };
        assert!(born <= cfg.start, "{row:?}");
        assert_eq!(nat, "IRN");
        for l in langs.split(';') {
            assert!(
                ["fas", "eng", "ara", "ckb", "kmr", "azb"].contains(&l),
                "{row:?}"
            );
        }
        for code in needs.split(';').filter(|c| !c.is_empty()) {
            assert!(codes.contains(code), "unknown need {code}");
        }
        let mut keys = HashSet::new();
        for pair in attrs.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').expect("key=value");
            assert!(
                !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{pair}"
            );
            assert!(!v.is_empty() && !v.contains('='), "{pair}");
            assert!(keys.insert(k), "key twice {attrs}");
        }
        assert_eq!(
            site_kind.get(site).map(String::as_str),
            Some("closing_camp")
        );
        assert_eq!(unit_site.get(unit), Some(site), "unit in the person's site");
        assert_eq!(
            *household_unit.entry(hh).or_insert(unit),
            unit.as_str(),
            "household split"
        );
        *occupancy.entry(unit).or_default() += 1;
        let reg = date(registered);
        assert!(reg >= cfg.start && reg < last_registration, "{row:?}");
    }
    assert_eq!(people.len(), s.people);
    assert_eq!(heads.len(), s.households);
    for (hh, n) in &heads {
        assert_eq!(*n, 1, "{hh} must have exactly one head");
    }
    for (unit, n) in &occupancy {
        assert!(*n <= unit_capacity[*unit], "{unit} over capacity");
    }
    assert_eq!(s.household_sizes.iter().sum::<usize>(), s.households);
    let by_size: usize = s
        .household_sizes
        .iter()
        .enumerate()
        .map(|(n, c)| n * c)
        .sum();
    assert_eq!(by_size, s.people);
}

#[test]
fn default_operation_is_valid() {
    let cfg = ScenarioConfig::default();
    let files = camp_closure_in_memory(&cfg).expect("generate");
    check_operation(&cfg, &files);
    let s = &files.summary;
    assert_eq!(s.people, 3_200);
    assert_eq!(
        (s.closing_camps, s.temporary_sites, s.transit_centres),
        (1, 1, 1)
    );
    assert_eq!(s.temporary_site_capacity, 5_500);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = camp_closure_in_memory(&ScenarioConfig::new(7, 2_000)).expect("a");
    let b = camp_closure_in_memory(&ScenarioConfig::new(7, 2_000)).expect("b");
    assert_eq!(a, b);
    let c = camp_closure_in_memory(&ScenarioConfig::new(8, 2_000)).expect("c");
    assert_ne!(a.households, c.households);
    assert_eq!(a.sites, c.sites, "sites do not depend on the seed");
}

#[test]
fn files_on_disk_equal_the_in_memory_operation() {
    let cfg = ScenarioConfig::new(3, 500);
    let dir = std::env::temp_dir().join(format!("haven-scenario-test-{}", std::process::id()));
    let summary = generate_camp_closure(&cfg, &dir).expect("write");
    let mem = camp_closure_in_memory(&cfg).expect("memory");
    assert_eq!(summary, mem.summary);
    let read = |name: &str| std::fs::read(dir.join(name)).expect("read");
    assert_eq!(read("sites.csv"), mem.sites);
    assert_eq!(read("shelter_units.csv"), mem.shelter_units);
    assert_eq!(read("households.csv"), mem.households);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn people_count_is_exact() {
    for people in [0, 1, 2, 7, 999, 3_201, 10_000] {
        let cfg = ScenarioConfig::new(11, people);
        let files = camp_closure_in_memory(&cfg).expect("generate");
        assert_eq!(files.summary.people, people);
        if people > 0 {
            check_operation(&cfg, &files);
        }
    }
}

#[test]
fn scales_to_several_camps() {
    let cfg = ScenarioConfig {
        people_per_camp: 1_000,
        ..ScenarioConfig::new(5, 4_600)
    };
    let files = camp_closure_in_memory(&cfg).expect("generate");
    check_operation(&cfg, &files);
    let s = &files.summary;
    assert_eq!(cfg.groups(), 5);
    assert_eq!(
        (s.closing_camps, s.temporary_sites, s.transit_centres),
        (5, 5, 5)
    );
    assert_eq!(s.temporary_site_capacity, 5 * 5_500);
    assert_eq!(ScenarioConfig::new(1, 1_000_000).groups(), 313);
    assert_eq!(ScenarioConfig::new(1, 100_000).groups(), 31);
}

/// The population looks like a long-isolated exile community.
#[test]
fn population_is_plausible() {
    let cfg = ScenarioConfig::default();
    let files = camp_closure_in_memory(&cfg).expect("generate");
    let s = &files.summary;
    let singles = s.household_sizes[1] as f64 / s.households as f64;
    assert!(
        (0.5..0.72).contains(&singles),
        "single-person households {singles}"
    );
    let mean = s.people as f64 / s.households as f64;
    assert!((1.4..2.2).contains(&mean), "mean household size {mean}");
    assert!(s.household_sizes.len() <= 9, "{:?}", s.household_sizes);

    let (_, people) = rows(&files.households);
    let n = people.len() as f64;
    let start_year = cfg.start.year();
    let age = |row: &Vec<String>| i64::from(start_year) - row[8][..4].parse::<i64>().expect("year");
    let share =
        |f: &dyn Fn(&Vec<String>) -> bool| people.iter().filter(|r| f(r)).count() as f64 / n;
    let men = share(&|r| r[7] == "M");
    assert!((0.55..0.72).contains(&men), "men {men}");
    let children = share(&|r| age(r) < 18);
    assert!((0.04..0.2).contains(&children), "children {children}");
    let core = share(&|r| (25..=70).contains(&age(r)));
    assert!(core > 0.65, "adults 25-70 {core}");
    let older = share(&|r| age(r) >= 60);
    assert!((0.1..0.35).contains(&older), "60 and over {older}");
    let with_needs = share(&|r| !r[12].is_empty());
    assert!(
        (0.15..0.5).contains(&with_needs),
        "with specific needs {with_needs}"
    );
    let adults: Vec<_> = people.iter().filter(|r| age(r) >= 18).collect();
    let affiliated = adults
        .iter()
        .filter(|r| r[13].contains("affiliation=org-a"))
        .count() as f64
        / adults.len() as f64;
    assert!((0.2..0.4).contains(&affiliated), "affiliation {affiliated}");
    for code in ["SM-CI", "DS-PM", "ER-NF", "WR-WR", "TR-PI", "SP-PT"] {
        assert!(
            people.iter().any(|r| r[12].contains(code)),
            "{code} never drawn"
        );
    }
    // Registrations spell the same Persian name in different ways.
    let spellings: HashSet<&str> = people
        .iter()
        .filter(|r| r[5] == "محمد")
        .map(|r| r[3].as_str())
        .collect();
    assert!(spellings.len() >= 3, "{spellings:?}");
}

#[test]
fn bad_configuration_is_an_error() {
    let cfg = ScenarioConfig {
        temporary_site_capacity: 0,
        ..ScenarioConfig::default()
    };
    assert!(matches!(
        camp_closure_in_memory(&cfg),
        Err(ScenarioError::Config(_))
    ));
    let cfg = ScenarioConfig {
        people_per_camp: 0,
        ..ScenarioConfig::default()
    };
    assert!(matches!(
        camp_closure_in_memory(&cfg),
        Err(ScenarioError::Config(_))
    ));
}

/// Every spelling the generator registers is found from the Persian form (and back) by
/// the search keys of `haven_core::names`.
#[test]
fn registered_spellings_share_search_keys() {
    use haven_core::names::joined_key;
    let tables = [
        data::MALE,
        data::FEMALE,
        data::BOY,
        data::GIRL,
        data::FAMILY,
        std::slice::from_ref(&data::SEYED),
    ];
    let mut misses = Vec::new();
    for name in tables.iter().flat_map(|t| t.iter()) {
        let key = joined_key(name.persian);
        for latin in name.latin {
            if joined_key(latin) != key {
                misses.push(format!(
                    "{latin} {} / {} {key}",
                    joined_key(latin),
                    name.persian
                ));
            }
        }
    }
    assert!(misses.is_empty(), "{misses:#?}");
}
