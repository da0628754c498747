//! A small WebDriver client: headless Chromium driven by chromedriver over HTTP, for the
//! browser tests (tests/it/browser.rs, tests/it/serve.rs) and the transfer benchmark
//! (examples/browser_transfer.rs, which includes this file by path).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process with one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `None` (after a notice) when Chromium is not installed and `HINDSIGHT_SKIP_BROWSER`
    /// asks to skip; a failure when it is missing otherwise.
    pub fn start() -> Option<Browser> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            if std::env::var_os("HINDSIGHT_SKIP_BROWSER").is_none_or(|v| v != "1") {
                panic!(
                    "browser test needs {missing:?}: apt-get install chromium chromium-driver (.ci/run installs them), or set HINDSIGHT_SKIP_BROWSER=1 to skip the browser tests"
                );
            }
            eprintln!(
                "SKIPPED (HINDSIGHT_SKIP_BROWSER=1): browser test; {missing:?} not installed"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(status) = browser.request("GET", "/status", None)
                && status["value"]["ready"] == true
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}});
        let created = browser
            .request("POST", "/session", Some(&caps))
            .expect("create a browser session");
        browser.session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(browser)
    }

    /// One WebDriver call; returns the JSON body (errors as `Err` with the body).
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .and_then(|_| stream.write_all(body.as_bytes()))
            .map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open: read the headers, then Content-Length bytes.
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        let header_end = loop {
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed before the response headers".into());
            }
            raw.extend_from_slice(&buf[..n]);
        };
        let headers = String::from_utf8_lossy(&raw[..header_end]).to_string();
        let length = headers.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.trim().parse::<usize>().unwrap_or(0))
        });
        let mut body = raw[header_end..].to_vec();
        match length {
            Some(len) => {
                while body.len() < len {
                    let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&buf[..n]);
                }
            }
            None => {
                let _ = stream.read_to_end(&mut body);
            }
        }
        let rest = String::from_utf8_lossy(&body).to_string();
        let payload = if headers
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(&rest)
        } else {
            rest
        };
        let value: Value = serde_json::from_str(&payload).map_err(|e| format!("{e}: {payload}"))?;
        let ok = headers.starts_with("HTTP/1.1 200");
        if ok {
            Ok(value)
        } else {
            Err(value.to_string())
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = if method == "GET" { None } else { Some(&body) };
        self.request(method, &path, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))["value"]
            .clone()
    }

    pub fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    pub fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
    }

    pub fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    /// Wait until the result list shows `(title, href)` pairs and the status settled.
    pub fn results(&self, expect_first: Option<&str>) -> Vec<(String, String)> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.script(
                "return Array.from(document.querySelectorAll('#search-results a.search-title')).map(a => [a.textContent, a.getAttribute('href')]);",
                json!([]),
            );
            let list: Vec<(String, String)> = serde_json::from_value(v).unwrap();
            let done = match expect_first {
                Some(title) => list.first().is_some_and(|(t, _)| t == title),
                None => !list.is_empty(),
            };
            if done || Instant::now() > deadline {
                return list;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn status_text(&self) -> String {
        self.script(
            "return document.getElementById('search-status').textContent;",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.request("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}
