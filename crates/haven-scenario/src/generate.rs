//! The generator proper. One ChaCha8 stream per group and purpose keeps groups
//! independent: the temporary site's layout does not change when the population does.

use std::fmt::Write as _;
use std::io::Write;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Date;

use crate::data::{self, Name};
use crate::{SPHERE_MIN_M2_PER_PERSON, ScenarioConfig, ScenarioError, ScenarioSummary};

pub const SITE_HEADER: [&str; 6] = haven_core::format::SITE_COLUMNS;

pub const SHELTER_UNIT_HEADER: [&str; 6] = haven_core::format::SHELTER_UNIT_COLUMNS;

pub const HOUSEHOLD_HEADER: [&str; 17] = haven_core::format::HOUSEHOLD_COLUMNS;

/// Rooms per block, in the camp and on the temporary site.
const ROOMS_PER_BLOCK: usize = 40;
/// Days after the start within which every household is registered.
const REGISTRATION_DAYS: i32 = 56;
/// Days from the start to the closing camp's deadline.
const DEADLINE_DAYS: i64 = 300;
const TRANSIT_CAPACITY: u32 = 400;

/// Purposes of the random streams.
const STREAM_LAYOUT: u64 = 1;
const STREAM_PEOPLE: u64 = 2;

fn rng_for(seed: u64, group: usize, purpose: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((group as u64) << 8 | purpose);
    rng
}

struct Group {
    /// Suffix of site ids (`""` for a single group, `-007` otherwise).
    id_suffix: String,
    /// Short code in unit ids (`CA`, `CA007`).
    camp_code: String,
    ts_code: String,
    tc_code: String,
    name_suffix: String,
    people: usize,
}

impl Group {
    fn camp_id(&self) -> String {
        format!("S-CAMP{}", self.id_suffix)
    }
    fn ts_id(&self) -> String {
        format!("S-TS{}", self.id_suffix)
    }
    fn tc_id(&self) -> String {
        format!("S-TC{}", self.id_suffix)
    }
}

fn groups(cfg: &ScenarioConfig) -> Vec<Group> {
    let g = cfg.groups();
    let width = g.to_string().len().max(3);
    (0..g)
        .map(|i| {
            let (id_suffix, num, name_suffix) = if g == 1 {
                (String::new(), String::new(), String::new())
            } else {
                let n = format!("{:0width$}", i + 1);
                (format!("-{n}"), n, format!(" {}", i + 1))
            };
            Group {
                id_suffix,
                camp_code: format!("CA{num}"),
                ts_code: format!("TS{num}"),
                tc_code: format!("TC{num}"),
                name_suffix,
                people: cfg.people * (i + 1) / g - cfg.people * i / g,
            }
        })
        .collect()
}

pub(crate) fn run<S: Write, U: Write, H: Write>(
    cfg: &ScenarioConfig,
    sites: S,
    units: U,
    households: H,
) -> Result<ScenarioSummary, ScenarioError> {
    if cfg.people_per_camp == 0 {
        return Err(ScenarioError::Config(
            "people_per_camp must be at least 1".into(),
        ));
    }
    if cfg.temporary_site_capacity == 0 {
        return Err(ScenarioError::Config(
            "temporary_site_capacity must be at least 1".into(),
        ));
    }
    let groups = groups(cfg);
    let mut summary = ScenarioSummary {
        household_sizes: vec![0; 2],
        ..ScenarioSummary::default()
    };

    let mut sites = csv::Writer::from_writer(sites);
    let mut units = csv::Writer::from_writer(units);
    let mut hh = csv::Writer::from_writer(households);
    sites.write_record(SITE_HEADER)?;
    units.write_record(SHELTER_UNIT_HEADER)?;
    hh.write_record(HOUSEHOLD_HEADER)?;

    let deadline = date_text(add_days(cfg.start, DEADLINE_DAYS));
    for g in &groups {
        // Declared capacity of the camp: what it was built for, above today's residents.
        let camp_capacity = (g.people as u64 * 115 / 100).div_ceil(100) * 100;
        sites.write_record([
            g.camp_id().as_str(),
            &format!("Camp Mehr{} (closing)", g.name_suffix),
            "closing_camp",
            &camp_capacity.to_string(),
            &format!("{:.0}", camp_capacity as f64 * 120.0),
            &deadline,
        ])?;
        sites.write_record([
            g.ts_id().as_str(),
            &format!(
                "Baran temporary site{} (former military base)",
                g.name_suffix
            ),
            "temporary_site",
            &cfg.temporary_site_capacity.to_string(),
            &format!("{:.0}", f64::from(cfg.temporary_site_capacity) * 45.0),
            "",
        ])?;
        summary.closing_camps += 1;
        summary.temporary_sites += 1;
        if cfg.transit_centre {
            sites.write_record([
                g.tc_id().as_str(),
                &format!("Baran transit centre{}", g.name_suffix),
                "transit_centre",
                &TRANSIT_CAPACITY.to_string(),
                &format!("{:.0}", f64::from(TRANSIT_CAPACITY) * 15.0),
                "",
            ])?;
            summary.transit_centres += 1;
        }
    }
    summary.sites = summary.closing_camps + summary.temporary_sites + summary.transit_centres;
    sites.flush()?;

    let mut people = PeopleWriter::new(cfg);
    for (gi, g) in groups.iter().enumerate() {
        let mut layout = rng_for(cfg.seed, gi, STREAM_LAYOUT);
        write_temporary_site(cfg, g, &mut layout, &mut units, &mut summary)?;
        if cfg.transit_centre {
            write_transit_centre(g, &mut layout, &mut units, &mut summary)?;
        }
        let mut rng = rng_for(cfg.seed, gi, STREAM_PEOPLE);
        people.group(g, &mut rng, &mut units, &mut hh, &mut summary)?;
    }
    units.flush()?;
    hh.flush()?;
    Ok(summary)
}

/// A former military base: barrack dormitories and smaller rooms, adding up exactly to
/// the declared capacity. About a quarter of the rooms fall below the Sphere minimum.
fn write_temporary_site<U: Write>(
    cfg: &ScenarioConfig,
    g: &Group,
    rng: &mut ChaCha8Rng,
    units: &mut csv::Writer<U>,
    summary: &mut ScenarioSummary,
) -> Result<(), ScenarioError> {
    let site_id = g.ts_id();
    let mut left = cfg.temporary_site_capacity;
    let mut index = 0usize;
    while left > 0 {
        let want: u32 = match rng.random_range(0..100u32) {
            0..35 => rng.random_range(2..=6),   // family rooms
            35..80 => rng.random_range(8..=12), // dormitories
            _ => rng.random_range(14..=20),     // barrack halls
        };
        let capacity = want.min(left);
        left -= capacity;
        // Covered area per person: old barracks are cramped in places.
        let per_person = if rng.random_bool(0.26) {
            rng.random_range(2.4..3.45)
        } else {
            rng.random_range(3.5..6.0)
        };
        let area = round1(f64::from(capacity) * per_person);
        let unit_id = unit_id(&g.ts_code, index);
        let name = format!(
            "Block {:02}, room {:03}",
            index / ROOMS_PER_BLOCK + 1,
            index % ROOMS_PER_BLOCK + 1
        );
        // The first two blocks stand by the ablution blocks and the clinic.
        let near = index / ROOMS_PER_BLOCK < 2;
        write_unit(
            units,
            UnitRow {
                unit_id: &unit_id,
                site_id: &site_id,
                name: &name,
                capacity,
                area,
                near_facilities: near,
            },
            summary,
        )?;
        summary.temporary_site_capacity += u64::from(capacity);
        index += 1;
    }
    Ok(())
}

/// Transit halls: short stays, crowded by design.
fn write_transit_centre<U: Write>(
    g: &Group,
    rng: &mut ChaCha8Rng,
    units: &mut csv::Writer<U>,
    summary: &mut ScenarioSummary,
) -> Result<(), ScenarioError> {
    let site_id = g.tc_id();
    let halls = 8;
    for i in 0..halls {
        let capacity = TRANSIT_CAPACITY / halls;
        let area = round1(f64::from(capacity) * rng.random_range(2.0..4.0));
        let unit_id = format!("{}-H{:02}", g.tc_code, i + 1);
        let name = format!("Hall {}", i + 1);
        write_unit(
            units,
            UnitRow {
                unit_id: &unit_id,
                site_id: &site_id,
                name: &name,
                capacity,
                area,
                near_facilities: true,
            },
            summary,
        )?;
    }
    Ok(())
}

/// One row of `shelter_units.csv`.
struct UnitRow<'a> {
    unit_id: &'a str,
    site_id: &'a str,
    name: &'a str,
    capacity: u32,
    area: f64,
    near_facilities: bool,
}

fn write_unit<U: Write>(
    units: &mut csv::Writer<U>,
    row: UnitRow<'_>,
    summary: &mut ScenarioSummary,
) -> Result<(), ScenarioError> {
    let UnitRow {
        unit_id,
        site_id,
        name,
        capacity,
        area,
        near_facilities,
    } = row;
    units.write_record([
        unit_id,
        site_id,
        name,
        &capacity.to_string(),
        &format!("{area:.1}"),
        if near_facilities { "yes" } else { "no" },
    ])?;
    summary.shelter_units += 1;
    if capacity > 0 && area / f64::from(capacity) < SPHERE_MIN_M2_PER_PERSON {
        summary.units_below_sphere += 1;
    }
    Ok(())
}

fn unit_id(code: &str, index: usize) -> String {
    format!(
        "{code}-B{:02}-R{:03}",
        index / ROOMS_PER_BLOCK + 1,
        index % ROOMS_PER_BLOCK + 1
    )
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn add_days(d: Date, days: i64) -> Date {
    d.checked_add(time::Duration::days(days)).unwrap_or(d)
}

fn date_text(d: Date) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d);
    s
}

fn push_date(s: &mut String, d: Date) {
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    );
}

// ---------------------------------------------------------------------------------
// People

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sex {
    F,
    M,
}

impl Sex {
    fn text(self) -> &'static str {
        match self {
            Sex::F => "F",
            Sex::M => "M",
        }
    }
    fn other(self) -> Sex {
        match self {
            Sex::F => Sex::M,
            Sex::M => Sex::F,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Single,
    Couple,
    CoupleWithChildren,
    SingleParent,
    Siblings,
    WithParents,
    ThreeGenerations,
}

/// Household kinds and their weights (per household) in a long-isolated exile camp.
const KINDS: [(Kind, u32); 7] = [
    (Kind::Single, 60),
    (Kind::Couple, 12),
    (Kind::CoupleWithChildren, 10),
    (Kind::SingleParent, 4),
    (Kind::Siblings, 6),
    (Kind::WithParents, 5),
    (Kind::ThreeGenerations, 3),
];

struct Member {
    relationship: &'static str,
    sex: Sex,
    age: i64,
    /// Family line: members of one line share a family name (Iranian women keep theirs).
    line: u8,
}

struct PeopleWriter {
    start: Date,
    next_household: usize,
    next_person: usize,
    hh_width: usize,
    person_width: usize,
    members: Vec<Member>,
    // Reused buffers: no allocation per row in the steady state.
    hh_id: String,
    person_id: String,
    given_latin: String,
    given_original: String,
    dob: String,
    languages: String,
    needs: String,
    attributes: String,
    registered: String,
    unit: String,
}

/// A unit of the closing camp being filled.
struct OpenUnit {
    id: String,
    free: u32,
}

impl PeopleWriter {
    fn new(cfg: &ScenarioConfig) -> Self {
        let width = cfg.people.max(1).to_string().len().max(6);
        PeopleWriter {
            start: cfg.start,
            next_household: 1,
            next_person: 1,
            hh_width: width,
            person_width: width,
            members: Vec::with_capacity(12),
            hh_id: String::new(),
            person_id: String::new(),
            given_latin: String::new(),
            given_original: String::new(),
            dob: String::new(),
            languages: String::new(),
            needs: String::new(),
            attributes: String::new(),
            registered: String::new(),
            unit: String::new(),
        }
    }

    fn group<U: Write, H: Write>(
        &mut self,
        g: &Group,
        rng: &mut ChaCha8Rng,
        units: &mut csv::Writer<U>,
        hh: &mut csv::Writer<H>,
        summary: &mut ScenarioSummary,
    ) -> Result<(), ScenarioError> {
        let camp_id = g.camp_id();
        let mut left = g.people;
        let mut unit_index = 0usize;
        let mut shared: Option<OpenUnit> = None;
        while left > 0 {
            self.compose(rng, left);
            let size = self.members.len();
            left -= size;

            // A unit of the camp: small households share trailers, families have theirs.
            let size32 = size as u32;
            let fits = shared.as_ref().is_some_and(|u| u.free >= size32);
            if size <= 2 && fits {
                if let Some(u) = shared.as_mut() {
                    u.free -= size32;
                    self.unit.clear();
                    self.unit.push_str(&u.id);
                }
            } else {
                let capacity = if size <= 2 {
                    if rng.random_bool(0.3) { 6 } else { 4 }
                } else {
                    size32.max(4).div_ceil(2) * 2
                };
                let id = unit_id(&g.camp_code, unit_index);
                let name = format!(
                    "Sector {:02}, trailer {:03}",
                    unit_index / ROOMS_PER_BLOCK + 1,
                    unit_index % ROOMS_PER_BLOCK + 1
                );
                unit_index += 1;
                let area = round1(f64::from(capacity) * rng.random_range(3.0..6.5));
                write_unit(
                    units,
                    UnitRow {
                        unit_id: &id,
                        site_id: &camp_id,
                        name: &name,
                        capacity,
                        area,
                        near_facilities: false,
                    },
                    summary,
                )?;
                summary.camp_unit_capacity += u64::from(capacity);
                self.unit.clear();
                self.unit.push_str(&id);
                if size <= 2 {
                    shared = Some(OpenUnit {
                        id,
                        free: capacity - size32,
                    });
                }
            }
            self.write_household(rng, &camp_id, hh)?;
            if summary.household_sizes.len() <= size {
                summary.household_sizes.resize(size + 1, 0);
            }
            summary.household_sizes[size] += 1;
            summary.households += 1;
            summary.people += size;
        }
        Ok(())
    }

    /// Draws a household of at most `room` members into `self.members`.
    fn compose(&mut self, rng: &mut ChaCha8Rng, room: usize) {
        let m = &mut self.members;
        m.clear();
        let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
        let mut r = rng.random_range(0..total);
        let mut kind = Kind::Single;
        for (k, w) in KINDS {
            if r < w {
                kind = k;
                break;
            }
            r -= w;
        }
        let head = |relationship, sex, age| Member {
            relationship,
            sex,
            age,
            line: 0,
        };
        match kind {
            Kind::Single => {
                let sex = if rng.random_bool(0.68) {
                    Sex::M
                } else {
                    Sex::F
                };
                m.push(head("head", sex, adult_age(rng)));
            }
            Kind::Couple => {
                let age = rng.random_range(35..=60) + rng.random_range(0..=12);
                m.push(head("head", Sex::M, age));
                let wife = (age - rng.random_range(0..=8)).max(25);
                m.push(Member {
                    relationship: "spouse",
                    sex: Sex::F,
                    age: wife,
                    line: 1,
                });
            }
            Kind::CoupleWithChildren | Kind::SingleParent => {
                let father = rng.random_range(28..=52);
                let mother = (father - rng.random_range(0..=7)).max(22);
                let youngest_parent = if kind == Kind::SingleParent {
                    let sex = if rng.random_bool(0.75) {
                        Sex::F
                    } else {
                        Sex::M
                    };
                    let age = if sex == Sex::F { mother } else { father };
                    m.push(head("head", sex, age));
                    age
                } else {
                    m.push(head("head", Sex::M, father));
                    m.push(Member {
                        relationship: "spouse",
                        sex: Sex::F,
                        age: mother,
                        line: 1,
                    });
                    mother
                };
                let children = match rng.random_range(0..100) {
                    0..40 => 1,
                    40..75 => 2,
                    75..92 => 3,
                    _ => 4,
                };
                let oldest = (youngest_parent - 18).clamp(0, 24);
                for _ in 0..children {
                    let sex = if rng.random_bool(0.5) { Sex::M } else { Sex::F };
                    m.push(Member {
                        relationship: "child",
                        sex,
                        age: rng.random_range(0..=oldest),
                        line: 0,
                    });
                }
            }
            Kind::Siblings => {
                let sex = if rng.random_bool(0.7) { Sex::M } else { Sex::F };
                let age = rng.random_range(30..=68);
                m.push(head("head", sex, age));
                let sibling_sex = if rng.random_bool(0.6) {
                    sex
                } else {
                    sex.other()
                };
                m.push(Member {
                    relationship: "sibling",
                    sex: sibling_sex,
                    age: (age + rng.random_range(-6..=6)).max(25),
                    line: 0,
                });
                if rng.random_bool(0.2) {
                    m.push(Member {
                        relationship: "other_relative",
                        sex: if rng.random_bool(0.5) { Sex::M } else { Sex::F },
                        age: rng.random_range(18..=40),
                        line: 2,
                    });
                }
            }
            Kind::WithParents => {
                let sex = if rng.random_bool(0.6) { Sex::M } else { Sex::F };
                let age = rng.random_range(30..=55);
                m.push(head("head", sex, age));
                let parent_sex = if rng.random_bool(0.65) {
                    Sex::F
                } else {
                    Sex::M
                };
                let parent_age = (age + rng.random_range(20..=34)).min(96);
                m.push(Member {
                    relationship: "parent",
                    sex: parent_sex,
                    age: parent_age,
                    line: if parent_sex == Sex::F { 1 } else { 0 },
                });
                if rng.random_bool(0.25) {
                    let other = parent_sex.other();
                    m.push(Member {
                        relationship: "parent",
                        sex: other,
                        age: (parent_age + rng.random_range(-5..=5)).min(98),
                        line: if other == Sex::F { 1 } else { 0 },
                    });
                }
            }
            Kind::ThreeGenerations => {
                let age = rng.random_range(56..=75);
                m.push(head("head", Sex::M, age));
                m.push(Member {
                    relationship: "spouse",
                    sex: Sex::F,
                    age: (age - rng.random_range(0..=6)).max(45),
                    line: 1,
                });
                let child_sex = if rng.random_bool(0.5) { Sex::M } else { Sex::F };
                let child_age = (age - rng.random_range(22..=32)).max(18);
                m.push(Member {
                    relationship: "child",
                    sex: child_sex,
                    age: child_age,
                    line: 0,
                });
                let oldest = (child_age - 18).clamp(0, 12);
                for _ in 0..rng.random_range(1..=3) {
                    m.push(Member {
                        relationship: "grandchild",
                        sex: if rng.random_bool(0.5) { Sex::M } else { Sex::F },
                        age: rng.random_range(0..=oldest),
                        line: if child_sex == Sex::M { 0 } else { 3 },
                    });
                }
            }
        }
        // The last household of a camp takes exactly the residents left.
        m.truncate(room);
    }

    fn write_household<H: Write>(
        &mut self,
        rng: &mut ChaCha8Rng,
        site_id: &str,
        hh: &mut csv::Writer<H>,
    ) -> Result<(), ScenarioError> {
        self.hh_id.clear();
        let _ = write!(
            self.hh_id,
            "H-{:0w$}",
            self.next_household,
            w = self.hh_width
        );
        self.next_household += 1;
        self.registered.clear();
        push_date(
            &mut self.registered,
            add_days(
                self.start,
                i64::from(rng.random_range(0..REGISTRATION_DAYS)),
            ),
        );

        // Family names per line, each with the spelling this registration used.
        let mut lines: [(usize, usize); 4] = [(0, 0); 4];
        for line in &mut lines {
            let i = skewed(rng, data::FAMILY.len());
            *line = (i, variant(rng, data::FAMILY[i].latin.len()));
        }
        let members = std::mem::take(&mut self.members);
        let size = members.len();
        let lone_adult = size == 1;
        let head_without_partner = !members.iter().any(|x| x.relationship == "spouse");
        let has_children = members
            .iter()
            .any(|x| x.relationship == "child" && x.age < 18);

        for x in &members {
            self.person_id.clear();
            let _ = write!(
                self.person_id,
                "P-{:0w$}",
                self.next_person,
                w = self.person_width
            );
            self.next_person += 1;

            let (family_index, mut family_variant) = lines[usize::from(x.line)];
            let family = &data::FAMILY[family_index];
            // Clerks do not always spell a family name the same way within a household.
            if rng.random_bool(0.08) {
                family_variant = variant(rng, family.latin.len());
            }
            self.given(rng, x);

            // Date of birth and how well it is known.
            let born = add_days(self.start, -(x.age * 365 + rng.random_range(1..=365)));
            let precision = if x.age < 10 {
                if rng.random_bool(0.92) {
                    "exact"
                } else {
                    "month"
                }
            } else {
                match rng.random_range(0..100) {
                    0..50 => "exact",
                    50..60 => "month",
                    60..88 => "year",
                    _ => "estimated",
                }
            };
            self.dob.clear();
            match precision {
                "exact" => push_date(&mut self.dob, born),
                "month" => {
                    let _ = write!(self.dob, "{:04}-{:02}", born.year(), u8::from(born.month()));
                }
                _ => {
                    let _ = write!(self.dob, "{:04}", born.year());
                }
            }

            self.languages(rng, x);
            self.needs(rng, x, lone_adult, head_without_partner && has_children);
            self.attributes(rng, x, born.year());

            hh.write_record([
                self.hh_id.as_str(),
                &self.person_id,
                x.relationship,
                &self.given_latin,
                family.latin[family_variant],
                &self.given_original,
                family.persian,
                x.sex.text(),
                &self.dob,
                precision,
                "IRN",
                &self.languages,
                &self.needs,
                &self.attributes,
                site_id,
                &self.unit,
                &self.registered,
            ])?;
        }
        self.members = members;
        Ok(())
    }

    fn given(&mut self, rng: &mut ChaCha8Rng, x: &Member) {
        let pool: &[Name] = match (x.sex, x.age < 20) {
            (Sex::M, true) if rng.random_bool(0.6) => data::BOY,
            (Sex::F, true) if rng.random_bool(0.6) => data::GIRL,
            (Sex::M, _) => data::MALE,
            (Sex::F, _) => data::FEMALE,
        };
        let name = &pool[skewed(rng, pool.len())];
        self.given_latin.clear();
        self.given_original.clear();
        if x.sex == Sex::M && rng.random_bool(0.05) {
            let s = &data::SEYED;
            self.given_latin
                .push_str(s.latin[variant(rng, s.latin.len())]);
            self.given_latin.push(' ');
            self.given_original.push_str(s.persian);
            self.given_original.push(' ');
        }
        self.given_latin
            .push_str(name.latin[variant(rng, name.latin.len())]);
        self.given_original.push_str(name.persian);
    }

    fn languages(&mut self, rng: &mut ChaCha8Rng, x: &Member) {
        self.languages.clear();
        // Mother tongue first: Persian for most, Kurdish or Azerbaijani for some.
        match rng.random_range(0..100) {
            0..5 => self.languages.push_str("ckb;fas"),
            5..6 => self.languages.push_str("kmr;fas"),
            6..13 => self.languages.push_str("azb;fas"),
            _ => self.languages.push_str("fas"),
        }
        if x.age >= 14 && rng.random_bool(0.22) {
            self.languages.push_str(";eng");
        }
        // Years in an Arabic-speaking host country.
        if x.age >= 25 && rng.random_bool(0.25) {
            self.languages.push_str(";ara");
        }
    }

    fn needs(&mut self, rng: &mut ChaCha8Rng, x: &Member, alone: bool, single_parent: bool) {
        self.needs.clear();
        let age = x.age;
        let adult = age >= 18;
        let mut add = |code: &str, p: f64, rng: &mut ChaCha8Rng| {
            if p > 0.0 && rng.random_bool(p.min(1.0)) {
                if !self.needs.is_empty() {
                    self.needs.push(';');
                }
                self.needs.push_str(code);
            }
        };
        let chronic = match age {
            55.. => 0.30,
            40..55 => 0.12,
            18..40 => 0.04,
            _ => 0.015,
        };
        add("SM-CI", chronic, rng);
        if adult {
            add("SM-MI", 0.04, rng);
            add("SM-OT", 0.02, rng);
            add("SM-CC", 0.006, rng);
        }
        let older = age >= 60;
        add("DS-PM", if older { 0.06 } else { 0.015 }, rng);
        add("DS-PS", 0.006, rng);
        add("DS-BD", if older { 0.025 } else { 0.004 }, rng);
        add("DS-DF", if older { 0.02 } else { 0.003 }, rng);
        add("DS-MM", 0.003, rng);
        if older && alone {
            add("ER-NF", 0.6, rng);
        }
        if age >= 70 {
            add("ER-FR", 0.12, rng);
        }
        if x.sex == Sex::F && adult && alone && !older {
            add("WR-WR", 0.25, rng);
        }
        if x.relationship == "head" && single_parent {
            add("SP-PT", 1.0, rng);
            if x.sex == Sex::F {
                add("WR-SF", 0.6, rng);
            }
        }
        if age >= 30 {
            add("TR-PI", 0.05, rng);
            add("TR-WV", 0.025, rng);
        }
        if age >= 40 {
            add("LP-DO", 0.06, rng);
        }
        if adult {
            add("FU-FR", 0.04, rng);
            add("FU-TR", 0.015, rng);
            add("LP-RP", 0.02, rng);
        }
        if (6..18).contains(&age) {
            add("CR-NE", 0.04, rng);
            add("CR-SE", 0.03, rng);
        }
    }

    fn attributes(&mut self, rng: &mut ChaCha8Rng, x: &Member, birth_year: i32) {
        self.attributes.clear();
        if x.age < 18 {
            return;
        }
        // A designated-organisation membership that one country's legal bar tests.
        if rng.random_bool(0.30) {
            self.attributes.push_str("affiliation=org-a");
        }
        if rng.random_bool(0.85) {
            // Years in the camp: most came in the late 1980s or 1990s; the younger
            // were born there.
            let arrival = rng.random_range(1986..=2004).max(birth_year);
            let start_year = self.start.year();
            if arrival <= start_year {
                sep(&mut self.attributes);
                let _ = write!(self.attributes, "arrival_year={arrival}");
            }
        }
        if rng.random_bool(0.65) {
            let profession = if x.age < 26 && rng.random_bool(0.6) {
                "student"
            } else {
                data::PROFESSIONS[rng.random_range(0..data::PROFESSIONS.len())]
            };
            sep(&mut self.attributes);
            self.attributes.push_str("profession=");
            self.attributes.push_str(profession);
        }
    }
}

fn sep(s: &mut String) {
    if !s.is_empty() {
        s.push(';');
    }
}

/// Age of an adult living alone: mostly 35–65, some younger, a tail of older people.
fn adult_age(rng: &mut ChaCha8Rng) -> i64 {
    match rng.random_range(0..100) {
        0..12 => rng.random_range(25..35),
        12..82 => (rng.random_range(35..=65) + rng.random_range(35..=65)) / 2,
        _ => rng.random_range(66..=88),
    }
}

/// An index in `0..n` favouring the first entries (common names are common).
fn skewed(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let a = rng.random_range(0..n);
    let b = rng.random_range(0..n);
    a.min(b)
}

/// A spelling: the first (usual) one for about 60 %, the others share the rest.
fn variant(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n <= 1 || rng.random_bool(0.6) {
        0
    } else {
        rng.random_range(1..n)
    }
}
