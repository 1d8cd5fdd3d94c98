//! Registering a household by hand, for the registration officer: a head and up to
//! eight members, names in Latin letters and in the original script. The form is checked
//! by the importer's own rules (`App::register_household`); on a problem the form comes
//! back with every problem listed against its member and field and the values kept.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Form, Router};
use haven_app::{AppError, NewHousehold, NewMember};
use haven_core::access::Capability;
use haven_core::registry::Relationship;

use super::{Chrome, PageResult, see_other};
use crate::AppState;
use crate::auth::{PageUser, Signed, require};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_form).post(register))
        .route_layer(require(Capability::Register))
}

/// Rows of the form: the head and eight members.
const ROWS: u64 = 9;

/// One row of the form as typed, with the fields that have a problem.
#[derive(Default, Clone)]
struct MemberRow {
    n: u64,
    relationship: String,
    given_name_latin: String,
    family_name_latin: String,
    given_name_original: String,
    family_name_original: String,
    sex: String,
    date_of_birth: String,
    dob_precision: String,
    nationality: String,
    languages: String,
    specific_needs: String,
    bad: Vec<String>,
}

impl MemberRow {
    fn new(n: u64) -> Self {
        MemberRow {
            n,
            relationship: if n == 1 { "head".into() } else { String::new() },
            ..MemberRow::default()
        }
    }

    fn set(&mut self, field: &str, value: String) {
        match field {
            "relationship" if self.n != 1 => self.relationship = value,
            "given_name_latin" => self.given_name_latin = value,
            "family_name_latin" => self.family_name_latin = value,
            "given_name_original" => self.given_name_original = value,
            "family_name_original" => self.family_name_original = value,
            "sex" => self.sex = value,
            "date_of_birth" => self.date_of_birth = value,
            "dob_precision" => self.dob_precision = value,
            "nationality" => self.nationality = value,
            "languages" => self.languages = value,
            "specific_needs" => self.specific_needs = value,
            _ => {}
        }
    }

    /// A row left empty is no member.
    fn is_blank(&self) -> bool {
        [
            &self.given_name_latin,
            &self.family_name_latin,
            &self.given_name_original,
            &self.family_name_original,
            &self.date_of_birth,
            &self.nationality,
            &self.languages,
            &self.specific_needs,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    fn is_bad(&self, field: &str) -> bool {
        self.bad.iter().any(|b| b == field)
    }

    fn member(&self) -> NewMember {
        let list = |s: &str| -> Vec<String> {
            s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        };
        NewMember {
            relationship: self.relationship.clone(),
            given_name_latin: self.given_name_latin.clone(),
            family_name_latin: self.family_name_latin.clone(),
            given_name_original: self.given_name_original.clone(),
            family_name_original: self.family_name_original.clone(),
            sex: self.sex.clone(),
            date_of_birth: self.date_of_birth.clone(),
            dob_precision: self.dob_precision.clone(),
            nationality: self.nationality.clone(),
            languages: list(&self.languages),
            specific_needs: list(&self.specific_needs),
        }
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    c: Chrome,
    sites: Vec<(String, String)>,
    site_id: String,
    unit_id: String,
    rows: Vec<MemberRow>,
    problems: Vec<String>,
    relationships: Vec<&'static str>,
}

async fn page(
    st: &AppState,
    s: &Signed,
    site_id: String,
    unit_id: String,
    rows: Vec<MemberRow>,
    problems: Vec<String>,
) -> Result<String, WebError> {
    let sites = st
        .app
        .overview()
        .await?
        .sites
        .into_iter()
        .map(|o| (o.site.site_id, o.site.name))
        .collect();
    RegisterPage {
        c: Chrome::new(s, "Register a household", "/register"),
        sites,
        site_id,
        unit_id,
        rows,
        problems,
        relationships: Relationship::ALL
            .iter()
            .filter(|r| **r != Relationship::Head)
            .map(|r| r.as_str())
            .collect(),
    }
    .render()
    .map_err(|e| WebError::Internal(format!("template: {e}")))
}

async fn register_form(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::Register)?;
    let rows = (1..=ROWS).map(MemberRow::new).collect();
    let html = page(&st, &s, String::new(), String::new(), rows, vec![]).await?;
    Ok(Html(html).into_response())
}

/// The form's fields: `site_id`, `unit_id` and `m{N}.{field}` for row N (1 = the head).
async fn register(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    s.need(Capability::Register)?;
    let mut site_id = String::new();
    let mut unit_id = String::new();
    let mut rows: BTreeMap<u64, MemberRow> = (1..=ROWS).map(|n| (n, MemberRow::new(n))).collect();
    for (key, value) in fields {
        match key.as_str() {
            "site_id" => site_id = value,
            "unit_id" => unit_id = value,
            _ => {
                let row = key
                    .strip_prefix('m')
                    .and_then(|k| k.split_once('.'))
                    .and_then(|(n, field)| Some((n.parse::<u64>().ok()?, field)));
                if let Some((n, field)) = row
                    && let Some(r) = rows.get_mut(&n)
                {
                    r.set(field, value);
                }
            }
        }
    }
    // Member numbers count the rows filled in; each maps back to its row of the form.
    let filled: Vec<u64> = rows
        .values()
        .filter(|r| !r.is_blank())
        .map(|r| r.n)
        .collect();
    let household = NewHousehold {
        site_id: site_id.clone(),
        unit_id: Some(unit_id.trim().to_string()).filter(|u| !u.is_empty()),
        members: filled
            .iter()
            .filter_map(|n| rows.get(n))
            .map(MemberRow::member)
            .collect(),
    };
    match st.app.register_household(&s.user.ctx(), &household).await {
        Ok(h) => see_other(&format!("/households/{}", h.household_id)),
        Err(AppError::Invalid(problems)) => {
            let mut shown = Vec::with_capacity(problems.len());
            for p in &problems {
                let n = usize::try_from(p.line)
                    .ok()
                    .and_then(|l| l.checked_sub(1))
                    .and_then(|i| filled.get(i).copied())
                    .unwrap_or(1);
                if let Some(r) = rows.get_mut(&n) {
                    r.bad.push(p.field.clone());
                }
                let who = if n == 1 {
                    "head (row 1)".to_string()
                } else {
                    format!("member in row {n}")
                };
                shown.push(format!("{who}: {}: {} ({})", p.field, p.message, p.value));
            }
            let html = page(
                &st,
                &s,
                site_id,
                unit_id,
                rows.into_values().collect(),
                shown,
            )
            .await?;
            Ok((StatusCode::BAD_REQUEST, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
