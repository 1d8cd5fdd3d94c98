//! Search, person and household pages with their timelines.

use askama::Template;
use axum::extract::{Path, Query, State};
use haven_core::access::Capability;
use serde::Deserialize;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::{PageUser, require};
use axum::Router;
use axum::routing::get;
use haven_core::audit::AuditEntry;
use haven_store::MovementRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/people/{id}", get(person))
        .route("/households/{id}", get(household))
        .route_layer(require(Capability::ViewPeople))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    hits: Vec<haven_app::SearchHit>,
}

async fn search(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    s.need(Capability::ViewPeople)?;
    let q = q.q.unwrap_or_default();
    let hits = if q.trim().is_empty() {
        vec![]
    } else {
        st.app.search_seen(&s.user.ctx(), &q, 50).await?
    };
    render(&SearchPage {
        c: Chrome::new(&s, "Search people", "/search"),
        q,
        hits,
    })
}

/// One line of a record's timeline: a ledger movement or an audited change.
pub struct TimelineEntry {
    pub at: String,
    pub what: String,
    pub detail: String,
    pub actor: String,
}

fn timeline(history: &[MovementRecord], audit: &[AuditEntry]) -> Vec<TimelineEntry> {
    let mut t: Vec<TimelineEntry> = history
        .iter()
        .map(|m| TimelineEntry {
            at: m.at.clone(),
            what: format!("moved: {}", m.reason),
            detail: format!(
                "{}{} → {}",
                if m.person_id.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", m.person_id)
                },
                m.from.as_deref().unwrap_or("—"),
                m.to
            ),
            actor: m.actor.clone(),
        })
        .chain(
            audit
                .iter()
                .filter(|a| !a.action.ends_with(".view") && a.action != "person.move")
                .map(|a| TimelineEntry {
                    at: a.at.clone(),
                    what: a.action.clone(),
                    detail: a.after.chars().take(200).collect(),
                    actor: a.actor.clone(),
                }),
        )
        .collect();
    t.sort_by(|a, b| a.at.cmp(&b.at));
    t
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    p: haven_app::PersonView,
    timeline: Vec<TimelineEntry>,
}

async fn person(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ViewPeople)?;
    let p = st.app.person(&id).await?;
    st.app.record_view(&s.user.ctx(), "person", &id).await?;
    let timeline = timeline(&p.history, &p.audit);
    render(&PersonPage {
        c: Chrome::new(&s, format!("Person {id}"), "/search"),
        p,
        timeline,
    })
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    c: Chrome,
    h: haven_app::HouseholdView,
    timeline: Vec<TimelineEntry>,
}

async fn household(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ViewPeople)?;
    let h = st.app.household(&id).await?;
    st.app.record_view(&s.user.ctx(), "household", &id).await?;
    let timeline = timeline(&h.history, &h.audit);
    render(&HouseholdPage {
        c: Chrome::new(&s, format!("Household {id}"), "/search"),
        h,
        timeline,
    })
}
