//! Errors at the web edge, mapped once: from a use case's [`AppError`] to a status code,
//! a stable code and a human message; rendered as an HTML page for the pages and as JSON
//! for the API.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use haven_app::{AppError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not logged in; carries the path to come back to after logging in.
    #[error("log in first")]
    Unauthenticated(Option<String>),
    /// Wrong credentials or a locked account.
    #[error("{0}")]
    LoginFailed(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{} problem(s) found; nothing was written", .0.len())]
    Invalid(Vec<Problem>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Csrf(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Internal(String),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(p) => WebError::Invalid(p),
            AppError::NotFound(m) => WebError::NotFound(m),
            AppError::Refused(m) => WebError::Refused(m),
            AppError::Io(m) => WebError::Internal(m),
            AppError::Store(e) => {
                tracing::error!("store: {e}");
                WebError::Internal("the database failed; nothing was written".into())
            }
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated(_) | WebError::LoginFailed(_) => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Csrf(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) | WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated(_) => "unauthenticated",
            WebError::LoginFailed(_) => "login_failed",
            WebError::Forbidden(_) => "forbidden",
            WebError::NotFound(_) => "not_found",
            WebError::Invalid(_) => "invalid",
            WebError::Refused(_) => "refused",
            WebError::BadRequest(_) => "bad_request",
            WebError::Csrf(_) => "csrf",
            WebError::TooManyRequests(_) => "too_many_requests",
            WebError::Internal(_) => "internal",
        }
    }

    pub fn forbidden() -> Self {
        WebError::Forbidden("your role does not allow this".into())
    }

    fn problems(&self) -> &[Problem] {
        match self {
            WebError::Invalid(p) => p,
            _ => &[],
        }
    }
}

/// The body of every API error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable: unauthenticated, login_failed, forbidden, not_found, invalid, refused, bad_request,
    /// csrf, too_many_requests, internal.
    pub code: String,
    pub message: String,
    /// For `invalid`: each field with its problem, as `FILE:LINE: field: message (value)`.
    pub problems: Vec<String>,
}

/// An error answered as JSON (the API).
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = ErrorBody {
            code: e.code().into(),
            message: e.to_string(),
            problems: e.problems().iter().map(ToString::to_string).collect(),
        };
        (e.status(), Json(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    problems: Vec<String>,
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if let WebError::Unauthenticated(next) = &e {
            let to = match next {
                Some(n) => format!("/login?next={}", urlencode(n)),
                None => "/login".into(),
            };
            return Redirect::to(&to).into_response();
        }
        let status = e.status();
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message: e.to_string(),
            problems: e.problems().iter().map(ToString::to_string).collect(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, e.to_string()).into_response(),
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Json<T>` whose rejection (malformed JSON, a missing field, a wrong content type) is
/// an API error like any other: 400 with an [`ErrorBody`], not axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError(WebError::BadRequest(e.body_text()))),
        }
    }
}

/// `Query<T>` whose rejection is a 400 [`ErrorBody`].
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError(WebError::BadRequest(e.body_text()))),
        }
    }
}

/// What an unknown path answers: JSON under `/api`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let e = WebError::NotFound(format!("nothing at {}", uri.path()));
    if uri.path().starts_with("/api/") {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}
