//! Test support: a fresh demo operation on either backend, served by the real router
//! (driven without a socket), and a client that keeps its session cookie and CSRF token.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use haven_app::{App, Ctx, NoProgress};
use haven_core::registry::SiteKind;
use haven_store::Store;
use tower::ServiceExt;

pub struct TestApp {
    pub app: App,
    pub router: Router,
    _dir: Option<tempfile::TempDir>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn postgres_url() -> String {
    match std::env::var("HAVEN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "HAVEN_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which starts PostgreSQL on loopback"
        ),
    }
}

pub fn config() -> haven_web::WebConfig {
    haven_web::WebConfig {
        secure_cookies: false,
        failed_logins_per_client: 20,
        trusted_proxy: None,
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("haven.db").display());
        Self::with(Store::open(&url).await.expect("open sqlite"), Some(dir)).await
    }

    pub async fn postgres() -> TestApp {
        let name = format!(
            "haven_w{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let url = haven_store::create_postgres_database(&postgres_url(), &name)
            .await
            .expect("create database");
        Self::with(Store::open(&url).await.expect("open postgres"), None).await
    }

    async fn with(store: Store, dir: Option<tempfile::TempDir>) -> TestApp {
        let mut app = App::new(store);
        app.now = Some("2026-11-29T12:00:00Z".into());
        let router = haven_web::router(app.clone(), &config());
        TestApp {
            app,
            router,
            _dir: dir,
        }
    }

    /// The demo operation (`people` residents) at its midpoint, with one user per role.
    pub async fn demo(people: usize) -> TestApp {
        Self::staged(Self::sqlite().await, people).await
    }

    pub async fn staged(t: TestApp, people: usize) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        haven_scenario::generate_camp_closure(
            &haven_scenario::ScenarioConfig::new(1, people),
            dir.path(),
        )
        .expect("scenario");
        let ctx = Ctx::new("test:setup");
        t.app
            .import_dir(&ctx, dir.path(), &mut NoProgress)
            .await
            .expect("import");
        let sites = t.app.store.sites().await.expect("sites");
        let of = |k: SiteKind| {
            sites
                .iter()
                .find(|s| s.site.kind == k)
                .map(|s| s.site.site_id.clone())
                .expect("site")
        };
        t.app
            .stage_demo(
                &ctx,
                &of(SiteKind::ClosingCamp),
                &of(SiteKind::TemporarySite),
            )
            .await
            .expect("stage demo");
        t.app.stage_demo_users(&ctx).await.expect("demo users");
        t
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            origin: None,
        }
    }

    /// A client logged in (through the API) as the demo user of `username`.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c
            .api_login(username, &format!("demo-{username}-password"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        c
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// An Origin header to send on every request (cross-site attempts).
    pub origin: Option<String>,
}

impl Client {
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: String,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, format!("haven_session={c}"));
        }
        if let Some(o) = &self.origin {
            req = req.header(header::ORIGIN, o.as_str());
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let resp = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        for sc in headers.get_all(header::SET_COOKIE) {
            let sc = sc.to_str().unwrap_or("");
            if let Some(rest) = sc.strip_prefix("haven_session=") {
                let value = rest.split(';').next().unwrap_or("");
                if value.is_empty() || sc.contains("Max-Age=0") {
                    self.cookie = None;
                } else {
                    self.cookie = Some(value.to_string());
                }
            }
        }
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_in(&body) {
            self.csrf = Some(t);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, String::new(), &[]).await
    }

    /// Posts a form, adding this session's CSRF token.
    pub async fn post_form(&mut self, path: &str, form: &str) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        let body = if form.is_empty() {
            format!("csrf={token}")
        } else {
            format!("{form}&csrf={token}")
        };
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body,
            &[],
        )
        .await
    }

    /// Posts JSON with the X-CSRF-Token header.
    pub async fn post_json(&mut self, path: &str, json: &str) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            json.to_string(),
            &[("x-csrf-token", token.as_str())],
        )
        .await
    }

    pub async fn api_login(&mut self, username: &str, password: &str) -> Reply {
        let r = self
            .send(
                Method::POST,
                "/api/login",
                Some("application/json"),
                serde_json::json!({"username": username, "password": password}).to_string(),
                &[],
            )
            .await;
        if r.status == StatusCode::OK {
            self.csrf = r.json()["csrf_token"].as_str().map(str::to_string);
        }
        r
    }

    /// Logs in through the login page, as a browser does.
    pub async fn page_login(&mut self, username: &str, password: &str) -> Reply {
        self.get("/login").await;
        let form = format!("username={username}&password={password}&next=");
        self.post_form("/login", &form).await
    }
}

/// The CSRF token of a page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = &html[i..];
    Some(rest[..rest.find('"')?].to_string())
}
