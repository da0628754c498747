//! Links between post-mortem files, rewritten to the pages of the incidents they name.
//!
//! Authors link each other's files (`[PM2019-009](PM2019-009%20-%20Network.md)`); in the
//! site those files are pages. Analysis resolves each such link (`Insights::file_links`:
//! link as written → incident id) and the incident page's body gets every matching
//! `href` replaced by the page's own address, fragment kept. Links that name no
//! post-mortem are left as written.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::urls;

/// `html` (an incident page's body) with the links in `links` pointing at incident
/// pages, relative to an incident page (`incidents/<id>/index.html`).
pub(crate) fn rewrite<'a>(html: &'a str, links: Option<&BTreeMap<String, String>>) -> Cow<'a, str> {
    let Some(links) = links.filter(|l| !l.is_empty()) else {
        return Cow::Borrowed(html);
    };
    let wanted: BTreeMap<String, &String> = links
        .iter()
        .map(|(href, id)| (decode(href.split('#').next().unwrap_or(href)), id))
        .collect();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut changed = false;
    while let Some(at) = rest.find("href=\"") {
        let start = at + "href=\"".len();
        let Some(len) = rest[start..].find('"') else {
            break;
        };
        let value = &rest[start..start + len];
        let unescaped = unescape(value);
        let (path, fragment) = match unescaped.split_once('#') {
            Some((p, f)) => (p.to_string(), Some(f.to_string())),
            None => (unescaped.clone(), None),
        };
        out.push_str(&rest[..start]);
        match wanted.get(&decode(&path)) {
            Some(id) if !path.is_empty() => {
                changed = true;
                out.push_str("../../");
                out.push_str(&urls::href(&urls::incident(id)));
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(&urls::href(&f));
                }
            }
            _ => out.push_str(value),
        }
        rest = &rest[start + len..];
    }
    if !changed {
        return Cow::Borrowed(html);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `html` (an incident's body) with the links whose target `names` says yes to made
/// plain: the `<a>` keeps its text and loses its attributes. `names` gets the target's
/// path, entities and `%XX` decoded, without its fragment. A public build unlinks what
/// names an internal post-mortem, so no address of one is published.
pub(crate) fn unlink<'a>(html: &'a str, names: impl Fn(&str) -> bool) -> Cow<'a, str> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut changed = false;
    while let Some(at) = rest.find("<a ") {
        let Some(len) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + len + 1];
        let target = tag
            .split_once("href=\"")
            .and_then(|(_, v)| v.split_once('"'));
        let named = target.is_some_and(|(value, _)| {
            let unescaped = unescape(value);
            let path = unescaped.split('#').next().unwrap_or_default();
            !path.is_empty() && names(&decode(path))
        });
        out.push_str(&rest[..at]);
        if named {
            changed = true;
            out.push_str("<a>");
        } else {
            out.push_str(tag);
        }
        rest = &rest[at + len + 1..];
    }
    if !changed {
        return Cow::Borrowed(html);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The HTML entities pulldown-cmark and ammonia write in attributes.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `%XX` decoded, so `a%20b.md` and `a b.md` are the same link.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_files_point_at_incident_pages() {
        let links: BTreeMap<String, String> = [(
            "PM2019-009%20-%20Network%20address%20starvation.md".to_string(),
            "pm2019-009-network-address-starvation".to_string(),
        )]
        .into();
        let html = "<p><a href=\"PM2019-009%20-%20Network%20address%20starvation.md#timeline\">x</a> <a href=\"other.md\">y</a></p>";
        assert_eq!(
            rewrite(html, Some(&links)),
            "<p><a href=\"../../incidents/pm2019-009-network-address-starvation/index.html#timeline\">x</a> <a href=\"other.md\">y</a></p>"
        );
        assert!(matches!(
            rewrite("<p>none</p>", Some(&links)),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn links_to_left_out_files_lose_their_address() {
        let html =
            "<p><a href=\"secret%20one.md#x\" title=\"t\">x</a> <a href=\"other.md\">y</a></p>";
        assert_eq!(
            unlink(html, |path| path == "secret one.md"),
            "<p><a>x</a> <a href=\"other.md\">y</a></p>"
        );
        assert!(matches!(unlink(html, |_| false), Cow::Borrowed(_)));
    }
}
