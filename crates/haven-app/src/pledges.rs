//! Resettlement pledges: a country's places for a period, with its criteria and legal
//! bars (`docs/resettlement-domain.md`). Imported from the JSON the operator writes, or
//! added one at a time; every pledge is validated completely before anything is written.

use std::collections::HashMap;
use std::path::Path;

use haven_core::pledge::Pledge;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Ctx, ImportSummary, Problem};

/// Where each element of a top-level JSON array begins: its 1-based line. A small scan
/// (strings and escapes respected) because serde_json does not report positions of
/// values it parsed successfully.
fn element_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1u64, 0i32);
    let (mut in_string, mut escaped) = (false, false);
    let mut expect_element = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                if depth == 1 && expect_element {
                    lines.push(line);
                    expect_element = false;
                }
            }
            '[' | '{' => {
                if depth == 1 && expect_element {
                    lines.push(line);
                    expect_element = false;
                }
                depth += 1;
                if depth == 1 {
                    expect_element = true;
                }
            }
            ']' | '}' => depth -= 1,
            ',' if depth == 1 => expect_element = true,
            c if depth == 1 && expect_element && !c.is_whitespace() => {
                lines.push(line);
                expect_element = false;
            }
            _ => {}
        }
    }
    lines
}

fn content_hash(p: &Pledge) -> String {
    let json = serde_json::to_vec(p).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

impl App {
    /// Checks pledges against the rules, the specific-needs catalogue and what is
    /// registered; returns the new ones with their hashes and how many are unchanged.
    async fn check_pledges(
        &self,
        file: &str,
        pledges: &[(u64, Pledge)],
        problems: &mut Vec<Problem>,
    ) -> Result<(Vec<(Pledge, String)>, u64), AppError> {
        let catalogue = self.store.needs_catalogue().await?;
        let existing = self.store.pledge_hashes().await?;
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let mut new = Vec::new();
        let mut unchanged = 0;
        for (line, p) in pledges {
            let mut found = p.validate();
            found.extend(p.criteria.unknown_needs(&catalogue));
            for f in &found {
                let field = match f.field.as_str() {
                    "pledge_id" | "country" | "places" | "period_start" | "period_end" => {
                        f.field.clone()
                    }
                    other if other.starts_with("criteria") => other.to_string(),
                    other => format!("criteria.{other}"),
                };
                problems.push(Problem::new(
                    file,
                    *line,
                    &field,
                    f.message.clone(),
                    &p.pledge_id,
                ));
            }
            if !found.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(p.pledge_id.as_str(), *line) {
                problems.push(Problem::new(
                    file,
                    *line,
                    "pledge_id",
                    format!("duplicate id (first on line {first})"),
                    &p.pledge_id,
                ));
                continue;
            }
            let hash = content_hash(p);
            match existing.get(&p.pledge_id) {
                Some(h) if *h == hash => unchanged += 1,
                Some(_) => problems.push(Problem::new(
                    file,
                    *line,
                    "pledge_id",
                    "is already registered with different content",
                    &p.pledge_id,
                )),
                None => new.push((p.clone(), hash)),
            }
        }
        Ok((new, unchanged))
    }

    /// Imports pledges from a JSON file: an array of pledges. Every problem is reported
    /// as `FILE:LINE: field: message (pledge id)`; nothing is written if there is one.
    /// Pledges already registered with the same content are left as they are.
    pub async fn import_pledges(&self, ctx: &Ctx, path: &Path) -> Result<ImportSummary, AppError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Io(format!("{file}: cannot read: {e}")))?;
        let syntax = |e: serde_json::Error| {
            AppError::Invalid(vec![Problem::new(
                &file,
                e.line() as u64,
                "json",
                e.to_string(),
                "",
            )])
        };
        let values: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(syntax)?;
        let lines = element_lines(&text);
        let mut problems = Vec::new();
        let mut pledges = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(0);
            let id = v
                .get("pledge_id")
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string();
            match serde_json::from_value::<Pledge>(v) {
                Ok(p) => pledges.push((line, p)),
                Err(e) => problems.push(Problem::new(&file, line, "pledge", e.to_string(), &id)),
            }
        }
        let (new, unchanged) = self.check_pledges(&file, &pledges, &mut problems).await?;
        problems.sort_by_key(|p| p.line);
        crate::import::fail_if(problems)?;
        let mut w = self.begin(ctx).await?;
        w.insert_pledges(&new).await?;
        w.commit().await?;
        Ok(ImportSummary {
            file,
            records: "pledges",
            imported: new.len() as u64,
            unchanged,
            people: 0,
        })
    }

    /// Adds one pledge. `Ok(false)` when the same pledge is already registered.
    pub async fn add_pledge(&self, ctx: &Ctx, pledge: Pledge) -> Result<bool, AppError> {
        let mut problems = Vec::new();
        let (new, _) = self
            .check_pledges("pledge", &[(0, pledge)], &mut problems)
            .await?;
        crate::import::fail_if(problems)?;
        if new.is_empty() {
            return Ok(false);
        }
        let mut w = self.begin(ctx).await?;
        w.insert_pledges(&new).await?;
        w.commit().await?;
        Ok(true)
    }

    /// Every pledge, by id.
    pub async fn pledges(&self) -> Result<Vec<Pledge>, AppError> {
        Ok(self.store.pledges().await?)
    }

    pub async fn pledge(&self, pledge_id: &str) -> Result<Pledge, AppError> {
        self.store
            .pledges()
            .await?
            .into_iter()
            .find(|p| p.pledge_id == pledge_id)
            .ok_or_else(|| AppError::NotFound(format!("no pledge with id {pledge_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::element_lines;

    #[test]
    fn element_lines_find_each_array_element() {
        let text = "[\n  {\"a\": \"x,]{\"},\n  {\n    \"b\": [1, 2]\n  },\n\n  {}\n]\n";
        assert_eq!(element_lines(text), [2, 3, 7]);
        assert_eq!(element_lines("[]"), Vec::<u64>::new());
        assert_eq!(element_lines("[{}, {}]"), [1, 1]);
    }
}
