//! The HTTP side of `serve`: turns a request line into a reply from the in-memory site.
//!
//! Guarantees: only files of the current snapshot are ever sent (nothing is read from
//! disk, so no URL can reach outside the output); `..`, `.`, backslashes, NUL bytes and
//! empty segments — raw or percent-encoded — are refused with 403; a missing file gets
//! the site's own `404.html` with status 404; `/dir/` serves `/dir/index.html` and `/dir`
//! redirects there so relative links keep working; HEAD gets the headers of GET without
//! a body. HTML replies carry the live-reload script and, while the archive has errors,
//! the overlay. The pure part (`reply`) is separate from tiny_http so it is unit-tested.

use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response};

use super::Shared;
use super::overlay::{self, EVENTS_PATH, STATUS_PATH};

/// One consistent version of the site to answer a request from.
pub(crate) trait Source {
    fn generation(&self) -> u64;
    /// Shown on every HTML page while the latest changes cannot be built.
    fn overlay(&self) -> Option<&str>;
    /// The bytes of the file at `key`; `Err` with a message when it failed to render.
    fn file(&self, key: &str) -> Result<Option<Arc<[u8]>>, String>;
}

impl Source for super::live::View<'_> {
    fn generation(&self) -> u64 {
        super::live::View::generation(self)
    }

    fn overlay(&self) -> Option<&str> {
        super::live::View::overlay(self)
    }

    fn file(&self, key: &str) -> Result<Option<Arc<[u8]>>, String> {
        super::live::View::file(self, key)
    }
}

/// What to send back for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    /// For redirects.
    pub(crate) location: Option<String>,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            location: None,
        }
    }
}

/// Where a request path leads, before looking at the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file key of the site map, e.g. `incidents/x/index.html`.
    File { key: String, ends_with_slash: bool },
    /// The live-reload event stream.
    Events,
    /// Whether the preview is up to date (`{"generation":…,"analysing":…}`).
    Status,
    /// A traversal attempt or a path that cannot name a file of the site.
    Forbidden,
    /// Not a valid path at all (bad percent-encoding, not UTF-8).
    BadRequest,
}

/// Decode and check the path part of a request URL.
pub(crate) fn target(url: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH {
        return Target::Events;
    }
    if path == STATUS_PATH {
        return Target::Status;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Target::BadRequest;
    };
    let Some(decoded) = percent_decode(rest) else {
        return Target::BadRequest;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Target::BadRequest;
    };
    if decoded.contains(['\\', '\0']) || decoded.starts_with('/') {
        return Target::Forbidden;
    }
    let ends_with_slash = decoded.is_empty() || decoded.ends_with('/');
    let trimmed = decoded.strip_suffix('/').unwrap_or(&decoded);
    if !trimmed.is_empty() {
        for segment in trimmed.split('/') {
            // `C:` would be absolute on Windows; nothing the site publishes has a colon
            // in a folder name, but the check costs nothing.
            if segment.is_empty() || segment == "." || segment == ".." || segment.contains(':') {
                return Target::Forbidden;
            }
        }
    }
    let key = if ends_with_slash {
        format!(
            "{trimmed}{}index.html",
            if trimmed.is_empty() { "" } else { "/" }
        )
    } else {
        trimmed.to_string()
    };
    Target::File {
        key,
        ends_with_slash,
    }
}

/// `%XX` → byte; `None` for a malformed escape. `+` stays a plus (it is a path, not a form).
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Content-Type by file extension; unknown types are sent as bytes.
pub(crate) fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The reply to a GET or HEAD of `url` from `site`.
pub(crate) fn reply(url: &str, site: &dyn Source) -> Reply {
    match target(url) {
        Target::Events => Reply::text(400, "the event stream is served by the stream handler\n"),
        Target::Status => Reply::text(400, "the status is answered by the request handler\n"),
        Target::BadRequest => Reply::text(
            400,
            "400 bad request: the path is not valid percent-encoded UTF-8\n",
        ),
        Target::Forbidden => Reply::text(403, "403 forbidden: the path leaves the site\n"),
        Target::File {
            key,
            ends_with_slash,
        } => {
            match site.file(&key) {
                Ok(Some(bytes)) => return page(200, &key, &bytes, site),
                Ok(None) => {}
                Err(message) => return render_failed(&key, &message, site),
            }
            let folder_index = format!("{key}/index.html");
            if !ends_with_slash && matches!(site.file(&folder_index), Ok(Some(_))) {
                let path = url.split(['?', '#']).next().unwrap_or("");
                let query = &url[path.len()..];
                return Reply {
                    status: 301,
                    content_type: "text/plain; charset=utf-8",
                    body: Vec::new(),
                    location: Some(format!("{path}/{query}")),
                };
            }
            not_found(site)
        }
    }
}

/// `reply`, with a panic while rendering caught: the request gets a 500 page carrying
/// the overlay with the panic's message, and the worker that answered lives on (tiny_http
/// has a fixed pool; without this, a few such requests would stop the preview).
pub(crate) fn reply_caught(url: &str, site: &dyn Source) -> Reply {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reply(url, site))) {
        Ok(r) => r,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            let key = match target(url) {
                Target::File { key, .. } => key,
                _ => url.trim_start_matches('/').to_string(),
            };
            let message = format!(
                "rendering panicked: {why}. This is a bug in hindsight; the other pages are still served."
            );
            // Answering must not panic again: build the page without the site's parts
            // if they are what failed.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                render_failed(&key, &message, site)
            }))
            .unwrap_or_else(|_| Reply::text(500, &format!("500: {message}\n")))
        }
    }
}

fn not_found(site: &dyn Source) -> Reply {
    match site.file("404.html") {
        Ok(Some(bytes)) => page(404, "404.html", &bytes, site),
        // No site yet (the first build failed): still show the overlay.
        _ if site.overlay().is_some() => page(404, "404.html", BLANK, site),
        _ => Reply::text(404, "404 not found\n"),
    }
}

const BLANK: &[u8] = b"<!doctype html><title>hindsight</title><body></body>";

/// A page whose template failed: the error, on a page that reloads once it is fixed.
fn render_failed(key: &str, message: &str, site: &dyn Source) -> Reply {
    let mut reply = page(500, key, BLANK, site);
    reply.content_type = "text/html; charset=utf-8";
    let overlay = overlay::render_message_overlay(
        &format!("hindsight: /{key} could not be rendered"),
        message,
    );
    reply.body = overlay::inject(&reply.body, &overlay);
    reply
}

fn page(status: u16, key: &str, bytes: &[u8], site: &dyn Source) -> Reply {
    let content_type = content_type(key);
    let body = if content_type.starts_with("text/html") {
        let fingerprint = overlay::fingerprint(bytes, site.overlay());
        let mut extra = overlay::reload_script(site.generation(), &fingerprint);
        if let Some(o) = site.overlay() {
            extra.push_str(o);
        }
        overlay::inject(bytes, &extra)
    } else {
        bytes.to_vec()
    };
    Reply {
        status,
        content_type,
        body,
        location: None,
    }
}

/// Answer one request: a page, or (in its own thread) the event stream.
pub(crate) fn handle(request: Request, shared: &Arc<Shared>) {
    let method = request.method().clone();
    if !matches!(method, Method::Get | Method::Head) {
        let response = Response::from_data(
            b"405 method not allowed: the preview only serves GET and HEAD\n".to_vec(),
        )
        .with_status_code(405)
        .with_header(header("Allow", "GET, HEAD"))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"));
        let _ = request.respond(response);
        return;
    }
    if target(request.url()) == Target::Events && method == Method::Get {
        let shared = Arc::clone(shared);
        // A thread per stream: a browser tab keeps it open for as long as it lives, and
        // it must never hold up the workers that answer page requests.
        let spawned = std::thread::Builder::new()
            .name("hindsight-sse".into())
            .spawn(move || {
                let receiver = shared.reload.subscribe();
                let generation = shared.live.view().generation();
                let writer = request.into_writer();
                super::reload::stream(writer, receiver, generation);
            });
        if let Err(e) = spawned {
            eprintln!("serve: cannot start an event stream: {e}");
        }
        return;
    }
    let r = if target(request.url()) == Target::Status {
        let status = format!(
            "{{\"generation\":{},\"analysing\":{}}}\n",
            shared.live.view().generation(),
            shared.live.analysing()
        );
        Reply {
            status: 200,
            content_type: "application/json",
            body: status.into_bytes(),
            location: None,
        }
    } else {
        let view = shared.live.view();
        reply_caught(request.url(), &view)
    };
    let mut response = Response::from_data(r.body)
        // The length is known: send it rather than chunks (tiny_http chunks past 32 KiB).
        .with_chunked_threshold(usize::MAX)
        .with_status_code(r.status)
        .with_header(header("Content-Type", r.content_type))
        // Every request must see the latest build: no browser caching in preview.
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    if let Some(location) = r.location {
        response = response.with_header(header("Location", &location));
    }
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A site of fixed files; `broken.html` fails to render.
    struct Snapshot {
        files: HashMap<String, Arc<[u8]>>,
        overlay: Option<String>,
    }

    impl Source for Snapshot {
        fn generation(&self) -> u64 {
            7
        }

        fn overlay(&self) -> Option<&str> {
            self.overlay.as_deref()
        }

        fn file(&self, key: &str) -> Result<Option<Arc<[u8]>>, String> {
            if key == "broken.html" {
                return Err("rendering broken.html: Variable `x` not found".into());
            }
            Ok(self.files.get(key).cloned())
        }
    }

    fn snapshot(files: &[(&str, &str)], overlay: Option<&str>) -> Snapshot {
        Snapshot {
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), Arc::from(v.as_bytes())))
                .collect(),
            overlay: overlay.map(String::from),
        }
    }

    #[test]
    fn folders_map_to_their_index() {
        assert_eq!(
            target("/"),
            Target::File {
                key: "index.html".into(),
                ends_with_slash: true
            }
        );
        assert_eq!(
            target("/incidents/a/?x=1#top"),
            Target::File {
                key: "incidents/a/index.html".into(),
                ends_with_slash: true
            }
        );
        assert_eq!(
            target("/static/style.css"),
            Target::File {
                key: "static/style.css".into(),
                ends_with_slash: false
            }
        );
        assert_eq!(
            target("/a%20b.html"),
            Target::File {
                key: "a b.html".into(),
                ends_with_slash: false
            }
        );
    }

    #[test]
    fn traversal_is_forbidden_raw_or_encoded() {
        for url in [
            "/../Cargo.toml",
            "/%2e%2e/site.toml",
            "/..%2f..%2fetc/passwd",
            "/a/..",
            "/a\\..\\b",
            "/%5c..%5cx",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/C:/x",
            "/a/./b",
            "/a%00b",
        ] {
            assert_eq!(target(url), Target::Forbidden, "{url}");
        }
        assert_eq!(target("/%zz"), Target::BadRequest);
        assert_eq!(target("/%ff"), Target::BadRequest);
        assert_eq!(target("relative"), Target::BadRequest);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("api/incidents.json"), "application/json");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("c.svg"), "image/svg+xml");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("favicon.ico"), "image/x-icon");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn html_gets_the_reload_script_and_overlay_other_files_do_not() {
        let s = snapshot(
            &[
                ("index.html", "<body>hi</body>"),
                ("static/a.css", "body{}"),
            ],
            Some("<div id=\"hindsight-overlay\">x</div>"),
        );
        let html = String::from_utf8(reply("/", &s).body).unwrap();
        assert!(
            html.starts_with("<body>hi<script data-hindsight-reload data-hindsight-fingerprint=\""),
            "{html}"
        );
        assert!(html.contains("var seen=7,"), "{html}");
        assert!(
            html.ends_with("<div id=\"hindsight-overlay\">x</div></body>"),
            "{html}"
        );
        assert_eq!(reply("/static/a.css", &s).body, b"body{}");
    }

    /// The fingerprint a page carries changes exactly when the page or the overlay does.
    #[test]
    fn the_fingerprint_follows_the_page_and_the_overlay() {
        let print = |s: &Snapshot, url: &str| -> String {
            let html = String::from_utf8(reply(url, s).body).unwrap();
            let at = html.find("data-hindsight-fingerprint=\"").unwrap() + 28;
            html[at..at + 16].to_string()
        };
        let a = snapshot(
            &[("a.html", "<body>a</body>"), ("b.html", "<body>b</body>")],
            None,
        );
        let a2 = snapshot(
            &[("a.html", "<body>a</body>"), ("b.html", "<body>B</body>")],
            None,
        );
        let a3 = snapshot(&[("a.html", "<body>a</body>")], Some("<div>error</div>"));
        assert_eq!(
            print(&a, "/a.html"),
            print(&a2, "/a.html"),
            "a is unchanged"
        );
        assert_ne!(print(&a, "/b.html"), print(&a2, "/b.html"), "b changed");
        assert_ne!(
            print(&a, "/a.html"),
            print(&a3, "/a.html"),
            "the overlay came"
        );
        let html = String::from_utf8(reply("/a.html", &a).body).unwrap();
        assert!(
            html.contains(&format!("mine=\"{}\"", print(&a, "/a.html"))),
            "the script compares against its own fingerprint: {html}"
        );
    }

    #[test]
    fn missing_files_get_the_site_404_page() {
        let s = snapshot(
            &[
                ("404.html", "<body>lost</body>"),
                ("incidents/a/index.html", "a"),
            ],
            None,
        );
        let r = reply("/nope/", &s);
        assert_eq!(r.status, 404);
        assert!(
            String::from_utf8(r.body)
                .unwrap()
                .starts_with("<body>lost<script")
        );
        let r = reply("/incidents/a?q", &s);
        assert_eq!(
            (r.status, r.location.as_deref()),
            (301, Some("/incidents/a/?q"))
        );
        let bare = snapshot(&[], None);
        assert_eq!(reply("/x", &bare).status, 404);
        // The first build failed: there is no site yet, but the errors still show.
        let failed = snapshot(
            &[],
            Some("<div id=\"hindsight-overlay\">content/a.md:2:1</div>"),
        );
        let r = reply("/", &failed);
        assert_eq!(r.status, 404);
        assert!(
            String::from_utf8(r.body)
                .unwrap()
                .contains("content/a.md:2:1")
        );
    }

    #[test]
    fn a_page_that_fails_to_render_says_why_and_reloads() {
        let r = reply("/broken.html", &snapshot(&[], None));
        assert_eq!(
            (r.status, r.content_type),
            (500, "text/html; charset=utf-8")
        );
        let html = String::from_utf8(r.body).unwrap();
        assert!(
            html.contains("/broken.html could not be rendered"),
            "{html}"
        );
        assert!(html.contains("Variable `x` not found"), "{html}");
        assert!(html.contains("data-hindsight-reload"), "{html}");
    }

    #[test]
    fn a_panic_while_rendering_is_a_500_with_the_overlay() {
        struct Panics;
        impl Source for Panics {
            fn generation(&self) -> u64 {
                7
            }
            fn overlay(&self) -> Option<&str> {
                None
            }
            fn file(&self, key: &str) -> Result<Option<Arc<[u8]>>, String> {
                panic!("template exploded on {key}")
            }
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = reply_caught("/incidents/x/", &Panics);
        std::panic::set_hook(previous);
        assert_eq!(r.status, 500);
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains("could not be rendered"), "{body}");
        assert!(
            body.contains("rendering panicked: template exploded on incidents/x/index.html"),
            "{body}"
        );
        assert!(
            body.contains("EventSource"),
            "the page reloads once fixed: {body}"
        );
    }
}
