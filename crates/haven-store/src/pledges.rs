//! Resettlement pledges in the store. Criteria are kept as the JSON document the
//! operator wrote; they are parsed (and so checked again) on the way out.

use std::collections::HashMap;

use haven_core::pledge::{Criteria, Pledge};
use sqlx::QueryBuilder;

use crate::read::corrupt;
use crate::write::{CHUNK, json};
use crate::{Result, Store, Writer, on_db, on_tx};

type PledgeRow = (String, String, i64, String, String, String);

fn pledge_row(
    (pledge_id, country, places, period_start, period_end, criteria): PledgeRow,
) -> Result<Pledge> {
    let criteria: Criteria = serde_json::from_str(&criteria)
        .map_err(|e| corrupt("pledges", format!("{pledge_id}: criteria: {e}")))?;
    let places = u32::try_from(places)
        .map_err(|_| corrupt("pledges", format!("{pledge_id}: places {places}")))?;
    Ok(Pledge {
        pledge_id,
        country,
        places,
        period_start,
        period_end,
        criteria,
    })
}

impl Store {
    /// Every pledge, by id.
    pub async fn pledges(&self) -> Result<Vec<Pledge>> {
        let rows: Vec<PledgeRow> = on_db!(self, c => sqlx::query_as(
            "SELECT pledge_id, country, places, period_start, period_end, criteria_json FROM pledges ORDER BY pledge_id",
        )
        .fetch_all(c)
        .await?);
        rows.into_iter().map(pledge_row).collect()
    }

    /// Content hash of every pledge, by id (for idempotent imports).
    pub async fn pledge_hashes(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_db!(self, c => sqlx::query_as("SELECT pledge_id, content_hash FROM pledges")
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().collect())
    }
}

impl Writer {
    /// Records new pledges, each with its content hash, and audits each.
    pub async fn insert_pledges(&mut self, pledges: &[(Pledge, String)]) -> Result<()> {
        let first = self.alloc_ids("pledges", pledges.len()).await?;
        for (i, chunk) in pledges.chunks(CHUNK).enumerate() {
            let mut rows = Vec::with_capacity(chunk.len());
            for (j, (p, hash)) in chunk.iter().enumerate() {
                rows.push((first + (i * CHUNK + j) as i64, p, json(&p.criteria), hash));
            }
            on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO pledges (id, pledge_id, country, places, period_start, period_end, criteria_json, content_hash) ",
                );
                q.push_values(&rows, |mut b, (id, p, criteria, hash)| {
                    b.push_bind(*id)
                        .push_bind(p.pledge_id.as_str())
                        .push_bind(p.country.as_str())
                        .push_bind(i64::from(p.places))
                        .push_bind(p.period_start.as_str())
                        .push_bind(p.period_end.as_str())
                        .push_bind(criteria.as_str())
                        .push_bind(hash.as_str());
                });
                q.build().execute(&mut *c).await?;
            });
        }
        for (p, _) in pledges {
            self.audit(
                "pledge.create",
                "pledge",
                &p.pledge_id,
                "null".into(),
                json(p),
            );
        }
        Ok(())
    }
}
