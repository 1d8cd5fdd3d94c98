//! Registry use cases: records with their history, search, export, movements, the
//! trial balance, and a household registered by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use haven_core::audit::{AuditEntry, ChainBreak};
use haven_core::ledger::{Account, TrialBalance, check_household_together};
use haven_core::names;
use haven_core::registry::Person;
use haven_core::validate;
use haven_store::{MovementRecord, MovementRow, PersonRecord, RegistryCounts, SiteOverview};
use serde::Serialize;

use crate::import::{Table, check_households, fail_if};
use crate::{App, AppError, Ctx, NoProgress, Problem};

/// The trial balance, and whether the registry's current places agree with the books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerReport {
    #[serde(flatten)]
    pub balance: TrialBalance,
    /// Accounts where the ledger and the people's current places disagree:
    /// (account, by ledger, by current place). Empty when the books are sound.
    pub disagreements: Vec<(String, i64, i64)>,
    /// The same balances with shelter units folded into their site's account, for a
    /// first look (`site:S-TS` then counts everyone at the site, in a unit or not).
    pub by_place: BTreeMap<String, i64>,
}

impl LedgerReport {
    pub fn ok(&self) -> bool {
        self.balance.balanced && self.disagreements.is_empty()
    }
}

/// A person's page: the record, their household, their movements and audited changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonView {
    #[serde(flatten)]
    pub record: PersonRecord,
    /// Why the person cannot travel now, if on hold.
    pub hold: Option<haven_store::Hold>,
    /// The convoys the person was put on: (convoy, manifest status, unit kept for them).
    pub convoys: Vec<(String, String, String)>,
    /// Refugee status determination: principal or derivative, the claim's stage, outcome.
    pub rsd: crate::rsd::PersonRsdStatus,
    pub history: Vec<MovementRecord>,
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdView {
    pub household_id: String,
    pub members: Vec<PersonRecord>,
    pub history: Vec<MovementRecord>,
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub score: f64,
    #[serde(flatten)]
    pub record: PersonRecord,
}

/// What a movement did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveSummary {
    pub moved: Vec<String>,
    pub to: String,
}

/// First screen of an operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub counts: RegistryCounts,
    pub sites: Vec<SiteOverview>,
    pub ledger: LedgerReport,
}

/// A household entered by hand (the registration form, the API): the same fields as a
/// `households.csv` row, as typed, checked by the same rules as an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewHousehold {
    /// The site the household is registered at.
    pub site_id: String,
    /// A shelter unit of that site, if one is allocated.
    pub unit_id: Option<String>,
    /// The head and the members; problems name a member by its place here (1 = first).
    pub members: Vec<NewMember>,
}

/// One person of a [`NewHousehold`], as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMember {
    /// `head`, or the relationship to the head (spouse, child, ...).
    pub relationship: String,
    pub given_name_latin: String,
    pub family_name_latin: String,
    pub given_name_original: String,
    pub family_name_original: String,
    /// F, M or X.
    pub sex: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// exact, month, year or estimated; empty: as precise as the date is written.
    pub dob_precision: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// Specific-needs codes of the catalogue.
    pub specific_needs: Vec<String>,
}

/// The file name problems of a household entered by hand carry; their line is the
/// member's number (1 = first).
pub const FORM_FILE: &str = "form";

impl NewMember {
    /// The precision a date is written to, when none is given: `YYYY` a year,
    /// `YYYY-MM` a month, anything else exact (and refused by the date's own check if
    /// it is no date).
    fn precision(&self) -> String {
        let given = self.dob_precision.trim();
        if !given.is_empty() {
            return given.to_string();
        }
        match self.date_of_birth.trim().split('-').count() {
            1 => "year",
            2 => "month",
            _ => "exact",
        }
        .to_string()
    }
}

/// The next `n` ids in the format of `existing`: the prefix most ids have (the text
/// before their trailing digits), numbered on from the largest with that prefix and
/// zero-padded to the widest such number; `{prefix}000001` on when there are none.
pub fn next_ids<'a>(
    existing: impl IntoIterator<Item = &'a String>,
    prefix: &str,
    n: usize,
) -> Vec<String> {
    // prefix -> (ids, largest number, widest number)
    let mut formats: BTreeMap<&str, (usize, u64, usize)> = BTreeMap::new();
    for id in existing {
        let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (head, number) = id.split_at(id.len() - digits);
        let Ok(value) = number.parse::<u64>() else {
            continue;
        };
        let f = formats.entry(head).or_insert((0, 0, 0));
        f.0 += 1;
        f.1 = f.1.max(value);
        f.2 = f.2.max(digits);
    }
    let (head, last, width) = formats
        .iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))
        .map_or((prefix, 0, 6), |(h, f)| (*h, f.1, f.2));
    (1..=n as u64)
        .map(|i| format!("{head}{:0width$}", last.saturating_add(i)))
        .collect()
}

/// Candidates fetched per search before ranking.
const SEARCH_CANDIDATES: i64 = 400;

impl App {
    pub async fn ledger(&self) -> Result<LedgerReport, AppError> {
        let balance = self.store.trial_balance().await?;
        let positions = self.store.positions_by_account().await?;
        let keys: BTreeSet<&String> = balance.accounts.keys().chain(positions.keys()).collect();
        let disagreements = keys
            .into_iter()
            .filter_map(|k| {
                let a = balance.accounts.get(k).copied().unwrap_or(0);
                let b = positions.get(k).copied().unwrap_or(0);
                (a != b).then(|| (k.clone(), a, b))
            })
            .collect();
        let units = self.store.unit_hashes().await?;
        let mut by_place: BTreeMap<String, i64> = BTreeMap::new();
        for (key, n) in &balance.accounts {
            let folded = match key.strip_prefix("unit:").and_then(|u| units.get(u)) {
                Some((site, _)) => format!("site:{site}"),
                None => key.clone(),
            };
            *by_place.entry(folded).or_default() += n;
        }
        Ok(LedgerReport {
            balance,
            disagreements,
            by_place,
        })
    }

    pub async fn overview(&self) -> Result<Overview, AppError> {
        Ok(Overview {
            counts: self.store.counts().await?,
            sites: self.store.sites().await?,
            ledger: self.ledger().await?,
        })
    }

    pub async fn person(&self, person_id: &str) -> Result<PersonView, AppError> {
        let record = self
            .store
            .person(person_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?;
        Ok(PersonView {
            hold: self.store.holds().await?.remove(person_id),
            convoys: self.store.manifests_of_person(person_id).await?,
            rsd: self.rsd_person_status(person_id).await?,
            history: self.store.person_history(person_id).await?,
            audit: self.store.audit_for("person", person_id).await?,
            record,
        })
    }

    pub async fn household(&self, household_id: &str) -> Result<HouseholdView, AppError> {
        let members = self.store.household_members(household_id).await?;
        if members.is_empty() {
            return Err(AppError::NotFound(format!(
                "no household with id {household_id}"
            )));
        }
        Ok(HouseholdView {
            household_id: household_id.to_string(),
            history: self.store.household_history(household_id).await?,
            audit: self.store.audit_for("household", household_id).await?,
            members,
        })
    }

    /// Finds people by name in either script, tolerant of transliteration variants.
    /// People matching every name in the query come first; if none does, people matching
    /// any of them. Ranked by name similarity, best first.
    pub async fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>, AppError> {
        let keys = names::name_keys(text);
        if keys.is_empty() {
            return Err(AppError::Refused(format!(
                "'{text}' has no letters to search by"
            )));
        }
        let mut candidates = self
            .store
            .search_by_keys(&keys, keys.len(), text, SEARCH_CANDIDATES)
            .await?;
        if candidates.len() < limit && keys.len() > 1 {
            // A compound name may be registered as one word (Mohammadreza) where the
            // query has two (Mohammad Reza): try each adjacent pair of keys joined.
            for i in 0..keys.len() - 1 {
                let mut variant: Vec<String> = keys[..i].to_vec();
                variant.push(format!("{}{}", keys[i], keys[i + 1]));
                variant.extend_from_slice(&keys[i + 2..]);
                let more = self
                    .store
                    .search_by_keys(&variant, variant.len(), text, SEARCH_CANDIDATES)
                    .await?;
                for r in more {
                    if !candidates
                        .iter()
                        .any(|c| c.person.person_id == r.person.person_id)
                    {
                        candidates.push(r);
                    }
                }
            }
        }
        if candidates.is_empty() && keys.len() > 1 {
            candidates = self
                .store
                .search_by_keys(&keys, 1, text, SEARCH_CANDIDATES)
                .await?;
        }
        let mut hits: Vec<SearchHit> = candidates
            .into_iter()
            .map(|record| {
                let n = &record.person.name;
                let score =
                    names::similarity(text, &n.latin()).max(names::similarity(text, &n.original()));
                SearchHit { score, record }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.record.person.person_id.cmp(&b.record.person.person_id))
        });
        hits.truncate(limit);
        Ok(hits)
    }

    /// Every person, as the import format's rows, household by household.
    pub async fn export_people(&self) -> Result<Vec<Person>, AppError> {
        Ok(self
            .store
            .all_people()
            .await?
            .into_iter()
            .map(|r| r.person)
            .collect())
    }

    /// Moves people to another place account, as one batch: all move or none.
    /// Household members who share a place move together unless `split_reason` names why
    /// they are separated.
    pub async fn move_people(
        &self,
        ctx: &Ctx,
        person_ids: &[String],
        to: &Account,
        reason: &str,
        split_reason: Option<&str>,
    ) -> Result<MoveSummary, AppError> {
        let reason = validate::required_text(reason)
            .map_err(|e| AppError::Refused(format!("reason {}", e.message)))?;
        let split_reason = split_reason.map(str::trim).filter(|s| !s.is_empty());
        if matches!(to, Account::Returned(_)) {
            return Err(AppError::Refused(
                "a return home is recorded only with `haven return depart`, after counselling, a signed consent and its verification by another officer".into(),
            ));
        }
        let mut w = self.begin(ctx).await?;
        if !w.place_exists(to).await? {
            return Err(AppError::NotFound(format!(
                "{to} is not a registered site or shelter unit"
            )));
        }
        let mut wanted: Vec<String> = person_ids.to_vec();
        wanted.sort();
        wanted.dedup();
        let positions = w.positions_of_people(&wanted).await?;
        if positions.len() != wanted.len() {
            let found: BTreeSet<&str> = positions.iter().map(|p| p.person_id.as_str()).collect();
            let missing: Vec<&str> = wanted
                .iter()
                .map(String::as_str)
                .filter(|p| !found.contains(p))
                .collect();
            return Err(AppError::NotFound(format!(
                "no person with id {}",
                missing.join(", ")
            )));
        }
        if let Some(p) = positions.iter().find(|p| &p.account == to) {
            return Err(AppError::Refused(format!(
                "{} is already in {to}",
                p.person_id
            )));
        }
        let households: Vec<String> = positions
            .iter()
            .map(|p| p.household_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let everyone = w.positions_of_households(&households).await?;
        let mut groups: BTreeMap<(&str, &Account), Vec<&str>> = BTreeMap::new();
        for p in &positions {
            groups
                .entry((p.household_id.as_str(), &p.account))
                .or_default()
                .push(p.person_id.as_str());
        }
        for ((household, from), moving) in &groups {
            let present: Vec<&str> = everyone
                .iter()
                .filter(|e| e.household_id == *household && &e.account == *from)
                .map(|e| e.person_id.as_str())
                .collect();
            check_household_together(household, from, &present, moving, split_reason)
                .map_err(|e| AppError::Refused(e.to_string()))?;
        }
        let rows: Vec<MovementRow> = positions
            .iter()
            .map(|p| MovementRow {
                person_key: p.person_key,
                person_id: p.person_id.clone(),
                from: Some(p.account.clone()),
                to: to.clone(),
                reason: reason.clone(),
                split_reason: split_reason.map(str::to_string),
            })
            .collect();
        w.record_movements(&rows).await?;
        w.commit().await?;
        Ok(MoveSummary {
            moved: positions.into_iter().map(|p| p.person_id).collect(),
            to: to.key(),
        })
    }

    /// Moves the members of the given households who are present (at a site, in a unit,
    /// in transit) to `to`. Members who have died, departed or whose whereabouts are
    /// unknown stay where the books have them.
    pub async fn move_households(
        &self,
        ctx: &Ctx,
        household_ids: &[String],
        to: &Account,
        reason: &str,
    ) -> Result<MoveSummary, AppError> {
        let mut people = Vec::new();
        for h in household_ids {
            let members = self.store.household_members(h).await?;
            if members.is_empty() {
                return Err(AppError::NotFound(format!("no household with id {h}")));
            }
            people.extend(
                members
                    .into_iter()
                    .filter(|m| &m.place != to && m.place.is_present())
                    .map(|m| m.person.person_id),
            );
        }
        if people.is_empty() {
            return Err(AppError::Refused(format!(
                "no one present in {} is outside {to}",
                household_ids.join(", ")
            )));
        }
        self.move_people(ctx, &people, to, reason, None).await
    }

    /// Registers a household entered by hand at a site (and, if given, a shelter unit):
    /// checked by exactly the rules of an import, given the operation's next household
    /// and person ids, and written with its ledger registrations and a
    /// `household.register` audit entry — or refused with every problem, naming the
    /// member (file `form`, line = member number), field and value, and nothing written.
    pub async fn register_household(
        &self,
        ctx: &Ctx,
        h: &NewHousehold,
    ) -> Result<HouseholdView, AppError> {
        if h.members.is_empty() {
            return Err(AppError::Invalid(vec![Problem::new(
                FORM_FILE,
                1,
                "relationship",
                "a household needs at least its head",
                "",
            )]));
        }
        // The registry is read before the writer lock is taken (reading it under the lock
        // would hold every other write up, and wait for the pool); the ids chosen from it
        // are checked again under the lock below.
        let known = self.registry_index().await?;
        let household_id = next_ids(known.households.keys(), "H-", 1)
            .pop()
            .unwrap_or_default();
        let person_ids = next_ids(known.people.keys(), "P-", h.members.len());
        let mut w = self.begin(ctx).await?;
        let taken = !w
            .positions_of_households(std::slice::from_ref(&household_id))
            .await?
            .is_empty()
            || !w.positions_of_people(&person_ids).await?.is_empty();
        if taken {
            return Err(AppError::Refused(format!(
                "another registration took household {household_id} at the same moment; nothing was written, submit again"
            )));
        }
        let today = self.today();
        let rows = h
            .members
            .iter()
            .zip(person_ids)
            .enumerate()
            .map(|(i, (m, person_id))| {
                let row = [
                    household_id.clone(),
                    person_id,
                    m.relationship.clone(),
                    m.given_name_latin.clone(),
                    m.family_name_latin.clone(),
                    m.given_name_original.clone(),
                    m.family_name_original.clone(),
                    m.sex.clone(),
                    m.date_of_birth.clone(),
                    m.precision(),
                    m.nationality.clone(),
                    m.languages.join(";"),
                    m.specific_needs.join(";"),
                    String::new(),
                    h.site_id.trim().to_string(),
                    h.unit_id.as_deref().unwrap_or_default().trim().to_string(),
                    today.clone(),
                ];
                (i as u64 + 1, row)
            })
            .collect();
        let table = Table::households(FORM_FILE, rows);
        let mut problems = Vec::new();
        let (new, _) = check_households(&table, &known, &mut problems, &mut NoProgress);
        problems.sort_by_key(|p| p.line);
        fail_if(problems)?;
        if new.is_empty() {
            return Err(AppError::Refused(format!(
                "household {household_id} is registered already"
            )));
        }
        w.register_households(&new, &mut |_| {}).await?;
        w.commit().await?;
        self.household(&household_id).await
    }

    /// Walks the audit hash chain: the number of entries verified, or the first break.
    pub async fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, AppError> {
        Ok(self.store.verify_audit().await?)
    }
}

pub use haven_core::format::HOUSEHOLD_COLUMNS;

/// A person as the 17 text fields of a `households.csv` row.
pub fn household_row(p: &Person) -> [String; 17] {
    [
        p.household_id.clone(),
        p.person_id.clone(),
        p.relationship.as_str().to_string(),
        p.name.given_latin.clone(),
        p.name.family_latin.clone(),
        p.name.given_original.clone(),
        p.name.family_original.clone(),
        p.sex.as_str().to_string(),
        p.date_of_birth.to_string(),
        p.date_of_birth.precision.as_str().to_string(),
        p.nationality.clone(),
        p.languages.join(";"),
        p.specific_needs.join(";"),
        validate::attributes_text(&p.attributes),
        p.site_id.clone(),
        p.unit_id.clone().unwrap_or_default(),
        p.registered_on.clone(),
    ]
}

/// Writes people as `households.csv` rows (the import format).
pub fn write_households_csv<W: Write>(people: &[Person], out: W) -> Result<(), AppError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| AppError::Io(e.to_string());
    w.write_record(HOUSEHOLD_COLUMNS).map_err(io)?;
    for p in people {
        w.write_record(household_row(p)).map_err(io)?;
    }
    w.flush().map_err(|e| AppError::Io(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_ids;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn next_ids_follow_the_operation_format() {
        assert_eq!(next_ids(&ids(&[]), "H-", 2), ["H-000001", "H-000002"]);
        assert_eq!(
            next_ids(&ids(&["H-0009", "H-0010", "H-0002"]), "H-", 1),
            ["H-0011"]
        );
        // The format most ids have wins; odd ids do not disturb it.
        assert_eq!(
            next_ids(&ids(&["CASE-7", "P-00041", "P-00040", "manual"]), "P-", 1),
            ["P-00042"]
        );
        // Past the width, the number grows.
        assert_eq!(next_ids(&ids(&["P-99"]), "P-", 1), ["P-100"]);
    }
}
