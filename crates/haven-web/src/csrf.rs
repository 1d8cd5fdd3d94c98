//! Cross-site request forgery: every state-changing request must come from our own
//! origin (the `Origin` or `Referer` header, when the browser sends one, names this host)
//! and carry the session's token, in the `csrf` form field or the `X-CSRF-Token` header.
//! Logging in is the one exception to the token (there is no session yet to hold one);
//! its origin is still checked, and the session cookie is `SameSite=Strict`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::auth::expected_csrf;
use crate::error::{ApiError, PageError, WebError};

/// The largest form body read to find its token.
const FORM_LIMIT: usize = 1 << 20;

pub const HEADER: &str = "x-csrf-token";

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match from {
        None => true,
        Some("null") => false,
        Some(url) => {
            let rest = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"))
                .unwrap_or("");
            let origin_host = rest.split('/').next().unwrap_or("");
            origin_host.eq_ignore_ascii_case(host)
        }
    }
}

fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn refuse(api: bool, message: &str) -> Response {
    let e = WebError::Csrf(message.into());
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

pub async fn guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    if !same_origin(req.headers()) {
        return refuse(api, "this request came from another site; nothing was done");
    }
    if path == "/login" || path == "/api/login" {
        return next.run(req).await;
    }
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return refuse(api, "no session");
    };
    let Some(expected) = expected_csrf(&session).await else {
        // No token issued: not logged in. Let the handler answer 401 / the login page.
        return next.run(req).await;
    };
    let header_token = req
        .headers()
        .get(HEADER)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    if let Some(t) = header_token {
        if equal(&t, &expected) {
            return next.run(req).await;
        }
        return refuse(
            api,
            "the CSRF token does not match this session; reload the page",
        );
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refuse(api, "the CSRF token is missing (X-CSRF-Token header)");
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return refuse(api, "the form is too large");
    };
    let token = form_urlencoded_value(&bytes, "csrf");
    if !token.as_deref().is_some_and(|t| equal(t, &expected)) {
        return refuse(
            api,
            "the form's CSRF token does not match this session; reload the page and try again",
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
