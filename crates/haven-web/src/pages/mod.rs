//! The pages: server-rendered HTML, usable without JavaScript. Each handler checks the
//! user's capability (and, for a delegation, the record's country) before it reads.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use haven_app::access::User;
use haven_core::access::Capability;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, Auth, Signed, client_ip};
use crate::error::{PageError, WebError};

pub(crate) type PageResult = Result<Response, PageError>;

mod admin;
mod dashboard;
mod people;
mod referrals;
mod register;
mod relocation;
mod resettlement;
mod returns;
mod rsd;
mod sites;

pub use referrals::{referral_in_scope, scoped_referral};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/static/haven.css", get(css))
        .merge(dashboard::routes())
        .merge(people::routes())
        .merge(referrals::routes())
        .merge(admin::routes())
        .merge(register::routes())
        .merge(sites::routes())
        .merge(relocation::routes())
        .merge(rsd::routes())
        .merge(resettlement::routes())
        .merge(returns::routes())
}

/// What every page around its content needs: who is logged in, the token for its forms,
/// and the menu the role allows.
pub struct Chrome {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub nav: Vec<(&'static str, &'static str, bool)>,
}

const MENU: [(&str, &str, Capability); 10] = [
    ("/dashboard", "Dashboard", Capability::ViewDashboard),
    ("/search", "People", Capability::ViewPeople),
    ("/sites", "Sites", Capability::ViewSites),
    ("/convoys", "Convoys", Capability::ViewConvoys),
    ("/rsd", "RSD", Capability::ManageRsd),
    ("/pledges", "Pledges", Capability::ViewPledges),
    ("/placement", "Placement", Capability::ManageResettlement),
    ("/referrals", "Referrals", Capability::ViewReferrals),
    ("/returns", "Returns", Capability::ManageReturns),
    ("/admin/users", "Administration", Capability::Administer),
];

impl Chrome {
    pub(crate) fn new(s: &Signed, title: impl Into<String>, here: &str) -> Self {
        let nav = MENU
            .iter()
            .filter(|(_, _, cap)| s.user.can(*cap))
            .map(|(href, label, _)| (*href, *label, here.starts_with(href)))
            .collect();
        Chrome {
            title: title.into(),
            user: Some(s.user.clone()),
            csrf: s.csrf.clone(),
            nav,
        }
    }
}

pub(crate) fn render<T: Template>(t: &T) -> PageResult {
    let html = t
        .render()
        .map_err(|e| WebError::Internal(format!("template: {e}")))?;
    Ok(Html(html).into_response())
}

pub(crate) fn see_other(to: &str) -> PageResult {
    Ok(Redirect::to(to).into_response())
}

async fn css() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/haven.css"),
    )
}

async fn root(auth: Auth) -> Response {
    match &auth.user {
        Some(u) => Redirect::to(auth::home(&u.0)).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    message: Option<String>,
    username: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site, never `//elsewhere` or a full URL: a slash, then a letter,
/// then path and query characters only (no whitespace or control characters, which
/// browsers strip, turning `/\t/evil` into `//evil`; no backslashes).
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.~?=&%+:,".contains(c))
    })
    .map(str::to_string)
}

async fn login_form(auth: Auth, Query(q): Query<NextQuery>) -> PageResult {
    let csrf = auth::csrf_token(&auth.session).await?;
    render(&LoginPage {
        c: Chrome {
            title: "Log in".into(),
            user: None,
            csrf,
            nav: vec![],
        },
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        message: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    mut auth: Auth,
    req_parts: RequestParts,
    Form(f): Form<LoginForm>,
) -> PageResult {
    match auth::log_in(
        &st.app,
        &st.throttle,
        &mut auth,
        req_parts.client,
        &f.username,
        &f.password,
    )
    .await
    {
        Ok((user, _)) => {
            let to = safe_next(f.next.as_deref().filter(|n| !n.is_empty()))
                .unwrap_or_else(|| auth::home(&user).to_string());
            see_other(&to)
        }
        Err(WebError::LoginFailed(m)) | Err(WebError::TooManyRequests(m)) => {
            let csrf = auth::csrf_token(&auth.session).await?;
            let page = LoginPage {
                c: Chrome {
                    title: "Log in".into(),
                    user: None,
                    csrf,
                    nav: vec![],
                },
                next: safe_next(f.next.as_deref()).unwrap_or_default(),
                message: Some(m),
                username: f.username,
            };
            let html = page
                .render()
                .map_err(|e| WebError::Internal(format!("template: {e}")))?;
            Ok((axum::http::StatusCode::UNAUTHORIZED, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(mut auth: Auth) -> PageResult {
    auth.logout()
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    see_other("/login")
}

/// The client address, for throttling and the audit of failed logins.
pub struct RequestParts {
    pub client: Option<std::net::IpAddr>,
}

impl axum::extract::FromRequestParts<AppState> for RequestParts {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestParts {
            client: client_ip(parts, st.trusted_proxy),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_only_ever_a_path_on_this_site() {
        assert_eq!(
            safe_next(Some("/people/P-000001")).as_deref(),
            Some("/people/P-000001")
        );
        assert_eq!(
            safe_next(Some("/search?q=Ali%20Reza")).as_deref(),
            Some("/search?q=Ali%20Reza")
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil",
            "https://evil.example",
            "/",
            "",
            "/ x",
            "/\n/evil",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
    }
}
