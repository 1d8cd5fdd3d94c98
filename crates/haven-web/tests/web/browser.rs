//! The pages in a real headless Chromium (Debian's chromium and chromium-driver, which
//! scripts/test.sh installs): each role logs in and does its main task end to end, and a
//! screenshot of each main page is saved under `target/tmp/screenshots/`.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::support::{TestApp, config};

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary(names: &[&str]) -> String {
    for n in names {
        for dir in ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin"] {
            let p = format!("{dir}/{n}");
            if std::path::Path::new(&p).exists() {
                return p;
            }
        }
    }
    panic!(
        "{} not found: run the suite with scripts/test.sh, which installs Debian's chromium and chromium-driver",
        names.join(" or ")
    )
}

async fn start_driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(find_binary(&["chromedriver"]))
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    // Owned at once, so that it is stopped on every path, a failed start included.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": find_binary(&["chromium", "chromium-browser"]),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en"]
        }),
    );
    let c = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    // Elements are waited for (a click may start a navigation that has not finished).
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        None,
        Some(Duration::from_secs(30)),
        Some(Duration::from_secs(5)),
    ))
    .await
    .expect("timeouts");
    c
}

pub struct Browser {
    pub c: Client,
    pub base: String,
}

impl Browser {
    pub async fn open(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Waits (up to five seconds) until the browser is at `expected`, and says where it is.
    pub async fn at(&self, expected: &str) -> String {
        let mut now = self.path().await;
        for _ in 0..50 {
            if now == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            now = self.path().await;
        }
        now
    }

    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.expect("url");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self
            .c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        e.clear().await.ok();
        e.send_keys(value).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn login(&self, username: &str) {
        self.open("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", &format!("demo-{username}-password"))
            .await;
        self.click("#login button[type=submit]").await;
        let who = self.text("#whoami").await;
        assert!(who.contains(" · "), "logged in as {username}: {who}");
    }

    pub async fn logout(&self) {
        // From wherever we are (an error page has no menu): home, then log out.
        self.open("/").await;
        self.click("header form[action='/logout'] button").await;
        assert_eq!(self.at("/login").await, "/login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_does_its_main_task_in_chromium() {
    let t = TestApp::demo(600).await;
    let addr = haven_web::spawn(
        t.app.clone(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        &config(),
    )
    .await
    .expect("serve");
    let driver = start_driver().await;
    let b = Browser {
        c: browser(&driver).await,
        base: format!("http://{addr}"),
    };

    // Anonymous: sent to log in; a wrong password is refused with a message.
    b.open("/dashboard").await;
    assert_eq!(
        b.at("/login?next=/dashboard").await,
        "/login?next=/dashboard"
    );
    b.fill("input[name=username]", "monitor").await;
    b.fill("input[name=password]", "not the password").await;
    b.click("#login button[type=submit]").await;
    assert!(
        b.text("#error-message")
            .await
            .contains("wrong username or password")
    );
    b.screenshot("login").await;

    // Monitor: the dashboard, aggregates only.
    b.login("monitor").await;
    assert_eq!(b.at("/dashboard").await, "/dashboard");
    assert!(
        b.c.find(Locator::Css("svg.chart")).await.is_ok(),
        "the funnel chart"
    );
    b.screenshot("dashboard").await;
    b.open("/people/P-000001").await;
    assert!(b.c.source().await.expect("source").contains("403"));
    b.logout().await;

    // Registration officer: finds a person by name and opens the record.
    b.login("registration").await;
    b.open("/search").await;
    b.fill("input[name=q]", "Mohammad").await;
    b.click("main form button[type=submit]").await;
    b.screenshot("search").await;
    b.click("#hits tr:nth-child(2) td a").await;
    assert!(b.path().await.starts_with("/people/P-"));
    let rtl =
        b.c.execute(
            "return getComputedStyle(document.querySelector('bdi[lang=fa]')).direction;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        rtl, "rtl",
        "a Persian-script name is laid out right to left"
    );
    b.screenshot("person").await;
    b.logout().await;

    // Country delegation: records its country's decision on a referral.
    let own = t
        .app
        .referrals()
        .await
        .expect("referrals")
        .into_iter()
        .find(|r| r.country == "CAN" && r.status == "submitted")
        .expect("a submitted referral to CAN");
    b.login("delegation").await;
    assert_eq!(b.at("/referrals").await, "/referrals");
    b.screenshot("referrals").await;
    b.open(&format!("/referrals/{}", own.referral_id)).await;
    b.fill("#accept input[name=departure_date]", "02/01/2027")
        .await;
    b.click("#accept button").await;
    assert_eq!(b.text("#status").await, "accepted");
    b.screenshot("referral").await;
    b.logout().await;

    // Administrator: verifies the audit chain and sees the delegation's decision in it.
    b.login("admin").await;
    b.screenshot("admin-users").await;
    b.open("/admin/audit?actor=delegation").await;
    assert!(b.text("#audit").await.contains("referral.accept"));
    b.click("button[name=verify]").await;
    assert!(b.text("#verified").await.contains("verifies"));
    b.screenshot("audit").await;
    b.logout().await;

    b.c.clone().close().await.ok();
    let accepted = t.app.referrals().await.expect("referrals");
    let r = accepted
        .iter()
        .find(|r| r.referral_id == own.referral_id)
        .expect("the referral");
    assert_eq!(r.status, "accepted");
    assert_eq!(r.departure_date.as_deref(), Some("2027-02-01"));
}
