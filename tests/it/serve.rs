//! `hindsight serve`: a real server on an ephemeral port, fetched over plain TCP.
//!
//! Every wait is a bounded poll (up to `PATIENCE`, every 50 ms); nothing asserts on time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{bin, fixture_copy};

const PATIENCE: Duration = Duration::from_secs(10);

/// A running `hindsight serve`, killed when dropped (also when a test fails).
struct Server {
    child: Child,
    address: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--port", "0", "--as-of", "2025-12-01", "--root"])
            .arg(root)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("SOURCE_DATE_EPOCH")
            .spawn()
            .expect("start hindsight serve");
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
            stderr,
        };
        // The first build runs before the address is printed; debug builds are slower.
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no address printed; stderr:\n{}", server.log()));
        let address = line
            .strip_prefix("serving http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line `{line}`"));
        assert!(
            address.starts_with("127.0.0.1:"),
            "loopback by default: {address}"
        );
        assert!(
            !address.ends_with(":0"),
            "the real port is printed: {address}"
        );
        server.address = address.to_string();
        server
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Reply {
        request(&self.address, "GET", path)
    }

    /// Poll `path` until `ok` holds for the reply, or fail with what was last seen.
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let reply = self.get(path);
            if ok(&reply) {
                return reply;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path}: {what} never happened; last reply {} {}\nserver log:\n{}",
                    reply.status,
                    reply.text(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 client: one request per connection, read until the server closes.
fn request(address: &str, method: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read reply");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line `{status_line}`"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// An open event stream and what it has received so far.
struct Events {
    stream: TcpStream,
    received: String,
}

impl Events {
    fn open(address: &str) -> Events {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        write!(
            stream,
            "GET /__hindsight/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            stream,
            received: String::new(),
        };
        events.wait_for("event: hello", 1);
        assert!(
            events
                .received
                .starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"),
            "{}",
            events.received
        );
        events
    }

    /// Read until `needle` has appeared `count` times in total.
    fn wait_for(&mut self, needle: &str, count: usize) {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        while self.received.matches(needle).count() < count {
            assert!(
                Instant::now() < deadline,
                "never received {count}× `{needle}`; got:\n{}",
                self.received
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("event stream closed; got:\n{}", self.received),
                Ok(n) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
    }
}

const PAGE: &str = "/incidents/2025-06-14-cert-expiry/";

#[test]
fn serve_answers_with_content_types_the_404_page_and_refuses_traversal() {
    let site = fixture_copy("serve");
    let server = Server::start(site.path(), &[]);

    let page = server.get(PAGE);
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.text()
            .contains("Expired certificate on the payments edge"),
        "{}",
        page.text()
    );
    assert!(
        page.text().contains("<script data-hindsight-reload "),
        "serve injects the reload script"
    );
    assert!(
        page.text()
            .contains("new EventSource(\"/__hindsight/events\")")
    );
    assert!(
        !page.text().contains("hindsight-overlay"),
        "no overlay without errors"
    );

    let same = server.get("/incidents/2025-06-14-cert-expiry/index.html");
    assert_eq!(same.body, page.body, "/dir/ serves /dir/index.html");
    let bare = server.get("/incidents/2025-06-14-cert-expiry");
    assert_eq!(
        (bare.status, bare.header("Location")),
        (301, Some(PAGE)),
        "a folder without its slash redirects"
    );
    let encoded = server.get("/incidents/2025-06-14-cert%2Dexpiry/index.html");
    assert_eq!(encoded.body, page.body, "percent-encoding is decoded");

    let css = server.get("/static/style.css");
    assert_eq!(
        (css.status, css.header("Content-Type")),
        (200, Some("text/css; charset=utf-8"))
    );
    assert!(
        !css.text().contains("EventSource"),
        "only HTML gets the script"
    );

    let head = request(&server.address, "HEAD", PAGE);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("Content-Length"),
        Some(page.body.len().to_string().as_str())
    );

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    // The site's own 404 page, as `build` publishes it (plus the reload script).
    let built = fixture_copy("serve");
    let (code, _, stderr) = crate::util::run(built.path(), &["build", "--as-of", "2025-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    let published = std::fs::read_to_string(built.path().join("public/404.html")).unwrap();
    let before_body_end = &published[..published.rfind("</body>").unwrap()];
    assert!(
        missing.text().starts_with(before_body_end),
        "served 404:\n{}\npublished:\n{published}",
        missing.text()
    );

    // Serve renders what build publishes: every published file is served with the same
    // bytes (HTML pages plus the reload script only).
    assert_serves_what_build_publishes(&server, built.path());

    for attempt in [
        "/../Cargo.toml",
        "/%2e%2e/site.toml",
        "/..%2f..%2fetc/passwd",
        "/%2e%2e%5csite.toml",
        "/static/..%2f..%2fsite.toml",
        "//etc/passwd",
    ] {
        let reply = server.get(attempt);
        assert!(
            matches!(reply.status, 403 | 404),
            "{attempt} gave {}",
            reply.status
        );
        assert!(
            !reply.text().contains("severities"),
            "{attempt} leaked site.toml"
        );
        assert!(
            !reply.text().contains("root:"),
            "{attempt} leaked /etc/passwd"
        );
    }
    let post = request(&server.address, "POST", PAGE);
    assert_eq!(
        (post.status, post.header("Allow")),
        (405, Some("GET, HEAD"))
    );
}

#[test]
fn build_output_never_contains_the_reload_script() {
    let site = fixture_copy("serve");
    let (code, _, stderr) = crate::util::run(site.path(), &["build", "--as-of", "2025-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(site.path().join("public")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            pages += usize::from(entry.path().extension().is_some_and(|e| e == "html"));
            assert!(
                !text.contains("__hindsight") && !text.contains("data-hindsight-reload"),
                "{} has the reload script",
                entry.path().display()
            );
        }
    }
    assert!(
        pages >= 3,
        "the build published the incident pages and the 404 page ({pages} HTML files)"
    );
}

#[test]
fn serve_watch_rebuilds_on_edit_add_delete_and_overlays_errors() {
    let site = fixture_copy("serve");
    let content = site.path().join("content");
    let server = Server::start(site.path(), &["--watch"]);
    let mut events = Events::open(&server.address);

    // Edit a title: the page changes and a reload event arrives.
    let post = retitle_cert_expiry(&content);
    server.wait_for(PAGE, "the new title", |r| {
        r.text().contains("Payments edge certificate lapsed")
    });
    events.wait_for("event: reload", 1);
    assert!(
        server
            .get("/incidents/2025-03-02-cache-stampede/")
            .text()
            .contains("Cache stampede after deploy"),
        "other pages still served"
    );

    // Add a post-mortem, saved the way editors do: a temporary file renamed into place.
    let added = "/incidents/2025-09-09-queue-backlog/";
    let temporary = content.join(".2025-09-09-queue-backlog.md.tmp");
    std::fs::write(
        &temporary,
        "---\ntitle: Queue backlog after a consumer crash\ndate: 2025-09-09\nseverity: SEV3\nstatus: final\n---\n# Post-Mortem: Queue backlog after a consumer crash\n\nThe consumer crashed and the backlog grew for an hour.\n",
    )
    .unwrap();
    std::fs::rename(&temporary, content.join("2025-09-09-queue-backlog.md")).unwrap();
    server.wait_for(added, "the added page", |r| {
        r.status == 200 && r.text().contains("Queue backlog after a consumer crash")
    });
    events.wait_for("event: reload", 2);

    // Delete it: 404 again.
    std::fs::remove_file(content.join("2025-09-09-queue-backlog.md")).unwrap();
    server.wait_for(added, "a 404 after deletion", |r| r.status == 404);
    events.wait_for("event: reload", 3);

    // Break the front matter: the last good page stays, under an overlay naming the file
    // and line of the error.
    let good = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        good.replace("severity: SEV1", "severity: SEV1: oops"),
    )
    .unwrap();
    let broken = server.wait_for(PAGE, "the overlay", |r| {
        r.text().contains("id=\"hindsight-overlay\"")
    });
    assert_eq!(broken.status, 200);
    assert!(
        broken.text().contains("Payments edge certificate lapsed"),
        "the last good content is still served"
    );
    assert!(
        broken
            .text()
            .contains("content/2025-06-14-cert-expiry.md:4:"),
        "overlay names path:line: {}",
        broken.text()
    );
    let other = server.get("/incidents/2025-03-02-cache-stampede/");
    assert!(
        other.text().contains("id=\"hindsight-overlay\""),
        "every page shows the overlay"
    );
    events.wait_for("event: reload", 4);

    // Fix it: the overlay goes away.
    std::fs::write(
        &post,
        good.replace(
            "title: Payments edge certificate lapsed",
            "title: Payments edge certificate renewed late",
        ),
    )
    .unwrap();
    let fixed = server.wait_for(PAGE, "the overlay to go", |r| {
        !r.text().contains("hindsight-overlay")
    });
    assert!(
        fixed
            .text()
            .contains("Payments edge certificate renewed late"),
        "{}",
        fixed.text()
    );
    events.wait_for("event: reload", 5);

    // After all these saves, the served site is what a full build publishes.
    assert_serves_what_build_publishes(&server, site.path());
}

/// Every file `build` publishes for the site at `root` is served with the same bytes
/// (HTML pages plus the reload script only), once the server has caught up.
fn assert_serves_what_build_publishes(server: &Server, root: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while server
        .get("/__hindsight/status")
        .text()
        .contains("\"analysing\":true")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the analysis never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (code, _, stderr) = crate::util::run(root, &["build", "--as-of", "2025-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    let public = root.join("public");
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.file_name() == "404.html" {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let published = std::fs::read(entry.path()).unwrap();
        let served = server.get(&format!("/{rel}"));
        assert_eq!(served.status, 200, "{rel}");
        if rel.ends_with(".html") {
            let text = served.text();
            let start = text
                .rfind("<script data-hindsight-reload")
                .unwrap_or_else(|| panic!("{rel} has no reload script"));
            let end = start + text[start..].find("</script>").unwrap() + "</script>".len();
            assert_eq!(
                format!("{}{}", &text[..start], &text[end..]).as_bytes(),
                &published[..],
                "{rel} differs from build"
            );
        } else {
            assert!(served.body == published, "{rel} differs from build");
        }
        compared += 1;
    }
    assert!(compared > 10, "only {compared} files compared");
}

/// In a real browser: a save reloads the pages it changed and leaves the others alone
/// (each page compares its fingerprint with the one the server now has).
#[test]
fn the_browser_reloads_only_pages_a_save_changed() {
    let Some(browser) = crate::browser::Browser::start() else {
        return;
    };
    let site = fixture_copy("serve");
    let content = site.path().join("content");
    let server = Server::start(site.path(), &["--watch"]);
    let mut events = Events::open(&server.address);
    let url = format!("http://{}{PAGE}", server.address);
    browser.open(&url);
    let marked = |browser: &crate::browser::Browser| -> bool {
        browser.script("return window.hindsightMark === 1;", serde_json::json!([]))
            == serde_json::json!(true)
    };
    let wait = |what: &str, ok: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !ok() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // A mark that a reload would wipe. (Whether the page's event stream connects before
    // or after the save, it compares fingerprints: on `hello` or on `reload`.)
    browser.script("window.hindsightMark = 1;", serde_json::json!([]));
    assert!(marked(&browser));

    // Another post-mortem gains an author: its page changes, this one does not.
    let other = content.join("2025-03-02-cache-stampede.md");
    let text = std::fs::read_to_string(&other).unwrap();
    std::fs::write(
        &other,
        text.replace("authors: [Lee Park]", "authors: [Lee Park, Sam Ortiz]"),
    )
    .unwrap();
    server.wait_for(
        "/incidents/2025-03-02-cache-stampede/",
        "the new author",
        |r| r.text().contains("Sam Ortiz"),
    );
    events.wait_for("event: reload", 1);
    wait("the analysis", &|| {
        server
            .get("/__hindsight/status")
            .text()
            .contains("\"analysing\":false")
    });
    // Give the page time to fetch itself and decide.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(marked(&browser), "an unchanged page is not reloaded");

    // Its own title changes: it reloads and shows the new one.
    retitle_cert_expiry(&content);
    wait("the page to reload with its new title", &|| {
        !marked(&browser)
            && browser
                .script("return document.body.innerText;", serde_json::json!([]))
                .as_str()
                .is_some_and(|t| t.contains("Payments edge certificate lapsed"))
    });
}

/// Rename the fixture's certificate incident to "Payments edge certificate lapsed";
/// returns its path.
fn retitle_cert_expiry(content: &Path) -> std::path::PathBuf {
    let post = content.join("2025-06-14-cert-expiry.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace(
            "title: Expired certificate on the payments edge",
            "title: Payments edge certificate lapsed",
        ),
    )
    .unwrap();
    post
}

/// An archive kept at a repository root (`content_dir = "."`): serve publishes what
/// build does, ignores README and template saves and its own output, and takes a folder
/// default that changes (`_defaults.yaml`).
#[test]
fn serve_agrees_with_build_on_an_archive_at_the_repository_root() {
    let site = tempfile::tempdir().unwrap();
    crate::util::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/adopted-archive"),
        site.path(),
    );
    let server = Server::start(site.path(), &["--watch"]);
    let count = |r: &Reply| {
        let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
        json["incidents"].as_array().unwrap().len()
    };
    let first = server.get("/api/incidents.json");
    assert_eq!(count(&first), 6, "{}", server.log());
    std::fs::write(
        site.path().join("README.md"),
        "# Changed\n\n## Timeline\n\nAn incident outage.\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("incident-template.md"),
        "# [Incident Title]\n\n- Date: YYYY-MM-DD\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("payments/_defaults.yaml"),
        "teams: [billing]\n",
    )
    .unwrap();
    let after = server.wait_for("/api/incidents.json", "the folder default", |r| {
        r.text().contains("\"billing\"")
    });
    assert_eq!(count(&after), 6, "README and template are not post-mortems");
    assert_serves_what_build_publishes(&server, site.path());
    // The build wrote public/ inside the watched folder: still the same archive.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        count(&server.get("/api/incidents.json")),
        6,
        "{}",
        server.log()
    );
}
