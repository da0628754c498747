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
use crate::diagnostics::Diagnostic;
use crate::model::Archive;
use crate::site::Site;

/// `archive` as `site`'s audience may see it, with an `internal-reference` warning for
/// each reference a public post-mortem makes to an internal one (its link is dropped,
/// the words around it are published as written).
pub(crate) fn apply(site: &Site, archive: Archive) -> (Archive, Vec<Diagnostic>) {
    if site.config.audience == Audience::Internal {
        return (archive, Vec::new());
    }
    let mut diagnostics = Vec::new();
    let targets = crate::analysis::references::targets(&archive.incidents);
    let public: Vec<bool> = archive
        .incidents
        .iter()
        .map(|i| i.visibility == Visibility::Public)
        .collect();
    // Every name a link may use for an internal post-mortem: its id, its aliases (file
    // name and `slug:` as written) and its file name without `.md`, in lower case.
    let mut hidden: BTreeSet<String> = BTreeSet::new();
    for incident in archive
        .incidents
        .iter()
        .filter(|i| i.visibility != Visibility::Public)
    {
        hidden.insert(incident.id.clone());
        hidden.extend(incident.aliases.iter().map(|a| a.to_lowercase()));
        if let Some(stem) = incident.source.file_stem() {
            hidden.insert(stem.to_string_lossy().to_lowercase());
        }
    }
    let names_hidden = |path: &str| {
        let file = path.rsplit('/').next().unwrap_or(path).trim();
        let stem = file
            .len()
            .checked_sub(3)
            .filter(|&i| file.is_char_boundary(i) && file[i..].eq_ignore_ascii_case(".md"))
            .map_or(file, |i| &file[..i]);
        hidden.contains(&stem.to_lowercase()) || hidden.contains(&crate::slug::slug(stem))
    };
    let mut incidents = Vec::new();
    for ((mut incident, targets), &keep) in archive.incidents.into_iter().zip(targets).zip(&public)
    {
        if !keep {
            continue;
        }
        let refs = std::mem::take(&mut incident.related_refs);
        for (reference, target) in refs.into_iter().zip(targets) {
            if target.is_none_or(|t| public[t]) {
                incident.related_refs.push(reference);
            } else {
                diagnostics.push(Diagnostic::warning(
                    "internal-reference",
                    incident.source.clone(),
                    reference.line,
                    0,
                    "refers to an internal post-mortem: the public site leaves the reference and its link out, and publishes the words around it as written; mark them internal if they say too much".to_string(),
                ));
            }
        }
        if let std::borrow::Cow::Owned(html) =
            crate::render::links::unlink(&incident.body_html, names_hidden)
        {
            incident.body_html = html;
        }
        incidents.push(incident);
    }
    (Archive::new(incidents), diagnostics)
}
