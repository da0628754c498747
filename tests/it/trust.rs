//! Figures a manager can trust (tests/fixtures/trust): times read in the author's zone
//! across a DST change, stated durations before timeline guesses (with a note when they
//! differ), implausible figures kept out of the dashboard's medians, and dates checked
//! against the timeline and the as-of date. Expected values are worked out by hand in
//! the comments.

use std::path::Path;

use hindsight::config::Config;
use hindsight::diagnostics::{Diagnostic, Level};
use hindsight::model::{Durations, Incident};
use jiff::Timestamp;
use serde_json::Value;

use crate::parse::parse_text;
use crate::util::{fixture_copy, fixtures, run};

fn fixture(name: &str, config: &Config) -> (Incident, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(fixtures().join("trust/content").join(name)).unwrap();
    parse_text(&format!("content/{name}"), &text, config)
}

fn utc(i: &Incident) -> Vec<String> {
    i.timeline
        .iter()
        .map(|e| e.at.map_or("-".into(), |t| t.to_string()))
        .collect()
}

fn durations(d: [Option<i64>; 4]) -> Durations {
    Durations {
        time_to_detect: d[0],
        time_to_acknowledge: d[1],
        time_to_mitigate: d[2],
        time_to_resolve: d[3],
    }
}

/// "All times in CET" on a timeline from Saturday 2025-03-29 23:40 to Sunday 04:30; the
/// clocks went from 02:00 CET (+01:00) to 03:00 CEST (+02:00) that night. Before the
/// change a time is UTC + 1 h, after it UTC + 2 h, so 03:05 is 01:05 UTC, not 02:05.
#[test]
fn cet_timeline_across_the_spring_dst_change() {
    let (i, diags) = fixture("2025-03-29-ledger-latency-dst.md", &Config::default());
    assert_eq!(i.timezone.written(), "CET");
    assert_eq!(i.timezone.tz().iana_name(), Some("Europe/Paris"));
    assert_eq!(
        utc(&i),
        [
            "2025-03-29T22:40:00Z", // 23:40 CET
            "2025-03-29T23:10:00Z", // 00:10 CET, the next day
            "2025-03-30T00:55:00Z", // 01:55 CET
            "2025-03-30T01:05:00Z", // 03:05 CEST: an hour later on the clock, +2
            "2025-03-30T01:20:00Z", // `03:20 CEST` written on the row
            "2025-03-30T01:30:00Z", // `01:30 UTC` written on the row
            "2025-03-30T02:30:00Z", // 04:30 CEST
        ]
    );
    let at = |s: &str| Some(s.parse::<Timestamp>().unwrap());
    assert_eq!(i.started_at, at("2025-03-29T22:40:00Z"));
    assert_eq!(i.mitigated_at, at("2025-03-30T01:05:00Z"));
    // 30 min to detect, 1 h 45 to acknowledge, 2 h 25 to mitigate (not the 3 h 25 the
    // wall clock shows), 3 h 50 to resolve.
    assert_eq!(
        i.durations,
        durations([Some(30), Some(105), Some(145), Some(230)])
    );
    assert!(diags.iter().all(|d| d.level == Level::Note), "{diags:#?}");
}

/// Without a zone in the post-mortem, site.toml's `timezone` is the default; a zone in
/// the time column's header (`Time (PDT)`) is the post-mortem's own.
#[test]
fn site_timezone_and_header_zone() {
    let text = "---\ntitle: Cache stampede\ndate: 2025-07-01\n---\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 09:00 | Errors started on the cache tier |\n| 09:30 | Cache restored |\n";
    let (i, _) = parse_text("content/x.md", text, &Config::default());
    assert_eq!(utc(&i), ["2025-07-01T09:00:00Z", "2025-07-01T09:30:00Z"]);
    let berlin = Config::parse("timezone = \"Europe/Berlin\"\n").unwrap();
    let (i, _) = parse_text("content/x.md", text, &berlin);
    assert_eq!(utc(&i), ["2025-07-01T07:00:00Z", "2025-07-01T07:30:00Z"]);
    assert_eq!(i.timezone.written(), "Europe/Berlin");
    let header = text.replace("| Time |", "| Time (PDT) |");
    let (i, _) = parse_text("content/x.md", &header, &berlin);
    assert_eq!(utc(&i), ["2025-07-01T16:00:00Z", "2025-07-01T16:30:00Z"]);
    assert_eq!(i.timezone.written(), "PDT");
    // A zone in the Timeline heading, for a list timeline.
    let list = "---\ntitle: Cache stampede\ndate: 2025-12-01\n---\n\n## Timeline (PDT)\n\n- 09:00 Errors started on the cache tier\n- 09:30 Cache restored\n";
    let (i, _) = parse_text("content/x.md", list, &Config::default());
    // December: Pacific standard time, UTC-8, whatever the author called it.
    assert_eq!(utc(&i), ["2025-12-01T17:00:00Z", "2025-12-01T17:30:00Z"]);
    // Front matter times without a zone are in the post-mortem's zone too.
    let fm = "---\ntitle: Cache stampede\ndate: 2025-07-01\nstarted_at: 2025-07-01 09:00\n---\n\nTimes are in PDT.\n";
    let (i, _) = parse_text("content/x.md", fm, &Config::default());
    assert_eq!(i.started_at, Some("2025-07-01T16:00:00Z".parse().unwrap()));
}

/// The timeline gives 20 and 61 minutes, the author states 15 and 56: the stated figures
/// are used, and a note at each gives both. Time to detect is stated as 4 and the
/// timeline agrees: no note.
#[test]
fn stated_durations_beat_the_timeline_and_differences_are_noted() {
    let (i, diags) = fixture("2025-06-02-checkout-config-push.md", &Config::default());
    assert_eq!(
        i.durations,
        durations([Some(4), Some(2), Some(15), Some(56)])
    );
    let notes: Vec<String> = diags
        .iter()
        .filter(|d| d.code == "duration-disagrees")
        .map(|d| format!("{}:{}:{} {}", d.path.display(), d.line, d.col, d.message))
        .collect();
    assert_eq!(
        notes,
        [
            "content/2025-06-02-checkout-config-push.md:13:21 time to mitigate is stated as 15 min, but the timeline gives 20 min (started to mitigated, line 23); 15 min is used",
            "content/2025-06-02-checkout-config-push.md:14:20 time to resolve is stated as 56 min, but the timeline gives 61 min (started to resolved, line 24); 56 min is used",
        ]
    );
    assert!(diags.iter().all(|d| d.level == Level::Note));
    // A figure measured from the alert is not a time to mitigate from the start.
    let text = std::fs::read_to_string(
        fixtures().join("trust/content/2025-06-02-checkout-config-push.md"),
    )
    .unwrap()
    .replace("15 minutes", "16 minutes after the alert");
    let (i, diags) = parse_text("content/x.md", &text, &Config::default());
    assert_eq!(i.durations.time_to_mitigate, Some(20));
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.code == "duration-disagrees")
            .count(),
        1
    );
}

/// Front matter timestamps give 40 minutes to mitigate; the body states 31: the
/// timestamps win, with a note.
#[test]
fn explicit_timestamps_beat_a_stated_duration() {
    let (i, diags) = fixture("2025-08-11-search-index-rebuild.md", &Config::default());
    assert_eq!(i.durations, durations([None, None, Some(40), Some(70)]));
    let note = diags
        .iter()
        .find(|d| d.code == "duration-disagrees")
        .expect("a note");
    assert_eq!((note.line, note.col, note.level), (13, 19, Level::Note));
    assert!(
        note.message
            .contains("stated as 31 min, but the timestamps give 40 min")
    );
}

fn warnings(out: &str, code: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.contains(&format!("warning[{code}]")))
        .map(str::to_string)
        .collect()
}

fn json(root: &Path, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root.join(rel)).unwrap()).unwrap()
}

/// Two implausible times to mitigate: 8876 min on a post-mortem whose stated time to
/// resolve is 30 min (mitigated after resolved: the timeline's figure is the less
/// trusted), and a stated 35 days (50400 min, over the 30-day bound). Each is a warning
/// at path:line:col, null in the export, listed in `excluded_durations`, and left out of
/// the dashboard's figures.
///
/// Times to mitigate kept, sorted: 15 (checkout, stated), 25 (login), 40 (search index),
/// 145 (ledger, across DST). Median = (25 + 40) / 2 = 32.5; p90: h = 3 × 0.9 = 2.7, so
/// 40 + 0.7 × (145 − 40) = 113.5. With the two excluded figures the median would be
/// (40 + 145) / 2 = 92.5.
#[test]
fn implausible_figures_are_kept_out_of_the_dashboard_median() {
    let site = fixture_copy("trust");
    let root = site.path();
    let (code, out, err) = run(root, &["check", "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{out}{err}");
    let text = format!("{out}{err}");
    let implausible = warnings(&text, "implausible-duration");
    assert_eq!(implausible.len(), 2, "{text}");
    assert!(implausible[0].starts_with("content/2025-09-08-queue-backlog.md:17:3: warning[implausible-duration]: time to mitigate of 8876 min is implausible: mitigated after it was resolved (time to resolve 30 min)"), "{}", implausible[0]);
    assert!(implausible[1].starts_with("content/2025-10-06-billing-export.md:10:21: warning[implausible-duration]: time to mitigate of 50400 min is implausible: it is over the bound of 30 days"), "{}", implausible[1]);

    let (code, _, err) = run(root, &["build", "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{err}");
    let trends = json(root, "public/api/trends.json");
    let all = trends["org"]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "all")
        .unwrap();
    let ttm = &all["headline"]["time_to_mitigate"];
    assert_eq!(
        (
            ttm["n"].as_u64(),
            ttm["excluded"].as_u64(),
            ttm["median"].as_f64(),
            ttm["p90"].as_f64()
        ),
        (Some(4), Some(2), Some(32.5), Some(113.5))
    );
    // The queue backlog's stated time to resolve (30) is kept.
    let incidents = json(root, "public/api/incidents.json");
    let queue = incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2025-09-08-queue-backlog")
        .unwrap();
    assert_eq!(queue["durations"]["time_to_mitigate"], Value::Null);
    assert_eq!(queue["durations"]["time_to_resolve"], 30);
    assert_eq!(queue["excluded_durations"][0]["minutes"], 8876);
    assert_eq!(queue["excluded_durations"][0]["line"], 17);
    // Exports are UTC, whatever zone the author wrote in.
    let ledger = incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2025-03-29-ledger-latency-dst")
        .unwrap();
    assert_eq!(ledger["mitigated_at"], "2025-03-30T01:05:00Z");
    assert_eq!(ledger["timezone"], "CET");

    let dashboard = std::fs::read_to_string(root.join("public/dashboard/index.html")).unwrap();
    // The future post-mortem (no figures) is the one missing. The page rounds to the
    // minute (one duration format): 32.5 → 33 min, p90 113.5 → 1 h 54 min.
    assert!(dashboard.contains(
        r#"<a class="value" href="lists/all/index.html">33 min</a><span class="detail">n=4 · 1 missing · 2 excluded · p90 1 h 54 min</span>"#
    ));
    assert!(dashboard.contains("2 implausible figures (a milestone out of order, or longer than the site's bound) are left out of these statistics"));

    // The incident page shows the author's zone, and the excluded figure with its reason.
    let page = std::fs::read_to_string(
        root.join("public/incidents/2025-03-29-ledger-latency-dst/index.html"),
    )
    .unwrap();
    assert!(page.contains("Times in CET (Europe/Paris), as the post-mortem gives them."));
    assert!(page.contains("<dd>2025-03-30 03:05 CEST</dd>"));
    assert!(page.contains(r#"<time datetime="2025-03-30T01:05:00Z" title="2025-03-30 03:05 CEST · 01:05 UTC">03:05</time>"#));
    let page =
        std::fs::read_to_string(root.join("public/incidents/2025-09-08-queue-backlog/index.html"))
            .unwrap();
    assert!(page.contains("(implausible, left out of statistics: mitigated after it was resolved (time to resolve 30 min))"));
}

/// A front-matter date 31 days before the timeline's first day, and a date after the
/// as-of date, are warnings at the date.
#[test]
fn dates_are_checked_against_the_timeline_and_the_as_of_date() {
    let site = fixture_copy("trust");
    let (_, out, err) = run(site.path(), &["check", "--as-of", "2025-12-31"]);
    let text = format!("{out}{err}");
    assert_eq!(
        warnings(&text, "date-mismatch"),
        [
            "content/2025-04-01-login-timeouts.md:3:7: warning[date-mismatch]: the incident date 2025-04-01 is 31 days before the timeline's first day 2025-05-02 (line 14); expected them at most 2 days apart"
        ]
    );
    let future = warnings(&text, "date-after-as-of");
    assert_eq!(future.len(), 1, "{text}");
    assert!(future[0].starts_with("content/2026-02-01-future-dns.md:3:7: warning[date-after-as-of]: the incident date 2026-02-01 is after the as-of date 2025-12-31"));
    // A day later the future post-mortem is in the past: no warning.
    let (_, out, err) = run(site.path(), &["check", "--as-of", "2026-02-01"]);
    assert!(warnings(&format!("{out}{err}"), "date-after-as-of").is_empty());
    // Within 2 days is fine: the timeline of the CET post-mortem starts on its date.
    assert!(!text.contains("2025-03-29-ledger-latency-dst.md:3:7"));
}
