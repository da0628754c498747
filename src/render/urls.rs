//! Where every page lives. All paths are relative to the output root and end in
//! `index.html`, so links work from disk; templates prefix them with `{{ root }}`.
//! Every module that links to a page builds the path here, so links and pages agree.

pub(crate) use crate::slug::slug;

/// `path` made safe to put in an `href`: every byte outside the unreserved set and `/`
/// is percent-encoded, so an id with spaces, `#` or `?` still names its own folder.
pub(crate) fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fragment id of an owner group on the action-items page.
pub(crate) fn owner_anchor(owner: &str) -> String {
    format!("owner-{}", slug(owner))
}

pub(crate) fn incident(id: &str) -> String {
    format!("incidents/{id}/index.html")
}

/// The taxonomies that get list pages: `severity`, `service`, `team`, `cause`, `tag`, `year`.
pub const TAXONOMIES: [&str; 6] = ["severity", "service", "team", "cause", "tag", "year"];

/// The list page of one term, e.g. `term("service", "Payments API")` →
/// `services/payments-api/index.html`.
pub(crate) fn term(taxonomy: &str, value: &str) -> String {
    format!("{}/{}/index.html", folder(taxonomy), slug(value))
}

/// The page listing every term of a taxonomy, e.g. `services/index.html`.
pub fn taxonomy(taxonomy: &str) -> String {
    format!("{}/index.html", folder(taxonomy))
}

/// The folder of a taxonomy's pages, e.g. `services`.
pub(crate) fn taxonomy_folder(taxonomy: &str) -> String {
    folder(taxonomy)
}

fn folder(taxonomy: &str) -> String {
    match taxonomy {
        "severity" => "severities".to_string(),
        other => format!("{other}s"),
    }
}

pub(crate) const HOME: &str = "index.html";
pub(crate) const ACTION_ITEMS: &str = "action-items/index.html";
pub(crate) const DASHBOARD: &str = "dashboard/index.html";
pub(crate) const SEARCH: &str = "search/index.html";

/// Dashboard of one team or service (`kind` is `team` or `service`).
pub(crate) fn dashboard_for(kind: &str, value: &str) -> String {
    format!("dashboard/{}/{}/index.html", folder(kind), slug(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert_eq!(slug("Payments API"), "payments-api");
        assert_eq!(slug("  DNS / resolver!! "), "dns-resolver");
        assert_eq!(slug("🔥"), "-");
        assert_eq!(term("severity", "SEV1"), "severities/sev1/index.html");
        assert_eq!(
            term("cause", "connection-leak"),
            "causes/connection-leak/index.html"
        );
    }

    #[test]
    fn hrefs_percent_encode_everything_but_path_characters() {
        assert_eq!(
            href("incidents/2025-01-02-db/index.html"),
            "incidents/2025-01-02-db/index.html"
        );
        assert_eq!(
            href("incidents/a b#c?/index.html"),
            "incidents/a%20b%23c%3F/index.html"
        );
        assert_eq!(
            href("incidents/é/index.html"),
            "incidents/%C3%A9/index.html"
        );
    }
}
