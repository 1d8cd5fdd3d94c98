//! Voluntary return cases in the store: the core state machine kept as JSON.

use haven_core::voluntary_return::VoluntaryReturn;

use crate::read::corrupt;
use crate::{Result, Store, StoreError, Writer, on_db, on_tx};

fn parse(person: &str, json: &str) -> Result<VoluntaryReturn> {
    serde_json::from_str(json).map_err(|e| corrupt("voluntary_returns", format!("{person}: {e}")))
}

impl Store {
    /// Every return case, by person id.
    pub async fn voluntary_returns(&self) -> Result<Vec<VoluntaryReturn>> {
        let rows: Vec<(String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT p.person_id, v.state_json FROM voluntary_returns v JOIN people p ON p.id = v.person_id ORDER BY p.person_id",
        )
        .fetch_all(c)
        .await?);
        rows.iter().map(|(p, j)| parse(p, j)).collect()
    }
}

impl Writer {
    /// A person's return case, read under the writer lock.
    pub async fn voluntary_return(&mut self, person_id: &str) -> Result<Option<VoluntaryReturn>> {
        let row: Option<String> = on_tx!(&mut self.tx, c => sqlx::query_scalar(
            "SELECT v.state_json FROM voluntary_returns v JOIN people p ON p.id = v.person_id WHERE p.person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&mut *c)
        .await?);
        row.map(|j| parse(person_id, &j)).transpose()
    }

    /// Creates or replaces a person's return case.
    pub async fn save_voluntary_return(&mut self, v: &VoluntaryReturn) -> Result<()> {
        let person: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM people WHERE person_id = $1")
            .bind(v.person_id.as_str()).fetch_optional(&mut *c).await?);
        let person = person
            .ok_or_else(|| StoreError::Invalid(format!("no person with id {}", v.person_id)))?;
        let json = serde_json::to_string(v)
            .map_err(|e| StoreError::Invalid(format!("return of {}: {e}", v.person_id)))?;
        let at = self.at.clone();
        let stage = v.stage.key();
        let updated = on_tx!(&mut self.tx, c => sqlx::query(
            "UPDATE voluntary_returns SET stage = $1, state_json = $2, updated_at = $3, country = $4 WHERE person_id = $5",
        )
        .bind(stage).bind(json.as_str()).bind(at.as_str()).bind(v.country.as_str()).bind(person)
        .execute(&mut *c).await?.rows_affected());
        if updated == 0 {
            let id = self.alloc_ids("voluntary_returns", 1).await?;
            on_tx!(&mut self.tx, c => sqlx::query(
                "INSERT INTO voluntary_returns (id, person_id, country, stage, state_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id).bind(person).bind(v.country.as_str()).bind(stage).bind(json.as_str()).bind(at.as_str())
            .execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }
}
