//! Haven's web application: the pages caseworkers use every day and the JSON API under
//! `/api` (described at `/api/openapi.json`), over the same use cases as the command line.
//!
//! A thin edge: a handler parses the request, checks the user's role and scope, calls a
//! use case of `haven-app`, and renders. Sessions live in Haven's own database; every
//! state-changing request carries the session's CSRF token and comes from our own origin;
//! failed logins are throttled per client and lock the account after repeated failures.

mod api;
mod auth;
mod chart;
mod csrf;
mod error;
mod pages;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum_login::AuthManagerLayerBuilder;
use haven_app::App;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use auth::Backend;
pub use error::WebError;
pub use session::DbSessionStore;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (send it over HTTPS only). Off only for plain
    /// HTTP on loopback, as in the demo.
    pub secure_cookies: bool,
    /// Failed logins from one client address within ten minutes before it must wait.
    pub failed_logins_per_client: usize,
    /// The reverse proxy in front of Haven, whose `X-Forwarded-For` names the client.
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            failed_logins_per_client: 20,
            trusted_proxy: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub throttle: Arc<auth::Throttle>,
    pub trusted_proxy: Option<std::net::IpAddr>,
}

/// The whole application as a router (tests drive it without a socket).
pub fn router(app: App, config: &WebConfig) -> Router {
    let state = AppState {
        app: app.clone(),
        throttle: Arc::new(auth::Throttle::new(config.failed_logins_per_client)),
        trusted_proxy: config.trusted_proxy,
    };
    let sessions = SessionManagerLayer::new(DbSessionStore::new(app.store.clone()))
        .with_name("haven_session")
        .with_secure(config.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let auth = AuthManagerLayerBuilder::new(Backend::new(app), sessions).build();
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(csrf::guard))
        .layer(auth)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// Runs a use case that computes for long — the optimiser, argon2 — without holding up
/// the other requests: on the multi-threaded runtime, tokio hands this worker's other
/// tasks to another worker while it computes.
pub(crate) async fn heavy<F: std::future::Future>(f: F) -> F::Output {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| h.block_on(f))
        }
        _ => f.await,
    }
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(app: App, addr: SocketAddr, config: &WebConfig) -> std::io::Result<()> {
    let store = app.store.clone();
    tokio::spawn(session::expire_periodically(store));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let router = router(app, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Binds `addr` and serves in the background; returns the bound address (tests use
/// port 0).
pub async fn spawn(app: App, addr: SocketAddr, config: &WebConfig) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let router = router(app, config);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok(bound)
}
