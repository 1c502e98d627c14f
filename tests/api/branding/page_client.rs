//! A client that keeps the member pages' cookies as a browser would (by hand: redirects are
//! not followed, so each answer is seen), for the HTTP-level tests of the pages.

use std::collections::HashMap;

use reqwest::header::HeaderMap;

use crate::helpers::TestApp;

/// The password of the members `TestApp::member` signs up.
pub const PASSWORD: &str = "correct horse battery";

/// What a browser keeps: the pages' cookies, set by hand (redirects are not followed).
pub struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            app,
            http,
            cookies: HashMap::new(),
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let res = req.header("Cookie", cookie).send().await.unwrap();
        for set in res.headers().get_all("set-cookie") {
            let text = set.to_str().unwrap();
            let (name, value) = text.split(';').next().unwrap().split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = self.http.get(format!("{}{path}", self.app.address));
        self.send(req).await
    }

    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.app.address))
            .form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req).await
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("csrf").cloned().unwrap_or_default()
    }

    pub async fn sign_in(&mut self, base: &str, email: &str) -> Answer {
        self.get(&format!("{base}/sign-in")).await;
        let csrf = self.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ];
        self.post(&format!("{base}/sign-in"), &form, &[]).await
    }
}
