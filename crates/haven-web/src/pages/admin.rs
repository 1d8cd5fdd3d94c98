//! Administration: agencies, users and roles; the audit log viewer with filters and
//! verification.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use haven_core::access::Capability;
use serde::Deserialize;

use super::{Chrome, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::error::WebError;
use axum::Router;
use axum::routing::{get, post};
use haven_app::access::{NewUser, User};
use haven_core::access::Role;
use haven_core::audit::AuditEntry;
use haven_store::AuditFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(admin_users).post(admin_add_user))
        .route("/admin/users/{username}/role", post(admin_set_role))
        .route("/admin/users/{username}/active", post(admin_set_active))
        .route(
            "/admin/users/{username}/password",
            post(admin_reset_password),
        )
        .route("/admin/agencies", post(admin_add_agency))
        .route_layer(require(Capability::Administer))
        .merge(
            Router::new()
                .route("/admin/audit", get(audit_log))
                .route_layer(require(Capability::ViewAudit)),
        )
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct AdminUsersPage {
    c: Chrome,
    users: Vec<User>,
    agencies: Vec<haven_app::access::Agency>,
    roles: Vec<Role>,
    me: String,
}

async fn admin_users(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::Administer)?;
    render(&AdminUsersPage {
        c: Chrome::new(&s, "Users and agencies", "/admin"),
        users: st.app.users().await?,
        agencies: st.app.agencies().await?,
        roles: Role::ALL.to_vec(),
        me: s.user.username.clone(),
    })
}

#[derive(Deserialize)]
struct NewUserForm {
    username: String,
    full_name: String,
    role: String,
    agency_id: String,
    password: String,
}

fn parse_role(s: &str) -> Result<Role, WebError> {
    Role::parse(s).ok_or_else(|| WebError::BadRequest(format!("no role '{s}'")))
}

async fn admin_add_user(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    s.need(Capability::Administer)?;
    st.app
        .add_user(
            &s.user.ctx(),
            NewUser {
                username: f.username,
                full_name: f.full_name,
                role: parse_role(&f.role)?,
                agency_id: f.agency_id,
                password: f.password,
            },
        )
        .await?;
    see_other("/admin/users")
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    agency_id: String,
}

async fn admin_set_role(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(username): Path<String>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    s.need(Capability::Administer)?;
    st.app
        .set_user_role(&s.user, &username, parse_role(&f.role)?, &f.agency_id)
        .await?;
    see_other("/admin/users")
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
}

async fn admin_set_active(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(username): Path<String>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    s.need(Capability::Administer)?;
    st.app
        .set_user_active(&s.user, &username, f.active == "true")
        .await?;
    see_other("/admin/users")
}

#[derive(Deserialize)]
struct AgencyForm {
    agency_id: String,
    name: String,
    country: Option<String>,
}

async fn admin_add_agency(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<AgencyForm>,
) -> PageResult {
    s.need(Capability::Administer)?;
    st.app
        .add_agency(
            &s.user.ctx(),
            haven_app::access::Agency {
                agency_id: f.agency_id.trim().to_string(),
                name: f.name.trim().to_string(),
                country: f
                    .country
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            },
        )
        .await?;
    see_other("/admin/users")
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    since: Option<String>,
    until: Option<String>,
    page: Option<i64>,
    verify: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    f: AuditFilter,
    entries: Vec<AuditEntry>,
    total: i64,
    page: i64,
    pages: i64,
    verified: Option<String>,
    query: String,
}

const AUDIT_PAGE: i64 = 100;

async fn audit_log(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    s.need(Capability::ViewAudit)?;
    let f = AuditFilter {
        actor: q.actor.unwrap_or_default().trim().to_string(),
        action: q.action.unwrap_or_default().trim().to_string(),
        entity: q.entity.unwrap_or_default().trim().to_string(),
        entity_id: q.entity_id.unwrap_or_default().trim().to_string(),
        since: q.since.unwrap_or_default().trim().to_string(),
        until: q.until.unwrap_or_default().trim().to_string(),
    };
    let page = q.page.unwrap_or(1).max(1);
    let (entries, total) = st
        .app
        .audit_log(&f, AUDIT_PAGE, (page - 1).saturating_mul(AUDIT_PAGE))
        .await?;
    let verified = if q.verify.is_some() {
        Some(match st.app.verify_audit().await? {
            Ok(n) => format!("the audit chain verifies: {n} entries, none altered or missing"),
            Err(b) => format!("the audit chain is broken: {b}"),
        })
    } else {
        None
    };
    let query = [
        ("actor", &f.actor),
        ("action", &f.action),
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
        ("since", &f.since),
        ("until", &f.until),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("&{k}={}", crate::error::urlencode(v)))
    .collect();
    render(&AuditPage {
        c: Chrome::new(&s, "Audit log", "/admin"),
        f,
        entries,
        total,
        page,
        pages: (total + AUDIT_PAGE - 1) / AUDIT_PAGE,
        verified,
        query,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn admin_reset_password(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(username): Path<String>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    s.need(Capability::Administer)?;
    st.app
        .reset_password(&s.user, &username, &f.password)
        .await?;
    see_other("/admin/users")
}
