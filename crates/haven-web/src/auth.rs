//! Who is asking: the login backend over the use cases, the extractors that demand a
//! logged-in user, per-client throttling of failed logins, and the CSRF token kept in the
//! session.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum_login::{AuthSession, AuthUser, AuthnBackend, UserId};
use haven_app::access::User;
use haven_app::{App, AppError};
use haven_core::access::Capability;
use tower_sessions::Session;

use crate::error::{ApiError, PageError, WebError};

/// The logged-in user, as the session layer keeps it.
#[derive(Debug, Clone)]
pub struct WebUser(pub User);

impl AuthUser for WebUser {
    type Id = i64;
    fn id(&self) -> i64 {
        self.0.id
    }
    fn session_auth_hash(&self) -> &[u8] {
        &self.0.session_key
    }
}

/// Looks users up for the session layer; a disabled user has no session.
#[derive(Clone)]
pub struct Backend {
    app: App,
}

impl Backend {
    pub fn new(app: App) -> Self {
        Backend { app }
    }
}

/// Credentials are checked by [`App::login`] in the login handlers, which need its
/// reasons (locked, wrong password); the session layer only ever looks users up.
pub struct NoCredentials;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(String);

impl AuthnBackend for Backend {
    type User = WebUser;
    type Credentials = NoCredentials;
    type Error = BackendError;

    async fn authenticate(&self, _: NoCredentials) -> Result<Option<WebUser>, BackendError> {
        Ok(None)
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<WebUser>, BackendError> {
        let user = self
            .app
            .user(*id)
            .await
            .map_err(|e| BackendError(e.to_string()))?;
        Ok(user.filter(|u| u.active).map(WebUser))
    }
}

pub type Auth = AuthSession<Backend>;

/// Failed logins per client address in a sliding window of ten minutes.
pub struct Throttle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl Throttle {
    pub fn new(limit: usize) -> Self {
        Throttle {
            limit,
            window: Duration::from_secs(600),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a login attempt as a failure before its password is checked (so that
    /// guesses sent in parallel are all counted), refusing a client that failed too often
    /// recently. [`Throttle::succeeded`] takes it back.
    pub fn attempt(&self, client: Option<IpAddr>) -> Result<(), WebError> {
        let Some(ip) = client else { return Ok(()) };
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Many addresses failing (a spray) must not grow the table without end.
        if map.len() > 4096 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        let list = map.entry(ip).or_default();
        list.retain(|t| now.duration_since(*t) < self.window);
        if list.len() >= self.limit {
            let wait = list
                .first()
                .map(|t| self.window.saturating_sub(now.duration_since(*t)).as_secs() / 60 + 1)
                .unwrap_or(10);
            return Err(WebError::TooManyRequests(format!(
                "too many failed logins from this address; try again in {wait} minute(s)"
            )));
        }
        list.push(now);
        Ok(())
    }

    pub fn succeeded(&self, client: Option<IpAddr>) {
        if let Some(ip) = client {
            let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(list) = map.get_mut(&ip) {
                list.pop();
            }
        }
    }
}

/// The client's address, when the server knows it (not in router tests). Behind the
/// trusted reverse proxy, the address that proxy saw (the last of `X-Forwarded-For`);
/// the header is ignored from anyone else, who could write anything in it.
pub fn client_ip(parts: &Parts, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if Some(peer) != trusted_proxy {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back();
    Some(forwarded.unwrap_or(peer))
}

const CSRF_KEY: &str = "csrf";

/// This session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, WebError> {
    let existing: Option<String> = session
        .get(CSRF_KEY)
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    match existing {
        Some(t) => Ok(t),
        None => renew_csrf(session).await,
    }
}

/// A fresh CSRF token (at login, so that one seen before cannot be replayed).
pub async fn renew_csrf(session: &Session) -> Result<String, WebError> {
    let bytes: [u8; 32] = rand::random();
    let token = hex::encode(bytes);
    session
        .insert(CSRF_KEY, &token)
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    Ok(token)
}

/// The token the session expects, if any.
pub async fn expected_csrf(session: &Session) -> Option<String> {
    session.get(CSRF_KEY).await.ok().flatten()
}

/// A logged-in user with this session's CSRF token.
pub struct Signed {
    pub user: User,
    pub csrf: String,
}

impl Signed {
    pub fn need(&self, cap: Capability) -> Result<(), WebError> {
        if self.user.can(cap) {
            Ok(())
        } else {
            Err(WebError::forbidden())
        }
    }
}

async fn signed(parts: &mut Parts) -> Result<Signed, WebError> {
    let auth = parts
        .extensions
        .get::<Auth>()
        .cloned()
        .ok_or_else(|| WebError::Internal("no session layer".into()))?;
    let Some(WebUser(user)) = auth.user else {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .filter(|_| parts.method == axum::http::Method::GET);
        return Err(WebError::Unauthenticated(next));
    };
    let csrf = csrf_token(&auth.session).await?;
    Ok(Signed { user, csrf })
}

/// A logged-in user, for a page: anonymous clients are sent to the login page.
pub struct PageUser(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        Ok(PageUser(signed(parts).await?))
    }
}

/// A logged-in user, for the API: anonymous clients get 401.
pub struct ApiUser(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ApiUser(signed(parts).await?))
    }
}

/// Logs in through the use case, then renews the session id (no session fixation) and
/// its CSRF token.
pub async fn log_in(
    app: &App,
    throttle: &Throttle,
    auth: &mut Auth,
    client: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Result<(User, String), WebError> {
    throttle.attempt(client)?;
    let who = client
        .map(|c| c.to_string())
        .unwrap_or_else(|| "unknown".into());
    let user = match crate::heavy(app.login(username.trim(), password, &who)).await {
        Ok(u) => u,
        Err(AppError::Refused(m)) => return Err(WebError::LoginFailed(m)),
        Err(e) => return Err(e.into()),
    };
    throttle.succeeded(client);
    // A new session id whatever the session held before (also when switching users).
    auth.session
        .cycle_id()
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    auth.login(&WebUser(user.clone()))
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    let csrf = renew_csrf(&auth.session).await?;
    Ok((user, csrf))
}

/// Where a user lands after logging in.
pub fn home(user: &User) -> &'static str {
    use haven_core::access::Role;
    match user.role {
        Role::CountryDelegation => "/referrals",
        Role::Administrator => "/admin/users",
        _ => "/dashboard",
    }
}

/// A layer for a group of routes: anonymous clients are sent to log in (401 on the API),
/// users whose role lacks `cap` get 403, before the request body is even read.
/// Handlers check the record's scope (404 outside it) themselves.
pub fn require(
    cap: Capability,
) -> axum::middleware::FromFnLayer<
    impl Fn(axum::extract::Request, axum::middleware::Next) -> Checked + Clone,
    (),
    (axum::extract::Request,),
> {
    axum::middleware::from_fn(move |req, next| Box::pin(check(cap, req, next)) as Checked)
}

/// The future of an access check.
pub type Checked =
    std::pin::Pin<Box<dyn std::future::Future<Output = axum::response::Response> + Send>>;

async fn check(
    cap: Capability,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let user = req.extensions().get::<Auth>().and_then(|a| a.user.clone());
    let err = match user {
        None => {
            let next_path = (req.method() == axum::http::Method::GET)
                .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
                .flatten();
            WebError::Unauthenticated(next_path)
        }
        Some(WebUser(u)) if u.can(cap) => return next.run(req).await,
        Some(_) => WebError::forbidden(),
    };
    if api {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: [u8; 4], forwarded: Option<&str>) -> Parts {
        let mut req = axum::http::Request::builder().uri("/login");
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let (mut parts, _) = req.body(()).expect("request").into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from((peer, 4000))));
        parts
    }

    #[test]
    fn forwarded_for_is_believed_from_the_trusted_proxy_only() {
        let proxy = Some(IpAddr::from([10, 0, 0, 1]));
        let client = IpAddr::from([203, 0, 113, 7]);
        let p = parts([10, 0, 0, 1], Some("198.51.100.1, 203.0.113.7"));
        assert_eq!(client_ip(&p, proxy), Some(client));
        let p = parts([192, 0, 2, 9], Some("203.0.113.7"));
        assert_eq!(client_ip(&p, proxy), Some(IpAddr::from([192, 0, 2, 9])));
        let p = parts([10, 0, 0, 1], None);
        assert_eq!(client_ip(&p, proxy), proxy);
        assert_eq!(
            client_ip(&parts([10, 0, 0, 1], Some("203.0.113.7")), None),
            proxy
        );
    }

    #[test]
    fn attempts_count_before_the_password_is_checked() {
        let t = Throttle::new(3);
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..3 {
            assert!(t.attempt(ip).is_ok());
        }
        assert!(t.attempt(ip).is_err());
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(t.attempt(other).is_ok());
        t.succeeded(other);
        assert!(t.attempt(other).is_ok());
    }
}
