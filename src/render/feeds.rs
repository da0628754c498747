//! `feed.xml` (Atom 1.0, the newest 50 incidents) and `sitemap.xml` (every HTML page).
//!
//! Neither reads the clock: an entry's `updated` is its incident date and the feed's is
//! the newest entry's (or the as-of date for an empty archive). Links are absolute when
//! `base_url` is set and relative otherwise. Text is XML-escaped and characters XML 1.0
//! forbids are dropped, so any post-mortem gives a well-formed document.

use std::fmt::Write as _;

use jiff::civil::Date;

use super::urls;
use crate::model::Archive;
use crate::site::{OutputFile, Site};

pub(crate) const FEED: &str = "feed.xml";
pub(crate) const SITEMAP: &str = "sitemap.xml";
const FEED_ENTRIES: usize = 50;

/// Escape for XML text and attribute values, dropping characters XML 1.0 does not allow.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `path` as a link: below `base_url` when set, else relative to the site root.
fn absolute(site: &Site, path: &str) -> String {
    let base = site.config.base_url.trim().trim_end_matches('/');
    if base.is_empty() {
        path.to_string()
    } else {
        format!("{base}/{path}")
    }
}

fn day_stamp(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

/// Feed and entry ids must be stable and unique: the absolute URL when `base_url` is
/// set, else a URN built from the incident id.
fn entry_id(site: &Site, id: &str) -> String {
    if site.config.base_url.trim().is_empty() {
        format!("urn:hindsight:incident:{}", urls::href(id))
    } else {
        absolute(site, &urls::href(&urls::incident(id)))
    }
}

pub(crate) fn atom(site: &Site, archive: &Archive) -> OutputFile {
    let entries: Vec<_> = archive.incidents.iter().take(FEED_ENTRIES).collect();
    let updated = entries
        .iter()
        .filter_map(|i| i.date)
        .max()
        .unwrap_or(site.as_of);
    let feed_id = if site.config.base_url.trim().is_empty() {
        format!("urn:hindsight:site:{}", urls::slug(&site.config.title))
    } else {
        absolute(site, "")
    };
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&site.config.title));
    if !site.config.description.trim().is_empty() {
        let _ = writeln!(
            x,
            "  <subtitle>{}</subtitle>",
            xml_escape(&site.config.description)
        );
    }
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&feed_id));
    let _ = writeln!(
        x,
        "  <link rel=\"self\" href=\"{}\"/>",
        xml_escape(&absolute(site, FEED))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&absolute(site, urls::HOME))
    );
    let _ = writeln!(x, "  <updated>{}</updated>", day_stamp(updated));
    let _ = writeln!(x, "  <generator>hindsight</generator>");
    for i in entries {
        let updated = i.date.unwrap_or(site.as_of);
        x.push_str("  <entry>\n");
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&i.title));
        let _ = writeln!(x, "    <id>{}</id>", xml_escape(&entry_id(site, &i.id)));
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml_escape(&absolute(site, &urls::href(&urls::incident(&i.id))))
        );
        let _ = writeln!(x, "    <updated>{}</updated>", day_stamp(updated));
        let _ = writeln!(x, "    <published>{}</published>", day_stamp(updated));
        for author in &i.authors {
            let _ = writeln!(
                x,
                "    <author><name>{}</name></author>",
                xml_escape(author)
            );
        }
        if let Some(severity) = i.severity.as_deref() {
            let _ = writeln!(
                x,
                "    <category scheme=\"severity\" term=\"{}\"/>",
                xml_escape(severity)
            );
        }
        for cause in &i.causes {
            let _ = writeln!(
                x,
                "    <category scheme=\"cause\" term=\"{}\"/>",
                xml_escape(cause)
            );
        }
        let mut summary = String::new();
        if let Some(sev) = &i.severity {
            summary.push_str(sev);
            summary.push_str(". ");
        }
        if !i.services.is_empty() {
            let _ = write!(summary, "Services: {}. ", i.services.join(", "));
        }
        summary.push_str(i.summary.as_deref().unwrap_or(""));
        let summary = summary.trim();
        if !summary.is_empty() {
            let _ = writeln!(
                x,
                "    <summary type=\"text\">{}</summary>",
                xml_escape(summary)
            );
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    OutputFile::new(FEED, x)
}

/// Every HTML page among `files` except the 404 page, in path order.
pub(crate) fn sitemap(site: &Site, files: &[String]) -> OutputFile {
    let mut paths: Vec<&str> = files
        .iter()
        .map(|f| f.as_str())
        .filter(|p| p.ends_with(".html") && *p != "404.html" && !p.starts_with("static/"))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        let _ = writeln!(
            x,
            "  <url><loc>{}</loc></url>",
            xml_escape(&absolute(site, &urls::href(p)))
        );
    }
    x.push_str("</urlset>\n");
    OutputFile::new(SITEMAP, x)
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn escapes_markup_and_drops_characters_xml_forbids() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\u{7}d\te"),
            "a&lt;b&gt;&amp;&quot;c&apos;d\te"
        );
    }
}
