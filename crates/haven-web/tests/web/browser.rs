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

    /// The text of the element `css`. A click may start a navigation that replaces the
    /// page between finding the element and reading it (a stale element): then it is
    /// found again.
    pub async fn text(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            let e = self
                .c
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("find {css}: {e}"));
            match e.text().await {
                Ok(t) => return t,
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("text of {css}: {last}");
    }

    /// Waits (up to five seconds) until the text of `css` is `expected` — the page after a
    /// submitted form may not have replaced the one before yet — and says what it is.
    pub async fn text_becomes(&self, css: &str, expected: &str) -> String {
        let mut now = self.text(css).await;
        for _ in 0..50 {
            if now == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            now = self.text(css).await;
        }
        now
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
    // On a tablet, the page fits its width (wide tables scroll inside their cards).
    b.c.set_window_size(820, 1180).await.expect("tablet size");
    b.open("/dashboard").await;
    let overflow =
        b.c.execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .expect("script");
    assert!(
        overflow.as_i64().is_some_and(|o| o <= 0),
        "the dashboard overflows a tablet by {overflow}px"
    );
    b.screenshot("dashboard-tablet").await;
    b.c.set_window_size(1280, 1000).await.expect("laptop size");
    b.open("/people/P-000001").await;
    assert!(b.c.source().await.expect("source").contains("403"));
    b.logout().await;

    // Monitor, still: sites against standards and the pledges, aggregates only.
    b.login("monitor").await;
    b.open("/sites").await;
    b.screenshot("sites").await;
    b.open("/pledges").await;
    b.screenshot("pledges").await;
    b.logout().await;

    // Registration officer: finds a person by name, then registers a household at the
    // closing camp.
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
    b.open("/register").await;
    b.c.find(Locator::Css("select[name=site_id] option[value=S-CAMP]"))
        .await
        .expect("the closing camp")
        .click()
        .await
        .expect("choose the site");
    for (field, value) in [
        ("m1.given_name_latin", "Reza"),
        ("m1.family_name_latin", "Karimi"),
        ("m1.given_name_original", "رضا"),
        ("m1.family_name_original", "کریمی"),
        ("m1.date_of_birth", "1980-05-10"),
        ("m1.nationality", "IRN"),
        ("m1.languages", "fas"),
        ("m2.given_name_latin", "Sara"),
        ("m2.family_name_latin", "Karimi"),
        ("m2.given_name_original", "سارا"),
        ("m2.family_name_original", "کریمی"),
        ("m2.date_of_birth", "2015"),
        ("m2.nationality", "IRN"),
        ("m2.languages", "fas"),
    ] {
        b.fill(&format!("input[name='{field}']"), value).await;
    }
    for (select, option) in [
        ("m1.sex", "M"),
        ("m2.sex", "F"),
        ("m2.relationship", "child"),
    ] {
        let options =
            b.c.find_all(Locator::Css(&format!("select[name='{select}'] option")))
                .await
                .expect("options");
        let mut chosen = false;
        for o in options {
            if o.text().await.expect("text").trim() == option {
                o.click().await.expect("choose");
                chosen = true;
            }
        }
        assert!(chosen, "{select}: {option}");
    }
    b.screenshot("register").await;
    b.click("#register button[type=submit]").await;
    for _ in 0..50 {
        if b.path().await.starts_with("/households/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let household = b
        .path()
        .await
        .trim_start_matches("/households/")
        .to_string();
    assert!(household.starts_with("H-"), "registered: {household}");
    assert!(b.text("#members").await.contains("سارا"));
    b.screenshot("household").await;
    b.logout().await;
    let members = t
        .app
        .household(&household)
        .await
        .expect("household")
        .members;
    assert_eq!(members.len(), 2);
    let reza = members[0].person.person_id.clone();

    // Site manager: plans the move of the new household, departs and receives its convoy.
    b.login("sites").await;
    b.open("/convoys").await;
    b.click("#plan button[type=submit]").await;
    let convoy = {
        let mut found = None;
        for _ in 0..50 {
            let p = t.app.person(&reza).await.expect("person");
            if let Some((c, _, _)) = p.convoys.first() {
                found = Some(c.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found.expect("the new household is on a planned convoy")
    };
    b.open(&format!("/convoys/{convoy}")).await;
    b.screenshot("convoy-planned").await;
    b.click("#depart button[type=submit]").await;
    b.c.find(Locator::Css("#arrive button[type=submit]"))
        .await
        .expect("the arrival check-in")
        .click()
        .await
        .expect("record the arrival");
    b.c.find(Locator::XPath("//*[contains(text(), 'arrived')]"))
        .await
        .expect("the convoy has arrived");
    b.screenshot("convoy-arrived").await;
    b.logout().await;
    let place = t
        .app
        .person(&reza)
        .await
        .expect("person")
        .record
        .place
        .to_string();
    assert!(
        place.starts_with("unit:"),
        "received into a shelter unit: {place}"
    );

    // RSD officer: registers as an officer, then schedules, hears and decides a claim.
    let pending = t
        .app
        .rsd_statuses()
        .await
        .expect("claims")
        .into_iter()
        .find(|c| c.stage == "pending")
        .expect("a pending claim")
        .household_id;
    b.login("rsd").await;
    b.open("/rsd").await;
    b.fill("input[name=languages]", "fas,ckb,eng,ara,prs,pus")
        .await;
    b.click("form[action='/rsd/staff'] button").await;
    b.c.find(Locator::Css("#by-stage"))
        .await
        .expect("the queue");
    b.screenshot("rsd-queue").await;
    b.open(&format!("/rsd/{pending}")).await;
    b.click("#schedule button[type=submit]").await;
    b.click("#interview button[type=submit]").await;
    b.click("#decide input[value=recognised]").await;
    b.fill(
        "#decide textarea[name=reasons]",
        "A well-founded fear of persecution, consistent and credible.",
    )
    .await;
    b.click("#decide button[type=submit]").await;
    assert_eq!(b.text_becomes("#outcome", "recognised").await, "recognised");
    b.screenshot("rsd-claim").await;
    b.logout().await;

    // Resettlement officer: runs the optimiser, reviews and approves the run; verifies a
    // voluntary return counselled by another officer.
    b.login("resettlement").await;
    b.open("/placement").await;
    b.click("#new-run button[type=submit]").await;
    b.c.find(Locator::Css("#shadow-prices"))
        .await
        .expect("shadow prices");
    b.screenshot("placement-run").await;
    b.click("#approve button[type=submit]").await;
    b.c.find(Locator::XPath(
        "//td[@id='status'][contains(., 'approved')]",
    ))
    .await
    .expect("the run is approved");
    let returning = t
        .app
        .voluntary_returns()
        .await
        .expect("returns")
        .into_iter()
        .find(|r| r.stage.key() == "consent_signed")
        .expect("a return awaiting verification")
        .person_id;
    b.open("/returns").await;
    b.click(&format!(
        "#case-{returning} form input[value=verify] ~ button"
    ))
    .await;
    b.c.find(Locator::XPath(&format!(
        "//tr[@id='case-{returning}'][contains(., 'verified')]"
    )))
    .await
    .expect("the return is verified");
    b.screenshot("returns").await;
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
    assert_eq!(b.text_becomes("#status", "accepted").await, "accepted");
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
