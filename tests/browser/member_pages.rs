//! A member signs in on two partners' pages (the demo's brands): logo, colours and the name of
//! the points differ, the network balance is the same; a one-time code is created from the
//! page and shown with its countdown. Every page visited, branded and not, in French and in
//! English, passes axe-core with no serious or critical violation; screenshots at 360 and
//! 1280 px wide are saved.

use std::collections::HashMap;
use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::helpers::{sale, spawn_app_with, Backend, TestApp};
use crate::{axe, driver};

/// The browser, the server's address, and what the visits found.
struct Visit<'a> {
    client: &'a Client,
    address: String,
    violations: Vec<String>,
    /// Screenshot names start with the backend's name.
    prefix: &'static str,
}

impl Visit<'_> {
    /// Opens a page and runs the accessibility check on it.
    async fn open(&mut self, path: &str, name: &str) {
        self.client
            .goto(&format!("{}{path}", self.address))
            .await
            .expect("goto");
        self.check(name).await;
    }

    /// Runs the accessibility check on the page shown.
    async fn check(&mut self, name: &str) {
        let found = axe::violations(self.client, name).await;
        self.violations.extend(found);
    }

    /// Saves the page at phone and desktop widths.
    async fn shoot(&self, name: &str) {
        let dir = driver::screenshot_dir();
        for width in [360, 1280] {
            self.client
                .set_window_size(width, 900)
                .await
                .expect("resize");
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(dir.join(format!("{}-{name}-{width}.png", self.prefix)), png)
                .expect("save");
        }
        self.client
            .set_window_size(1280, 900)
            .await
            .expect("resize");
    }

    async fn text(&self, css: &str) -> String {
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        element.text().await.expect("text")
    }

    async fn script(&self, js: &str) -> String {
        let value = self.client.execute(js, Vec::new()).await.expect("script");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Signs in through the page's form and lands on the account.
    async fn sign_in(&mut self, base: &str, email: &str, password: &str, name: &str) {
        self.open(&format!("{base}/sign-in"), name).await;
        let c = self.client;
        c.find(Locator::Css("#email"))
            .await
            .expect("email")
            .send_keys(email)
            .await
            .expect("type");
        c.find(Locator::Css("#password"))
            .await
            .expect("password")
            .send_keys(password)
            .await
            .expect("type");
        c.find(Locator::Css("main form button[type=submit]"))
            .await
            .expect("button")
            .click()
            .await
            .expect("submit");
        self.text("#balance-available").await;
        let url = c.current_url().await.expect("url");
        assert!(url.path().ends_with("/account"), "{url}");
    }

    async fn sign_out(&self) {
        self.client
            .find(Locator::Css("header form button"))
            .await
            .expect("sign-out button")
            .click()
            .await
            .expect("sign out");
        self.text(".hero h1").await;
    }

    /// What the account page shows of the brand and the balance.
    async fn account_view(&self) -> AccountView {
        AccountView {
            available: self.text("#balance-available").await,
            pending: self.text("#balance-pending").await,
            label: self.text(".points-label").await,
            logo: self
                .script("return document.querySelector('header img.logo').getAttribute('src')")
                .await,
            header_colour: self
                .script("return getComputedStyle(document.querySelector('.site-header')).backgroundColor")
                .await,
            expiring_rows: self
                .script("return String(document.querySelectorAll('[aria-labelledby=expiring-heading] tbody tr').length)")
                .await,
            button_colour: self
                .script("return getComputedStyle(document.querySelector('#create-code')).backgroundColor")
                .await,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct AccountView {
    available: String,
    pending: String,
    label: String,
    logo: String,
    header_colour: String,
    button_colour: String,
    expiring_rows: String,
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The demo network, seeded as `serve --demo` does, with points for Alice: available at the
/// coffee shop (its return window is a day, and two days pass), pending at the bookshop.
async fn seed_demo(app: &TestApp) -> HashMap<String, String> {
    let env = app
        .state
        .run(|conn, s| loyalty_server::demo::seed(conn, s, "127.0.0.1:0"))
        .await
        .expect("demo seed");
    let vars: HashMap<String, String> = env
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let partner = |name: &str| {
        partner_sdk::Client::new(
            &app.address,
            &vars[&format!("{name}_KEY_ID")],
            &vars[&format!("{name}_SECRET")],
        )
        .expect("client")
    };
    let alice = &vars["ALICE"];
    partner("COFFEE")
        .earn(&sale(alice, "LATTE-1", 2_350))
        .await
        .expect("earn");
    app.advance_days(2);
    partner("BOOKS")
        .earn(&sale(alice, "NOVEL-1", 1_990))
        .await
        .expect("earn");
    vars
}

async fn scenario(backend: Backend) {
    let Some(driver) = driver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let vars = seed_demo(&app).await;
    let mut visit = Visit {
        client: &driver.client,
        address: app.address.clone(),
        violations: Vec::new(),
        prefix: match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
    };
    network_pages(&mut visit).await;
    let books = "/p/page-and-quill";
    let coffee = "/p/bean-there";
    // The bookshop's pages in French.
    visit
        .open(&format!("{books}/?lang=fr"), "books home fr")
        .await;
    visit.shoot("books-home-fr").await;
    let password = &vars["DEMO_PASSWORD"];
    visit
        .sign_in(books, "alice@example.com", password, "books sign-in fr")
        .await;
    visit.check("books account fr").await;
    visit.shoot("books-account-fr").await;
    let at_books = visit.account_view().await;
    // The bookshop runs no program of its own, and never shows the coffee shop's stamps.
    assert_eq!(
        visit
            .script("return String(document.querySelectorAll('.local-label').length)")
            .await,
        "0"
    );
    visit
        .open(&format!("{books}/rules"), "books rules fr")
        .await;
    visit.sign_out().await;
    // The coffee shop's pages in English.
    visit
        .open(&format!("{coffee}/?lang=en"), "coffee home en")
        .await;
    visit
        .sign_in(coffee, "alice@example.com", password, "coffee sign-in en")
        .await;
    visit.check("coffee account en").await;
    visit.shoot("coffee-account-en").await;
    let at_coffee = visit.account_view().await;
    // The coffee shop's own currency: 23 stamps for the 23.50 latte, spendable there only.
    assert_eq!(visit.text(".local-label").await, "stamps");
    assert_eq!(digits(&visit.text(".local-available").await), "23");
    visit
        .open(&format!("{coffee}/rules"), "coffee rules en")
        .await;
    compare(&at_books, &at_coffee);
    one_time_code(&mut visit, coffee).await;
    visit
        .open(
            &format!("{books}/account?lang=fr"),
            "books account fr again",
        )
        .await;
    assert_eq!(
        digits(&visit.text("#balance-available").await),
        digits(&at_coffee.available)
    );

    let internal = app
        .state
        .internal_errors
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        internal, 0,
        "the server answered {internal} internal errors"
    );
    assert!(
        visit.violations.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        visit.violations.join("\n")
    );
    driver
        .client
        .clone()
        .close()
        .await
        .expect("close the browser");
}

/// The network's own pages, in English and in French, and the 404 page.
async fn network_pages(visit: &mut Visit<'_>) {
    visit.open("/?lang=en", "network home en").await;
    visit.shoot("network-home-en").await;
    visit.open("/directory", "directory en").await;
    visit.shoot("directory-en").await;
    let partners = visit
        .script("return String(document.querySelectorAll('.partner').length)")
        .await;
    assert_eq!(partners, "3", "the three demo partners are listed");
    visit.open("/rules", "network rules en").await;
    visit.open("/sign-in", "network sign-in en").await;
    visit.open("/?lang=fr", "network home fr").await;
    assert_eq!(
        visit.script("return document.documentElement.lang").await,
        "fr-FR"
    );
    visit.open("/directory", "directory fr").await;
    visit.open("/p/nobody-here/", "404 fr").await;
    assert!(visit.text("h1").await.contains("introuvable"));
    // The check can fail: an image without a text alternative is a critical violation.
    visit
        .script(
            "document.querySelector('main').appendChild(document.createElement('img')); return ''",
        )
        .await;
    let found = axe::violations(visit.client, "planted").await;
    assert!(
        found.iter().any(|v| v.contains("image-alt")),
        "axe-core must report the planted image: {found:?}"
    );
}

/// Same member, same balance; another brand: its logo, colours and name for the points.
fn compare(at_books: &AccountView, at_coffee: &AccountView) {
    assert_eq!(
        (digits(&at_books.available), digits(&at_books.pending)),
        (digits(&at_coffee.available), digits(&at_coffee.pending)),
        "the network balance is the same under every brand"
    );
    assert_ne!(digits(&at_books.available), "0", "{at_books:?}");
    // Two lots, earned two days apart, expire 24 months later (the default policy).
    assert_eq!(
        (
            at_books.expiring_rows.as_str(),
            at_coffee.expiring_rows.as_str()
        ),
        ("2", "2")
    );
    assert_eq!(
        (at_books.label.as_str(), at_coffee.label.as_str()),
        ("marque-pages", "beans")
    );
    assert_ne!(at_books.logo, at_coffee.logo);
    assert_eq!(at_books.header_colour, "rgb(27, 58, 92)");
    assert_eq!(at_coffee.header_colour, "rgb(91, 52, 28)");
    assert_ne!(at_books.button_colour, at_coffee.button_colour);
}

/// A code from the page: six digits, its expiry time, and the countdown the script starts.
async fn one_time_code(visit: &mut Visit<'_>, base: &str) {
    visit
        .open(&format!("{base}/account"), "coffee account before code")
        .await;
    visit
        .client
        .find(Locator::Css("#create-code"))
        .await
        .expect("code button")
        .click()
        .await
        .expect("create a code");
    let code = visit.text("#code").await;
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code:?}"
    );
    assert!(!visit.text("#code-expires").await.is_empty());
    let countdown = visit.text("#countdown-value").await;
    let (minutes, seconds) = countdown.split_once(':').expect("m:ss");
    assert!(
        minutes.parse::<u32>().is_ok() && seconds.len() == 2,
        "{countdown:?}"
    );
    visit.check("coffee code en").await;
    visit.shoot("coffee-code-en").await;
    let url = visit.client.current_url().await.expect("url");
    assert!(url.path().ends_with(&format!("{base}/codes")), "{url}");
    assert!(base.starts_with("/p/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_sees_each_partners_brand_over_the_same_balance_sqlite() {
    scenario(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_sees_each_partners_brand_over_the_same_balance_postgres() {
    scenario(Backend::Postgres).await;
}
