//! The archive of a public build: the public post-mortems only, with every reference to
//! an internal one taken out.
//!
//! Parsing already left the internal sections and fields out of each text and applied
//! `[redact]` (`content::visibility`). What is left is across files: internal
//! post-mortems are parsed like the others, so references to them resolve, and then
//! dropped here, together with the references public post-mortems make to them (their
//! links lose their address). Everything after loading (analysis, both search indexes,
//! pages, feeds, sitemaps, exports, dashboards) then works on public data alone.

use std::collections::BTreeSet;

use crate::config::{Audience, Visibility};
use crate::model::Archive;
use crate::site::Site;

/// `archive` as `site`'s audience may see it.
pub fn apply(site: &Site, archive: Archive) -> Archive {
    if site.config.audience == Audience::Internal {
        return archive;
    }
    let targets = crate::analysis::references::targets(&archive.incidents);
    let public: Vec<bool> = archive
        .incidents
        .iter()
        .map(|i| i.visibility == Visibility::Public)
        .collect();
    let mut incidents = Vec::new();
    for ((mut incident, targets), &keep) in archive.incidents.into_iter().zip(targets).zip(&public)
    {
        if !keep {
            continue;
        }
        let mut hrefs = BTreeSet::new();
        let refs = std::mem::take(&mut incident.related_refs);
        for (reference, target) in refs.into_iter().zip(targets) {
            if target.is_some_and(|t| !public[t]) {
                hrefs.extend(reference.href);
            } else {
                incident.related_refs.push(reference);
            }
        }
        if let std::borrow::Cow::Owned(html) =
            crate::render::links::unlink(&incident.body_html, &hrefs)
        {
            incident.body_html = html;
        }
        incidents.push(incident);
    }
    Archive::new(incidents)
}
