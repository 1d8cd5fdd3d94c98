//! Voluntary return: counselling, a signed consent, its verification by another officer
//! that the decision is free and informed, a scheduled departure — withdrawable at any
//! time until departure. `return_depart` is the only way into a `returned:ISO3` account.

use haven_core::ledger::Account;
use haven_core::rsd::parse_iso_date;
use haven_core::voluntary_return::VoluntaryReturn;
use haven_store::MovementRow;
use time::Date;

use crate::{App, AppError, Ctx};

/// One step of a return case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnStep {
    /// A counselling session (opens the case, or restarts it after a withdrawal). The
    /// country defaults to the person's nationality.
    Counsel {
        officer: String,
        country: Option<String>,
    },
    /// The person signs the consent form (its document reference).
    Consent { document: String },
    /// Another officer than the counsellor verifies the consent is free and informed.
    Verify { officer: String },
    /// The departure day.
    Schedule { departure: String },
    /// The person withdraws their consent.
    Withdraw { reason: Option<String> },
}

fn refused(e: impl std::fmt::Display) -> AppError {
    AppError::Refused(e.to_string())
}

fn day(field: &str, s: &str) -> Result<Date, AppError> {
    parse_iso_date(s).ok_or_else(|| refused(format!("{field} must be a date YYYY-MM-DD ({s})")))
}

impl App {
    fn day_or_today(&self, on: Option<&str>) -> Result<Date, AppError> {
        day(
            "date",
            on.map_or(self.today().as_str(), |s| s).to_string().as_str(),
        )
    }

    /// Records one step of a person's return case.
    pub async fn return_step(
        &self,
        ctx: &Ctx,
        person_id: &str,
        step: &ReturnStep,
        on: Option<&str>,
    ) -> Result<VoluntaryReturn, AppError> {
        let on = self.day_or_today(on)?;
        let mut w = self.begin(ctx).await?;
        let person = self
            .store
            .person(person_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?;
        let before = w.voluntary_return(person_id).await?;
        let mut case = match (&before, step) {
            (None, ReturnStep::Counsel { officer, country }) => {
                if !person.place.is_present() {
                    return Err(refused(format!(
                        "{person_id} is in {}, not with the operation",
                        person.place
                    )));
                }
                let country = country.as_deref().unwrap_or(&person.person.nationality);
                VoluntaryReturn::start(person_id, country, on, officer).map_err(refused)?
            }
            (None, _) => {
                return Err(refused(format!(
                    "{person_id} has no return case; it starts with counselling (`haven return counsel`)"
                )));
            }
            (Some(v), _) => {
                let mut v = v.clone();
                match step {
                    ReturnStep::Counsel { officer, .. } => v.counsel(on, officer),
                    ReturnStep::Consent { document } => v.sign_consent(on, document),
                    ReturnStep::Verify { officer } => v.verify(on, officer),
                    ReturnStep::Schedule { departure } => v.schedule(day("departure", departure)?),
                    ReturnStep::Withdraw { reason } => {
                        v.withdraw(on, &ctx.actor, reason.as_deref())
                    }
                }
                .map_err(refused)?;
                v
            }
        };
        // A counselling session names the person's case; keep the id exact.
        case.person_id = person_id.to_string();
        w.save_voluntary_return(&case).await?;
        let action = match step {
            ReturnStep::Counsel { .. } => "return.counsel",
            ReturnStep::Consent { .. } => "return.consent",
            ReturnStep::Verify { .. } => "return.verify",
            ReturnStep::Schedule { .. } => "return.schedule",
            ReturnStep::Withdraw { .. } => "return.withdraw",
        };
        let json = |v: &VoluntaryReturn| serde_json::to_string(v).unwrap_or_default();
        w.audit(
            action,
            "voluntary_return",
            person_id,
            before.as_ref().map_or("null".into(), json),
            json(&case),
        );
        w.commit().await?;
        Ok(case)
    }

    /// The person returns home: only with a verified, unwithdrawn consent and a scheduled
    /// departure. Moves them to `returned:ISO3`; household members who stay are
    /// recorded as separated by the return.
    pub async fn return_depart(
        &self,
        ctx: &Ctx,
        person_id: &str,
        on: Option<&str>,
    ) -> Result<Account, AppError> {
        let on = self.day_or_today(on)?;
        let mut w = self.begin(ctx).await?;
        let Some(before) = w.voluntary_return(person_id).await? else {
            return Err(refused(format!(
                "{person_id} has no return case: a return needs counselling, a signed consent and its verification"
            )));
        };
        let mut case = before.clone();
        case.depart(on).map_err(refused)?;
        let position = w
            .positions_of_people(&[person_id.to_string()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?;
        if !position.account.is_present() {
            return Err(refused(format!(
                "{person_id} is in {}, not with the operation",
                position.account
            )));
        }
        let household = w
            .positions_of_households(std::slice::from_ref(&position.household_id))
            .await?;
        let others_stay = household
            .iter()
            .any(|m| m.person_id != person_id && m.account == position.account);
        let to = Account::Returned(case.country.clone());
        let reason = format!("voluntary return to {}", case.country);
        w.record_movements(&[MovementRow {
            person_key: position.person_key,
            person_id: person_id.to_string(),
            from: Some(position.account.clone()),
            to: to.clone(),
            reason,
            split_reason: others_stay.then(|| format!("voluntary return of {person_id}")),
        }])
        .await?;
        w.save_voluntary_return(&case).await?;
        let json = |v: &VoluntaryReturn| serde_json::to_string(v).unwrap_or_default();
        w.audit(
            "return.depart",
            "voluntary_return",
            person_id,
            json(&before),
            json(&case),
        );
        w.commit().await?;
        Ok(to)
    }

    /// Every return case.
    pub async fn voluntary_returns(&self) -> Result<Vec<VoluntaryReturn>, AppError> {
        Ok(self.store.voluntary_returns().await?)
    }
}
