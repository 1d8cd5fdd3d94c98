//! The population ledger: people accounted for the way accountants keep money.
//!
//! Every registered person is in exactly one place [`Account`] at every moment. Every
//! change of place is a [`Movement`] that debits one account and credits another.
//! Registration credits a person into a place from outside the books (`from` is `None`).
//! The trial balance — the sum of all account balances — must equal the number of people
//! registered; a report that does not balance is a bug.
//!
//! [`Ledger`] is the pure, in-memory model of these rules; the store keeps the same
//! entries in tables and is checked against the same [`TrialBalance`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A place account. Its [`key`](Account::key) is the stable text form used in the store,
/// on the command line and in reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum Account {
    /// At a site, not (yet) in a shelter unit.
    Site(String),
    /// In a shelter unit (by unit id); the unit's site follows from the registry.
    Unit(String),
    /// On the move, e.g. in a relocation convoy (by convoy id).
    InTransit(String),
    /// Departed for resettlement to a country (ISO 3166-1 alpha-3).
    Departed(String),
    /// Returned to the country of origin (ISO 3166-1 alpha-3).
    Returned(String),
    Deceased,
    WhereaboutsUnknown,
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "'{0}' is not a place account (site:ID, unit:ID, transit:ID, departed:ISO3, returned:ISO3, deceased, unknown)"
)]
pub struct BadAccount(pub String);

impl Account {
    pub fn key(&self) -> String {
        match self {
            Account::Site(s) => format!("site:{s}"),
            Account::Unit(u) => format!("unit:{u}"),
            Account::InTransit(c) => format!("transit:{c}"),
            Account::Departed(c) => format!("departed:{c}"),
            Account::Returned(c) => format!("returned:{c}"),
            Account::Deceased => "deceased".into(),
            Account::WhereaboutsUnknown => "unknown".into(),
        }
    }

    /// The kind of account, as stored (`site`, `unit`, `transit`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Account::Site(_) => "site",
            Account::Unit(_) => "unit",
            Account::InTransit(_) => "transit",
            Account::Departed(_) => "departed",
            Account::Returned(_) => "returned",
            Account::Deceased => "deceased",
            Account::WhereaboutsUnknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Result<Self, BadAccount> {
        let bad = || BadAccount(s.to_string());
        if s == "deceased" {
            return Ok(Account::Deceased);
        }
        if s == "unknown" {
            return Ok(Account::WhereaboutsUnknown);
        }
        let (kind, r) = s.split_once(':').ok_or_else(bad)?;
        if r.is_empty() || crate::validate::external_id(r).is_err() {
            return Err(bad());
        }
        let r = r.to_string();
        match kind {
            "site" => Ok(Account::Site(r)),
            "unit" => Ok(Account::Unit(r)),
            "transit" => Ok(Account::InTransit(r)),
            "departed" => crate::validate::country(&r)
                .map(Account::Departed)
                .map_err(|_| bad()),
            "returned" => crate::validate::country(&r)
                .map(Account::Returned)
                .map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    /// People in this account are physically with the operation: at a site, in a unit or
    /// on the move (not departed, returned, deceased or of unknown whereabouts).
    pub fn is_present(&self) -> bool {
        matches!(
            self,
            Account::Site(_) | Account::Unit(_) | Account::InTransit(_)
        )
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// One person's change of place: an entry debiting `from` and crediting `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub person_id: String,
    /// `None` for registration: the person enters the books.
    pub from: Option<Account>,
    pub to: Account,
    /// RFC 3339 time of the movement.
    pub at: String,
    pub reason: String,
    pub actor: String,
    /// Set when the movement deliberately separates a household's members.
    pub split_reason: Option<String>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LedgerError {
    #[error("person {0} is already registered")]
    AlreadyRegistered(String),
    #[error("person {0} is not registered")]
    NotRegistered(String),
    #[error("person {person} is in {actual}, not in {expected}")]
    WrongSource {
        person: String,
        expected: String,
        actual: String,
    },
    #[error("person {0} is already in {1}")]
    NoChange(String, String),
    #[error(
        "moving {moving} of the {present} members of household {household} who are in {from} would split it; name a reason to split"
    )]
    HouseholdSplit {
        household: String,
        from: String,
        moving: usize,
        present: usize,
    },
    #[error("a movement needs a reason")]
    NoReason,
}

/// The trial balance: every account with the number of people in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialBalance {
    pub accounts: BTreeMap<String, i64>,
    pub total: i64,
    pub registered: i64,
    pub balanced: bool,
}

impl TrialBalance {
    /// Builds the balance from per-account counts; a negative count is itself an
    /// imbalance (someone left an account they were never in).
    pub fn new(accounts: BTreeMap<String, i64>, registered: i64) -> Self {
        let accounts: BTreeMap<String, i64> =
            accounts.into_iter().filter(|(_, n)| *n != 0).collect();
        let total = accounts.values().sum();
        let balanced = total == registered && accounts.values().all(|n| *n >= 0);
        TrialBalance {
            accounts,
            total,
            registered,
            balanced,
        }
    }

    /// Balances computed from ledger entries alone: credits minus debits per account.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (Option<&'a str>, &'a str)>,
        registered: i64,
    ) -> Self {
        let mut acc: BTreeMap<String, i64> = BTreeMap::new();
        for (from, to) in entries {
            if let Some(f) = from {
                *acc.entry(f.to_string()).or_default() -= 1;
            }
            *acc.entry(to.to_string()).or_default() += 1;
        }
        TrialBalance::new(acc, registered)
    }
}

/// Checks the household rule for a batch of movements out of one account: if some but
/// not all of a household's members present in `from` move, a split reason is required.
///
/// `present` are the household's members currently in `from`; `moving` those the batch
/// moves.
pub fn check_household_together(
    household_id: &str,
    from: &Account,
    present: &[&str],
    moving: &[&str],
    split_reason: Option<&str>,
) -> Result<(), LedgerError> {
    let has_reason = split_reason.is_some_and(|r| !r.trim().is_empty());
    let all_move = present.iter().all(|p| moving.contains(p));
    if !all_move && !has_reason {
        return Err(LedgerError::HouseholdSplit {
            household: household_id.to_string(),
            from: from.key(),
            moving: moving.len(),
            present: present.len(),
        });
    }
    Ok(())
}

/// The pure model of the books: where everyone is, and every entry ever made.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    position: HashMap<String, Account>,
    household_of: HashMap<String, String>,
    entries: Vec<Movement>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(
        &mut self,
        person_id: &str,
        household_id: &str,
        to: Account,
        at: &str,
        actor: &str,
    ) -> Result<(), LedgerError> {
        if self.position.contains_key(person_id) {
            return Err(LedgerError::AlreadyRegistered(person_id.to_string()));
        }
        self.position.insert(person_id.to_string(), to.clone());
        self.household_of
            .insert(person_id.to_string(), household_id.to_string());
        self.entries.push(Movement {
            person_id: person_id.to_string(),
            from: None,
            to,
            at: at.to_string(),
            reason: "registration".into(),
            actor: actor.to_string(),
            split_reason: None,
        });
        Ok(())
    }

    pub fn position(&self, person_id: &str) -> Option<&Account> {
        self.position.get(person_id)
    }

    pub fn entries(&self) -> &[Movement] {
        &self.entries
    }

    pub fn registered(&self) -> i64 {
        self.position.len() as i64
    }

    /// Moves a batch of people from their current accounts to `to`, all or nothing.
    /// Household members who share an account move together unless `split_reason` is set.
    pub fn move_people(
        &mut self,
        people: &[&str],
        to: &Account,
        at: &str,
        reason: &str,
        actor: &str,
        split_reason: Option<&str>,
    ) -> Result<(), LedgerError> {
        if reason.trim().is_empty() {
            return Err(LedgerError::NoReason);
        }
        // Group movers by (household, source account) to check the household rule.
        let mut groups: BTreeMap<(String, Account), Vec<&str>> = BTreeMap::new();
        for p in people {
            let from = self
                .position
                .get(*p)
                .ok_or_else(|| LedgerError::NotRegistered(p.to_string()))?;
            if from == to {
                return Err(LedgerError::NoChange(p.to_string(), to.key()));
            }
            let hh = self.household_of.get(*p).cloned().unwrap_or_default();
            groups.entry((hh, from.clone())).or_default().push(p);
        }
        for ((hh, from), moving) in &groups {
            let present: Vec<&str> = self
                .household_of
                .iter()
                .filter(|(pid, h)| *h == hh && self.position.get(*pid) == Some(from))
                .map(|(pid, _)| pid.as_str())
                .collect();
            check_household_together(hh, from, &present, moving, split_reason)?;
        }
        for p in people {
            let from = self.position.insert(p.to_string(), to.clone());
            self.entries.push(Movement {
                person_id: p.to_string(),
                from,
                to: to.clone(),
                at: at.to_string(),
                reason: reason.to_string(),
                actor: actor.to_string(),
                split_reason: split_reason.map(str::to_string),
            });
        }
        Ok(())
    }

    pub fn trial_balance(&self) -> TrialBalance {
        let keys: Vec<(Option<String>, String)> = self
            .entries
            .iter()
            .map(|m| (m.from.as_ref().map(Account::key), m.to.key()))
            .collect();
        TrialBalance::from_entries(
            keys.iter().map(|(f, t)| (f.as_deref(), t.as_str())),
            self.registered(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn account_keys_round_trip() {
        for a in [
            Account::Site("S-CAMP".into()),
            Account::Unit("TS-B01-R001".into()),
            Account::InTransit("C-001".into()),
            Account::Departed("CAN".into()),
            Account::Returned("IRN".into()),
            Account::Deceased,
            Account::WhereaboutsUnknown,
        ] {
            assert_eq!(Account::parse(&a.key()), Ok(a));
        }
        assert!(Account::parse("departed:XYZ").is_err());
        assert!(Account::parse("moon:1").is_err());
        assert!(Account::parse("site:").is_err());
    }

    #[test]
    fn household_moves_together_unless_split_is_named() {
        let mut l = Ledger::new();
        let camp = Account::Site("CAMP".into());
        for p in ["a", "b"] {
            l.register(p, "H1", camp.clone(), "t", "x").ok();
        }
        let err = l.move_people(&["a"], &Account::Deceased, "t", "died", "x", None);
        assert!(matches!(err, Err(LedgerError::HouseholdSplit { .. })));
        assert!(
            l.move_people(&["a"], &Account::Deceased, "t", "died", "x", Some("death"))
                .is_ok()
        );
        // b is now alone in the camp: moving b alone is the whole household present.
        assert!(
            l.move_people(
                &["b"],
                &Account::Site("TS".into()),
                "t",
                "relocated",
                "x",
                None
            )
            .is_ok()
        );
        assert!(l.trial_balance().balanced);
    }

    proptest! {
        /// Random registrations and household movements between accounts: the trial
        /// balance always equals the number registered, and a refused batch changes nothing.
        #[test]
        fn ledger_always_balances(
            sizes in proptest::collection::vec(1usize..5, 1..30),
            moves in proptest::collection::vec((0usize..30, 0usize..7, any::<bool>(), any::<bool>()), 0..80),
        ) {
            let accounts = [
                Account::Site("CAMP".into()), Account::Site("TS".into()), Account::Unit("U1".into()),
                Account::InTransit("C1".into()), Account::Departed("CAN".into()),
                Account::Deceased, Account::WhereaboutsUnknown,
            ];
            let mut l = Ledger::new();
            let mut households: Vec<Vec<String>> = Vec::new();
            for (h, size) in sizes.iter().enumerate() {
                let members: Vec<String> = (0..*size).map(|i| format!("P{h}-{i}")).collect();
                for m in &members {
                    l.register(m, &format!("H{h}"), accounts[0].clone(), "t", "x").ok();
                }
                households.push(members);
            }
            for (h, to, partial, with_reason) in moves {
                let Some(members) = households.get(h % households.len()) else { continue };
                let movers: Vec<&str> = if partial && members.len() > 1 {
                    members[..1].iter().map(String::as_str).collect()
                } else {
                    members.iter().map(String::as_str).collect()
                };
                let before = l.entries().len();
                let split = with_reason.then_some("medical evacuation");
                let r = l.move_people(&movers, &accounts[to], "t", "move", "x", split);
                if r.is_err() {
                    prop_assert_eq!(l.entries().len(), before);
                }
                let tb = l.trial_balance();
                prop_assert!(tb.balanced, "{:?}", tb);
                prop_assert_eq!(tb.total, l.registered());
            }
        }
    }
}
