//! Import of an operation from CSV files (see `docs/import-format.md`).
//!
//! A file is read and validated whole — every row, every field, every household rule,
//! against the database — before anything is written. Any problem fails the import with
//! one line per problem, and nothing is written. A clean file is written in one
//! transaction with its ledger movements and audit entries. Rows whose external id is
//! already registered with the same content are skipped, so importing a file twice
//! changes nothing. A household entered by hand (`App::register_household`) goes
//! through the same checks (`check_households`) as a row of `households.csv`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use haven_core::format;
use haven_core::needs::{NeedCode, check_code};
use haven_core::registry::{
    Household, Person, PersonName, Relationship, ShelterUnit, Site, SiteKind,
};
use haven_core::validate::{self, FieldError};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Ctx, Problem, Progress};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub file: String,
    /// What the file holds: `sites`, `shelter units`, `households`, `specific-needs codes`.
    pub records: &'static str,
    /// Records written.
    pub imported: u64,
    /// Records already present with the same content (left unchanged).
    pub unchanged: u64,
    /// People written (households import only).
    pub people: u64,
}

/// One CSV file read into memory: its header and rows as text, with line numbers.
pub(crate) struct Table {
    pub(crate) file: String,
    header: Vec<String>,
    pub(crate) rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Rows of the households format built in memory (a household entered by hand),
    /// each with the line its problems are reported on.
    pub(crate) fn households(file: &str, rows: Vec<(u64, [String; 17])>) -> Table {
        Table {
            file: file.to_string(),
            header: format::HOUSEHOLD_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .collect(),
            rows: rows.into_iter().map(|(l, r)| (l, r.to_vec())).collect(),
        }
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Reads a CSV file, reporting rows with the wrong number of fields and fields that are
/// not UTF-8 as problems (and keeping going, so that every problem is reported).
pub(crate) fn read_table(
    path: &Path,
    columns: &[&str],
    required: &[&str],
    problems: &mut Vec<Problem>,
) -> Result<Table, AppError> {
    let optional = format::optional(columns, required);
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| AppError::Io(format!("{file}: {e}")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = rdr.byte_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect(),
        Some(Err(e)) => {
            problems.push(Problem::new(&file, 1, "header", e.to_string(), ""));
            return Ok(Table {
                file,
                header: Vec::new(),
                rows: Vec::new(),
            });
        }
        None => {
            problems.push(Problem::new(&file, 1, "header", "the file is empty", ""));
            return Ok(Table {
                file,
                header: Vec::new(),
                rows: Vec::new(),
            });
        }
    };
    let mut seen = HashSet::new();
    for h in &header {
        if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
            problems.push(Problem::new(&file, 1, h, "is not a column of this file", h));
        }
        if !seen.insert(h.clone()) {
            problems.push(Problem::new(&file, 1, h, "column is given twice", h));
        }
    }
    for r in required {
        if !header.iter().any(|h| h == r) {
            problems.push(Problem::new(&file, 1, r, "required column is missing", ""));
        }
    }
    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(Problem::new(
                    &file,
                    line,
                    "row",
                    format!("unreadable CSV: {e}"),
                    "",
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        if rec.len() != header.len() {
            problems.push(Problem::new(
                &file,
                line,
                "row",
                format!("has {} fields, the header has {}", rec.len(), header.len()),
                "",
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        let mut ok = true;
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    ok = false;
                    problems.push(Problem::new(
                        &file,
                        line,
                        header.get(i).map_or("?", String::as_str),
                        "is not valid UTF-8",
                        String::from_utf8_lossy(f),
                    ));
                }
            }
        }
        if ok {
            rows.push((line, fields));
        }
    }
    Ok(Table { file, header, rows })
}

/// Reads people exported with `haven export households --format json` into the same
/// shape as a CSV file, so that both go through one validation. A record's "line" is
/// its position in the array (1 = first); a JSON syntax or shape error is one problem
/// with serde's line and column.
fn read_json_people(path: &Path, problems: &mut Vec<Problem>) -> Result<Table, AppError> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| AppError::Io(format!("{file}: {e}")))?;
    let header: Vec<String> = format::HOUSEHOLD_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    let people: Vec<Person> = match serde_json::from_slice(&text) {
        Ok(p) => p,
        Err(e) => {
            problems.push(Problem::new(
                &file,
                e.line() as u64,
                "json",
                e.to_string(),
                "",
            ));
            return Ok(Table {
                file,
                header,
                rows: Vec::new(),
            });
        }
    };
    let rows = people
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u64 + 1, crate::registry::household_row(p).to_vec()))
        .collect();
    Ok(Table { file, header, rows })
}

/// Reads fields of one row by column name, collecting problems.
pub(crate) struct RowReader<'a> {
    table: &'a Table,
    line: u64,
    fields: &'a [String],
    problems: &'a mut Vec<Problem>,
    ok: bool,
}

impl<'a> RowReader<'a> {
    pub(crate) fn new(
        table: &'a Table,
        line: u64,
        fields: &'a [String],
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        RowReader {
            table,
            line,
            fields,
            problems,
            ok: true,
        }
    }

    fn raw(&self, column: &str) -> &'a str {
        self.table
            .col(column)
            .and_then(|i| self.fields.get(i))
            .map_or("", |s| s.as_str())
    }

    pub(crate) fn get<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let raw = self.raw(column);
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(column, e.message, raw);
                None
            }
        }
    }

    fn fail(&mut self, column: &str, message: impl Into<String>, value: &str) {
        self.ok = false;
        self.problems.push(Problem::new(
            &self.table.file,
            self.line,
            column,
            message,
            value,
        ));
    }
}

fn content_hash<T: serde::Serialize>(v: &T) -> String {
    let json = serde_json::to_vec(v).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

pub(crate) fn fail_if(problems: Vec<Problem>) -> Result<(), AppError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(problems))
    }
}

fn opt(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

impl App {
    /// Imports `sites.csv`.
    pub async fn import_sites(&self, ctx: &Ctx, path: &Path) -> Result<ImportSummary, AppError> {
        let mut problems = Vec::new();
        let table = read_table(
            path,
            &format::SITE_COLUMNS,
            &format::SITE_REQUIRED,
            &mut problems,
        )?;
        let existing = self.store.site_hashes().await?;
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut new = Vec::new();
        let mut unchanged = 0;
        for (line, fields) in &table.rows {
            let mut r = RowReader {
                table: &table,
                line: *line,
                fields,
                problems: &mut problems,
                ok: true,
            };
            let site_id = r.get("site_id", validate::external_id);
            let name = r.get("name", validate::required_text);
            let kind = r.get("kind", |s| {
                SiteKind::parse(s.trim()).ok_or_else(|| FieldError {
                    message: "must be closing_camp, temporary_site or transit_centre".into(),
                })
            });
            let capacity = r.get("capacity", validate::capacity);
            let area_m2 = r.get("area_m2", |s| opt(s).map(validate::area).transpose());
            let deadline = r.get("closing_deadline", |s| {
                opt(s).map(validate::iso_date).transpose()
            });
            let (
                Some(site_id),
                Some(name),
                Some(kind),
                Some(capacity),
                Some(area_m2),
                Some(closing_deadline),
            ) = (site_id, name, kind, capacity, area_m2, deadline)
            else {
                continue;
            };
            if let Some(first) = seen.insert(site_id.clone(), *line) {
                r.fail(
                    "site_id",
                    format!("duplicate id (first on line {first})"),
                    &site_id,
                );
                continue;
            }
            let site = Site {
                site_id,
                name,
                kind,
                capacity,
                area_m2,
                closing_deadline,
            };
            let hash = content_hash(&site);
            match existing.get(&site.site_id) {
                Some(h) if *h == hash => unchanged += 1,
                Some(_) => r.fail(
                    "site_id",
                    "is already registered with different content",
                    &site.site_id,
                ),
                None => new.push((site, hash)),
            }
        }
        fail_if(problems)?;
        let mut w = self.begin(ctx).await?;
        w.insert_sites(&new).await?;
        w.commit().await?;
        Ok(ImportSummary {
            file: table.file,
            records: "sites",
            imported: new.len() as u64,
            unchanged,
            people: 0,
        })
    }

    /// Imports `shelter_units.csv`; sites must already be registered.
    pub async fn import_units(&self, ctx: &Ctx, path: &Path) -> Result<ImportSummary, AppError> {
        let mut problems = Vec::new();
        let table = read_table(
            path,
            &format::SHELTER_UNIT_COLUMNS,
            &format::SHELTER_UNIT_REQUIRED,
            &mut problems,
        )?;
        let sites = self.store.site_hashes().await?;
        let existing = self.store.unit_hashes().await?;
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut new = Vec::new();
        let mut unchanged = 0;
        for (line, fields) in &table.rows {
            let mut r = RowReader {
                table: &table,
                line: *line,
                fields,
                problems: &mut problems,
                ok: true,
            };
            let unit_id = r.get("unit_id", validate::external_id);
            let site_id = r.get("site_id", |s| {
                let id = validate::external_id(s)?;
                if sites.contains_key(&id) {
                    Ok(id)
                } else {
                    Err(FieldError {
                        message: "is not a registered site (import sites.csv first)".into(),
                    })
                }
            });
            let name = r.get("name", validate::required_text);
            let capacity = r.get("capacity", validate::capacity);
            let area = r.get("covered_area_m2", validate::area);
            let near_facilities = r.get("near_facilities", validate::flag);
            let (
                Some(unit_id),
                Some(site_id),
                Some(name),
                Some(capacity),
                Some(covered_area_m2),
                Some(near_facilities),
            ) = (unit_id, site_id, name, capacity, area, near_facilities)
            else {
                continue;
            };
            if let Some(first) = seen.insert(unit_id.clone(), *line) {
                r.fail(
                    "unit_id",
                    format!("duplicate id (first on line {first})"),
                    &unit_id,
                );
                continue;
            }
            let unit = ShelterUnit {
                unit_id,
                site_id,
                name,
                capacity,
                covered_area_m2,
                near_facilities,
            };
            let hash = content_hash(&unit);
            match existing.get(&unit.unit_id) {
                Some((_, h)) if *h == hash => unchanged += 1,
                Some(_) => r.fail(
                    "unit_id",
                    "is already registered with different content",
                    &unit.unit_id,
                ),
                None => new.push((unit, hash)),
            }
        }
        fail_if(problems)?;
        let mut w = self.begin(ctx).await?;
        w.insert_units(&new).await?;
        w.commit().await?;
        Ok(ImportSummary {
            file: table.file,
            records: "shelter units",
            imported: new.len() as u64,
            unchanged,
            people: 0,
        })
    }

    /// Imports specific-needs codes (`code,category,description`): new codes are added,
    /// changed descriptions replaced.
    pub async fn import_needs(&self, ctx: &Ctx, path: &Path) -> Result<ImportSummary, AppError> {
        let mut problems = Vec::new();
        let table = read_table(
            path,
            &format::NEEDS_COLUMNS,
            &format::NEEDS_COLUMNS,
            &mut problems,
        )?;
        let known = self.store.needs_catalogue().await?;
        let mut codes = Vec::new();
        let mut unchanged = 0;
        for (line, fields) in &table.rows {
            let mut r = RowReader {
                table: &table,
                line: *line,
                fields,
                problems: &mut problems,
                ok: true,
            };
            let code = NeedCode {
                code: r.raw("code").trim().to_string(),
                category: r.raw("category").trim().to_string(),
                description: r.raw("description").trim().to_string(),
            };
            if let Err((field, message)) = check_code(&code) {
                let value = r.raw(field);
                r.fail(field, message, value);
                continue;
            }
            if known.get(&code.code) == Some(&code) {
                unchanged += 1;
            } else {
                codes.push(code);
            }
        }
        fail_if(problems)?;
        let mut w = self.begin(ctx).await?;
        w.upsert_needs(&codes).await?;
        w.commit().await?;
        Ok(ImportSummary {
            file: table.file,
            records: "specific-needs codes",
            imported: codes.len() as u64,
            unchanged,
            people: 0,
        })
    }

    /// Imports `households.csv` (one row per person). Sites and units must be registered.
    pub async fn import_households(
        &self,
        ctx: &Ctx,
        path: &Path,
        progress: &mut dyn Progress,
    ) -> Result<ImportSummary, AppError> {
        let mut problems = Vec::new();
        progress.phase("reading", 0);
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let table = if is_json {
            read_json_people(path, &mut problems)?
        } else {
            read_table(
                path,
                &format::HOUSEHOLD_COLUMNS,
                &format::HOUSEHOLD_REQUIRED,
                &mut problems,
            )?
        };
        progress.phase("validating", table.rows.len() as u64);
        let known = self.registry_index().await?;
        let (new, unchanged) = check_households(&table, &known, &mut problems, progress);
        problems.sort_by_key(|p| p.line);
        fail_if(problems)?;

        let people: u64 = new.iter().map(|(h, _)| h.members.len() as u64).sum();
        progress.phase("writing", people);
        let mut w = self.begin(ctx).await?;
        w.register_households(&new, &mut |n| progress.set(n))
            .await?;
        progress.phase("committing", 0);
        w.commit().await?;
        // A bulk load leaves the query planner's statistics behind the data; a planner
        // that thinks the tables are small scans them whole (measured on PostgreSQL:
        // people of one site, 187 ms before, 31 ms after).
        if people >= 10_000 {
            progress.phase("analysing", 0);
            self.store.analyse().await?;
        }
        progress.finish();
        Ok(ImportSummary {
            file: table.file,
            records: "households",
            imported: new.len() as u64,
            unchanged,
            people,
        })
    }

    /// Imports a scenario folder: `sites.csv`, `shelter_units.csv`, `households.csv`.
    pub async fn import_dir(
        &self,
        ctx: &Ctx,
        dir: &Path,
        progress: &mut dyn Progress,
    ) -> Result<Vec<ImportSummary>, AppError> {
        let mut out = vec![
            self.import_sites(ctx, &dir.join("sites.csv")).await?,
            self.import_units(ctx, &dir.join("shelter_units.csv"))
                .await?,
            self.import_households(ctx, &dir.join("households.csv"), progress)
                .await?,
        ];
        let facilities = dir.join("facilities.csv");
        if facilities.exists() {
            out.push(self.import_facilities(ctx, &facilities).await?);
        }
        let pledges = dir.join("pledges.json");
        if pledges.exists() {
            out.push(self.import_pledges(ctx, &pledges).await?);
        }
        Ok(out)
    }
}

/// The registry as new households are checked against it: the codes, sites and units
/// they may name, and the households and people already registered.
pub(crate) struct RegistryIndex {
    catalogue: haven_core::needs::NeedsCatalogue,
    sites: HashMap<String, String>,
    units: HashMap<String, (String, String)>,
    /// Household id → content hash.
    pub(crate) households: HashMap<String, String>,
    /// Person id → household id.
    pub(crate) people: HashMap<String, String>,
    today: String,
}

impl App {
    /// Reads what `check_households` checks against.
    pub(crate) async fn registry_index(&self) -> Result<RegistryIndex, AppError> {
        Ok(RegistryIndex {
            catalogue: self.store.needs_catalogue().await?,
            sites: self.store.site_hashes().await?,
            units: self.store.unit_hashes().await?,
            households: self.store.household_hashes().await?,
            people: self.store.person_households().await?,
            today: self.today(),
        })
    }
}

/// The rows of a households table (a CSV file, a JSON export, or a household entered by
/// hand) checked field by field and household by household against the registry: the
/// households to register with their content hashes, and how many are registered
/// already with the same content. Every problem found is added to `problems`.
pub(crate) fn check_households(
    table: &Table,
    known: &RegistryIndex,
    problems: &mut Vec<Problem>,
    progress: &mut dyn Progress,
) -> (Vec<(Household, String)>, u64) {
    // Validation of repeated code values is cached: a million rows hold few of them.
    let mut nationalities: HashMap<String, Result<String, FieldError>> = HashMap::new();
    let mut languages: HashMap<String, Result<Vec<String>, FieldError>> = HashMap::new();
    let mut needs: HashMap<String, Result<Vec<String>, FieldError>> = HashMap::new();

    // household id -> (first line, members with their lines)
    let mut households: BTreeMap<String, (u64, Vec<(u64, Person)>)> = BTreeMap::new();
    let mut person_lines: HashMap<String, u64> = HashMap::new();
    for (n, (line, fields)) in table.rows.iter().enumerate() {
        if n % 65536 == 0 {
            progress.set(n as u64);
        }
        let mut r = RowReader {
            table,
            line: *line,
            fields,
            problems: &mut *problems,
            ok: true,
        };
        let household_id = r.get("household_id", validate::external_id);
        let person_id = r.get("person_id", validate::external_id);
        let relationship = r.get("relationship", |s| {
            Relationship::parse(s.trim()).ok_or_else(|| FieldError {
                message: "must be head, spouse, child, parent, sibling, grandchild, grandparent, other_relative or non_relative".into(),
            })
        });
        let given_latin = r.get("given_name_latin", validate::required_text);
        let family_latin = r.get("family_name_latin", validate::optional_text);
        let given_original = r.get("given_name_original", validate::optional_text);
        let family_original = r.get("family_name_original", validate::optional_text);
        let sex = r.get("sex", validate::sex);
        let precision = r.get("dob_precision", validate::dob_precision);
        let dob = match precision {
            Some(p) => r.get("date_of_birth", |s| {
                validate::date_of_birth(s, p, &known.today)
            }),
            None => None,
        };
        let nationality = r.get("nationality", |s| {
            nationalities
                .entry(s.to_string())
                .or_insert_with(|| validate::nationality(s))
                .clone()
        });
        let langs = r.get("languages", |s| {
            languages
                .entry(s.to_string())
                .or_insert_with(|| validate::languages(s))
                .clone()
        });
        let need_codes = r.get("specific_needs", |s| {
            needs
                .entry(s.to_string())
                .or_insert_with(|| validate::specific_needs(s, |c| known.catalogue.contains(c)))
                .clone()
        });
        let attributes = r.get("attributes", validate::attributes);
        let site_id = r.get("site_id", |s| {
            let id = validate::external_id(s)?;
            if known.sites.contains_key(&id) {
                Ok(id)
            } else {
                Err(FieldError {
                    message: "is not a registered site".into(),
                })
            }
        });
        let unit_id = r.get("unit_id", |s| {
            opt(s)
                .map(|u| match known.units.get(u) {
                    None => Err(FieldError {
                        message: "is not a registered shelter unit".into(),
                    }),
                    Some((unit_site, _)) if site_id.as_deref().is_some_and(|s| s != unit_site) => {
                        Err(FieldError {
                            message: format!(
                                "is a shelter unit of site {unit_site}, not of this row's site"
                            ),
                        })
                    }
                    Some(_) => Ok(u.to_string()),
                })
                .transpose()
        });
        let registered_on = r.get("registered_on", |s| {
            let d = validate::iso_date(s)?;
            if d > known.today {
                Err(FieldError {
                    message: "is in the future".into(),
                })
            } else {
                Ok(d)
            }
        });
        let (
            Some(household_id),
            Some(person_id),
            Some(relationship),
            Some(given_latin),
            Some(family_latin),
            Some(given_original),
            Some(family_original),
            Some(sex),
            Some(date_of_birth),
            Some(nationality),
            Some(languages),
            Some(specific_needs),
            Some(attributes),
            Some(site_id),
            Some(unit_id),
            Some(registered_on),
        ) = (
            household_id,
            person_id,
            relationship,
            given_latin,
            family_latin,
            given_original,
            family_original,
            sex,
            dob,
            nationality,
            langs,
            need_codes,
            attributes,
            site_id,
            unit_id,
            registered_on,
        )
        else {
            continue;
        };
        if let Some(first) = person_lines.insert(person_id.clone(), *line) {
            r.fail(
                "person_id",
                format!("duplicate id (first on line {first})"),
                &person_id,
            );
            continue;
        }
        if let Some(other) = known.people.get(&person_id)
            && *other != household_id
        {
            r.fail(
                "person_id",
                format!("is already registered in household {other}"),
                &person_id,
            );
            continue;
        }
        let person = Person {
            person_id,
            household_id: household_id.clone(),
            relationship,
            name: PersonName {
                given_latin,
                family_latin,
                given_original,
                family_original,
            },
            sex,
            date_of_birth,
            nationality,
            languages,
            specific_needs,
            attributes,
            site_id,
            unit_id,
            registered_on,
        };
        households
            .entry(household_id)
            .or_insert_with(|| (*line, Vec::new()))
            .1
            .push((*line, person));
    }

    // Household rules: exactly one head; not already registered differently.
    let mut new = Vec::new();
    let mut unchanged = 0;
    for (household_id, (first_line, mut members)) in households {
        let heads: Vec<u64> = members
            .iter()
            .filter(|(_, p)| p.relationship == Relationship::Head)
            .map(|(l, _)| *l)
            .collect();
        if heads.is_empty() {
            let message = if known.households.contains_key(&household_id) {
                "household is already registered; these rows are not in it (a household is imported whole, with its head)"
            } else {
                "unknown household: no member of it has relationship 'head' in this file"
            };
            problems.push(Problem::new(
                &table.file,
                first_line,
                "household_id",
                message,
                &household_id,
            ));
            continue;
        }
        if heads.len() > 1 {
            for l in &heads[1..] {
                problems.push(Problem::new(
                    &table.file,
                    *l,
                    "relationship",
                    format!(
                        "household {household_id} already has a head (line {})",
                        heads[0]
                    ),
                    "head",
                ));
            }
            continue;
        }
        members.sort_by_key(|(l, p)| (p.relationship != Relationship::Head, *l));
        let household = Household {
            household_id: household_id.clone(),
            members: members.into_iter().map(|(_, p)| p).collect(),
        };
        let hash = household_hash(&household);
        match known.households.get(&household_id) {
            Some(h) if *h == hash => unchanged += 1,
            Some(_) => problems.push(Problem::new(
                &table.file,
                first_line,
                "household_id",
                "is already registered with different members or details",
                &household_id,
            )),
            None => new.push((household, hash)),
        }
    }
    (new, unchanged)
}

/// The content hash of a household: members in person-id order, so that the order rows
/// come in does not matter.
pub(crate) fn household_hash(h: &Household) -> String {
    let mut members: Vec<&Person> = h.members.iter().collect();
    members.sort_by(|a, b| a.person_id.cmp(&b.person_id));
    content_hash(&(&h.household_id, members))
}
