//! What serve mode adds to every HTML page it sends: the live-reload script and, while
//! the archive has errors, an overlay listing them.
//!
//! Both are added to the response only; the pages kept in memory (and anything `build`
//! writes) never contain them. Every diagnostic is HTML-escaped, so a post-mortem whose
//! broken line holds markup cannot inject anything through the overlay.

use crate::diagnostics::{Diagnostic, Level};

/// The URL of the server-sent event stream that tells pages to reload.
pub(crate) const EVENTS_PATH: &str = "/__hindsight/events";
/// Whether the preview has caught up: `{"generation":N,"analysing":false}`.
pub(crate) const STATUS_PATH: &str = "/__hindsight/status";

/// Id of the overlay element (tests and the reload script look for it).
pub(crate) const OVERLAY_ID: &str = "hindsight-overlay";

/// Escape text for HTML element content and attribute values (the one escaper the
/// hand-written SVG charts use too).
pub(crate) use crate::words::esc as escape_html;

/// The overlay for a failed rebuild: one block per error (warnings are left to the
/// terminal so that they do not hide the page), each as `path:line:col: error[code]:
/// message` with the source line and caret, as the terminal shows it.
pub(crate) fn render_overlay(headline: &str, diagnostics: &[Diagnostic]) -> String {
    let blocks: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| d.to_string())
        .collect();
    frame(headline, &blocks)
}

/// The overlay for a problem that is not tied to one post-mortem (site.toml, templates).
pub(crate) fn render_message_overlay(headline: &str, message: &str) -> String {
    frame(headline, &[message.to_string()])
}

fn frame(headline: &str, blocks: &[String]) -> String {
    let mut html = format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;\
         background:rgba(20,20,24,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem\">\
         <p style=\"margin:0 0 1rem;font-size:16px;color:#ff8080\"><strong>{}</strong></p>",
        escape_html(headline)
    );
    for block in blocks {
        html.push_str("<pre style=\"white-space:pre-wrap;margin:0 0 1rem;padding:.75rem;border-left:3px solid #ff5050;background:#000\">");
        html.push_str(&escape_html(block));
        html.push_str("</pre>");
    }
    html.push_str(
        "<p style=\"margin:0;color:#bbb\">The last good version of the site is still served underneath; \
         this message goes away as soon as the files are fixed.</p></div>",
    );
    html
}

/// The script that reloads the page when the server says the site changed, and only if
/// this page changed. `generation` is the version of the site the page was served from:
/// on (re)connecting, the server announces its current version, so a change missed
/// while the page loaded is caught up. `fingerprint` identifies the page's bytes and
/// overlay (`fingerprint`): on a new version the script fetches its own URL again and
/// reloads only when the fingerprint there differs, so a save elsewhere in the archive
/// leaves an unchanged page (and its scroll position and open details) alone.
pub(crate) fn reload_script(generation: u64, fingerprint: &str) -> String {
    format!(
        "<script data-hindsight-reload data-hindsight-fingerprint=\"{fingerprint}\">(function(){{\
         if(!window.EventSource||!window.fetch)return;var seen={generation},mine=\"{fingerprint}\";\
         var es=new EventSource(\"{EVENTS_PATH}\");function check(e){{var g=Number(e.data);if(g===seen)return;\
         fetch(location.href,{{cache:\"no-store\"}}).then(function(r){{return r.text();}}).then(function(t){{\
         var m=/data-hindsight-fingerprint=\"([0-9a-f]+)\"/.exec(t);\
         if(!m||m[1]!==mine){{es.close();location.reload();}}else{{seen=g;}}}},function(){{}});}}\
         es.addEventListener(\"hello\",check);es.addEventListener(\"reload\",check);}})();</script>"
    )
}

/// A short digest of a page as served (its bytes and the overlay over it).
pub(crate) fn fingerprint(page: &[u8], overlay: Option<&str>) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    page.hash(&mut hasher);
    overlay.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Insert `extra` before the last `</body>` (any case), or append it when the page has none.
pub(crate) fn inject(html: &[u8], extra: &str) -> Vec<u8> {
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_escapes_diagnostics_and_keeps_location() {
        let d = Diagnostic::error("yaml-syntax", "content/a.md", 3, 7, "unexpected `<script>`")
            .with_source("---\ntitle: x\nseverity: <script>\n---\n");
        let html = render_overlay(
            "1 error",
            &[
                d,
                Diagnostic::warning("w", "content/b.md", 1, 1, "just a warning"),
            ],
        );
        assert!(
            html.contains("content/a.md:3:7: error[yaml-syntax]: unexpected `&lt;script&gt;`"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            !html.contains("just a warning"),
            "warnings stay in the terminal: {html}"
        );
    }

    #[test]
    fn message_overlay_has_no_empty_location() {
        let html = render_message_overlay(
            "site.toml is invalid",
            "site.toml: 2:1: unknown field `titel`",
        );
        assert!(
            html.contains("site.toml: 2:1: unknown field `titel`"),
            "{html}"
        );
        assert!(
            html.contains("<strong>site.toml is invalid</strong>"),
            "{html}"
        );
        assert_eq!(html.matches("<pre ").count(), 1, "{html}");
    }

    #[test]
    fn inject_goes_before_the_last_closing_body() {
        assert_eq!(inject(b"<body>x</BODY>", "S"), b"<body>xS</BODY>");
        assert_eq!(inject(b"<p>no body", "S"), b"<p>no bodyS");
        assert_eq!(inject(b"", "S"), b"S");
    }
}
