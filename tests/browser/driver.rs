//! chromedriver on a free port, and a WebDriver session of headless chromium through it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// A chromedriver process and its session; the process is ended when this is dropped.
pub struct Driver {
    child: Child,
    /// The browser.
    pub client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Starts chromedriver and a headless chromium session; None (after a loud message) when
/// either is missing outside CI.
pub async fn start() -> Option<Driver> {
    let chromedriver = binary("CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = binary("CHROMIUM", "/usr/bin/chromium");
    for (what, path) in [("chromedriver", &chromedriver), ("chromium", &chromium)] {
        if !path.exists() {
            let message = format!(
                "{what} is missing at {} (apt-get install chromium chromium-driver, or set {})",
                path.display(),
                what.to_uppercase()
            );
            assert!(!in_ci(), "CI: {message}");
            eprintln!("\n!!!!!!!!!!\n!!! SKIPPING the browser tests: {message}.\n!!!!!!!!!!\n");
            return None;
        }
    }
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"],
            "prefs": {"intl.accept_languages": "en-GB,en"}
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("an object")
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&url)
        .await
        .expect("WebDriver session");
    Some(Driver { child, client })
}

/// Where the screenshots go: `<target dir>/browser-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map_or_else(|| tmp.clone(), |p| p.to_path_buf())
        .join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}
