//! "Load the archive": discover every post-mortem, parse them in parallel and check the
//! archive as a whole (duplicate ids), keeping what the site publishes. `build`, `check`,
//! `search` and `serve` all load through here, so they agree on what an archive is.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{Parsed, SourceFile, discover, parse};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Incident};
use crate::site::Site;

/// Discover and parse every post-mortem, then check the archive as a whole.
pub(crate) fn load(site: &Site) -> (Archive, Diagnostics) {
    let (sources, problems) = read_all(site);
    assemble(site, parse_all(site, &sources), problems)
}

/// Every post-mortem of the site's content folder, read, in path order, with the
/// problems met on the way (unreadable files and the like).
pub(crate) fn read_all(site: &Site) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let _stage = crate::progress::stage("reading", None, "");
    discover::discover(&discover::Rules::of(site))
}

/// Parse `sources` in parallel, in their order.
pub(crate) fn parse_all(site: &Site, sources: &[SourceFile]) -> Vec<Parsed> {
    let stage = crate::progress::stage("parsing", Some(sources.len()), "post-mortems");
    sources
        .par_iter()
        .map(|s| {
            let parsed = parse(s, &site.config);
            stage.inc(1);
            parsed
        })
        .collect()
}

/// Build the archive from parsed files, with every diagnostic of the content.
pub(crate) fn assemble(
    site: &Site,
    parsed: Vec<Parsed>,
    problems: Vec<Diagnostic>,
) -> (Archive, Diagnostics) {
    let diagnostics = diagnostics(site, &parsed, problems);
    let incidents = parsed.into_iter().filter_map(|p| p.incident);
    (Archive::new(site.published(incidents)), diagnostics)
}

/// Every diagnostic of the parsed files and of the archive as a whole (duplicate ids),
/// with the configured levels applied, sorted.
pub(crate) fn diagnostics(
    site: &Site,
    parsed: &[Parsed],
    problems: Vec<Diagnostic>,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(problems);
    for p in parsed {
        diagnostics.extend(p.diagnostics.iter().cloned());
    }
    check_unique_ids(
        parsed.iter().filter_map(|p| p.incident.as_ref()),
        &mut diagnostics,
    );
    for incident in parsed.iter().filter_map(|p| p.incident.as_ref()) {
        check_as_of(incident, site.as_of, &mut diagnostics);
    }
    diagnostics.apply_levels(&site.config.checks);
    diagnostics.finish();
    diagnostics
}

/// A date after the as-of date (the incident date, or a timeline row) cannot be right:
/// the post-mortem describes something that has happened. One `date-after-as-of` warning
/// per incident, at the first such date. Here rather than in `parse`, which does not know
/// the as-of date.
fn check_as_of(incident: &Incident, as_of: jiff::civil::Date, diagnostics: &mut Diagnostics) {
    let expected =
        "expected a date on or before it (the as-of date is today, SOURCE_DATE_EPOCH or --as-of)";
    let (line, col) = incident.date_at;
    if let Some(date) = incident.date
        && date > as_of
        && line > 0
    {
        diagnostics.push(Diagnostic::warning(
            "date-after-as-of",
            incident.source.clone(),
            line,
            col,
            format!("the incident date {date} is after the as-of date {as_of}; {expected}"),
        ));
        return;
    }
    let tz = incident.timezone.tz();
    if let Some((event, day)) = incident.timeline.iter().find_map(|e| {
        let day = e.at?.to_zoned_datetime(tz.clone()).date();
        (day > as_of).then_some((e, day))
    }) {
        diagnostics.push(Diagnostic::warning(
            "date-after-as-of",
            incident.source.clone(),
            event.line,
            0,
            format!(
                "the timeline row `{}` falls on {day}, after the as-of date {as_of}; {expected}",
                event.time_text
            ),
        ));
    }
}

fn check_unique_ids<'a>(
    incidents: impl Iterator<Item = &'a Incident>,
    diagnostics: &mut Diagnostics,
) {
    let mut by_id: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for i in incidents {
        by_id.entry(&i.id).or_default().push(i);
    }
    for (id, group) in by_id {
        if group.len() > 1 {
            let mut paths: Vec<String> = group
                .iter()
                .map(|i| i.source.display().to_string())
                .collect();
            paths.sort();
            for i in &group[1..] {
                diagnostics.push(Diagnostic::error(
                    "duplicate-id",
                    i.source.clone(),
                    0,
                    0,
                    format!("duplicate incident id `{id}` (also used by {}); expected each id (file name or `slug:`) to be unique", paths.join(", ")),
                ));
            }
        }
    }
}
