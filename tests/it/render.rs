//! Rendering: page contents, list pages, the action-items page, the JSON export, feeds,
//! determinism and theme overrides. Most tests render an archive built in Rust (so they
//! pin the renderer alone); `fixture_site_*` tests go through the CLI and the parser.

use std::collections::BTreeMap;
use std::path::Path;

use hindsight::config::Config;
use hindsight::model::*;
use hindsight::site::Site;
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::util::{fixture_copy, run};

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

fn item(
    action: &str,
    owner: Option<&str>,
    due: Option<Date>,
    status: ActionItemStatus,
) -> ActionItem {
    ActionItem {
        action: action.into(),
        owner: owner.map(String::from),
        due,
        status,
        status_text: status.as_str().into(),
        priority: Some("P1".into()),
        ..Default::default()
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Four incidents: two with the cause `connection-leak` (the later a repeat), a near
/// miss with no cause (gets suggestions) and an older DNS outage.
pub fn sample() -> (Archive, Insights) {
    let first = Incident {
        id: "2025-03-02-db-pool".into(),
        title: "Database pool exhausted".into(),
        date: Some(date(2025, 3, 2)),
        severity: Some("SEV1".into()),
        services: strings(&["payments", "api"]),
        teams: strings(&["payments-team"]),
        authors: strings(&["jane"]),
        causes: strings(&["connection-leak"]),
        tags: strings(&["database"]),
        started_at: ts("2025-03-02T14:00:00Z"),
        detected_at: ts("2025-03-02T14:05:00Z"),
        acknowledged_at: ts("2025-03-02T14:07:00Z"),
        mitigated_at: ts("2025-03-02T14:30:00Z"),
        resolved_at: ts("2025-03-02T15:30:00Z"),
        durations: Durations {
            time_to_detect: Some(5),
            time_to_acknowledge: Some(7),
            time_to_mitigate: Some(30),
            time_to_resolve: Some(90),
        },
        summary: Some("Connections leaked in an error path until the pool ran dry.".into()),
        timeline: vec![
            TimelineEvent {
                at: ts("2025-03-02T14:05:00Z"),
                time_text: "14:05".into(),
                event: "Alert fired".into(),
                actor: Some("Monitoring".into()),
                line: 20,
            },
            TimelineEvent {
                at: ts("2025-03-02T14:30:00Z"),
                time_text: "14:30".into(),
                event: "Service restarted".into(),
                actor: None,
                line: 21,
            },
        ],
        action_items: vec![
            item(
                "Close connections in the error path",
                Some("mike"),
                Some(date(2025, 3, 20)),
                ActionItemStatus::Done,
            ),
            item(
                "Alert on pool saturation",
                Some("jane"),
                Some(date(2025, 4, 1)),
                ActionItemStatus::InProgress,
            ),
            item(
                "Load-test the pool",
                Some("mike"),
                Some(date(2026, 6, 1)),
                ActionItemStatus::Planned,
            ),
        ],
        toc: vec![TocEntry {
            level: 2,
            title: "Summary".into(),
            anchor: "summary".into(),
        }],
        body_html: "<h2 id=\"summary\">Summary</h2>\n<p>The pool <em>ran dry</em>.</p>\n".into(),
        ..Default::default()
    };
    let repeat = Incident {
        id: "2025-05-10-db-pool-again".into(),
        title: "Database pool exhausted again".into(),
        date: Some(date(2025, 5, 10)),
        severity: Some("SEV2".into()),
        services: strings(&["payments"]),
        teams: strings(&["payments-team"]),
        causes: strings(&["connection-leak", "missing-alert"]),
        durations: Durations {
            time_to_resolve: Some(45),
            ..Default::default()
        },
        action_items: vec![item(
            "Add a leak detector",
            None,
            Some(date(2025, 12, 1)),
            ActionItemStatus::Delayed,
        )],
        ..Default::default()
    };
    let near_miss = Incident {
        id: "2025-08-01-cert-near-miss".into(),
        title: "Certificate almost expired".into(),
        date: Some(date(2025, 8, 1)),
        kind: IncidentKind::NearMiss,
        severity: Some("SEV4".into()),
        services: strings(&["edge"]),
        teams: strings(&["platform"]),
        status: DocStatus::InReview,
        ..Default::default()
    };
    let dns = Incident {
        id: "2024-11-20-dns".into(),
        title: "DNS resolver outage".into(),
        date: Some(date(2024, 11, 20)),
        severity: Some("SEV2".into()),
        services: strings(&["api"]),
        teams: strings(&["platform"]),
        causes: strings(&["dns"]),
        tags: strings(&["Database"]),
        action_items: vec![item(
            "Second resolver",
            Some("ola"),
            None,
            ActionItemStatus::Planned,
        )],
        ..Default::default()
    };
    let archive = Archive::new(vec![first, repeat, near_miss, dns]);
    let mut insights = Insights::default();
    insights.related.insert(
        "2025-05-10-db-pool-again".into(),
        vec![
            Related {
                id: "2024-11-20-dns".into(),
                score: 0.2,
                reasons: strings(&["same service: api"]),
                explicit: false,
                strength: "related",
            },
            Related {
                id: "2025-03-02-db-pool".into(),
                score: 0.87654,
                reasons: strings(&["same cause: connection-leak"]),
                explicit: true,
                strength: "related",
            },
        ],
    );
    insights.repeat_of.insert(
        "2025-05-10-db-pool-again".into(),
        RepeatOf {
            id: "2025-03-02-db-pool".into(),
            cause: "connection-leak".into(),
            days_between: 69,
            inferred: false,
        },
    );
    insights.cause_suggestions.insert(
        "2025-08-01-cert-near-miss".into(),
        vec![CauseSuggestion {
            cause: "dns".into(),
            score: 0.41234,
            from: strings(&["2024-11-20-dns"]),
        }],
    );
    (archive, insights)
}

pub fn site_at(root: &Path, config: Config) -> Site {
    Site {
        root: root.to_path_buf(),
        config,
        as_of: date(2025, 6, 1),
        include_drafts: false,
    }
}

/// Render `archive` with the default theme; path → text of every output file.
pub fn render(archive: &Archive, insights: &Insights, config: Config) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let site = site_at(dir.path(), config);
    let files = hindsight::render::render_site(&site, archive, insights).unwrap();
    let mut out = BTreeMap::new();
    for f in files {
        assert!(
            out.insert(
                f.path.clone(),
                String::from_utf8_lossy(&f.bytes).into_owned()
            )
            .is_none(),
            "{} rendered twice",
            f.path
        );
    }
    out
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let len = s[from..]
        .find(end)
        .unwrap_or_else(|| panic!("`{end}` not found after `{start}`"));
    &s[from..from + len]
}

#[test]
fn incident_page_shows_metadata_durations_timeline_and_body() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let page = &out["incidents/2025-03-02-db-pool/index.html"];
    assert!(page.contains("<title>Database pool exhausted · Post-mortems</title>"));
    assert!(
        page.contains(
            r#"<a class="badge sev sev-0" href="../../severities/sev1/index.html">SEV1</a>"#
        ),
        "severity badge links its page"
    );
    assert!(page.contains(r#"href="../../services/payments/index.html">payments</a>"#));
    assert!(page.contains(r#"href="../../teams/payments-team/index.html">payments-team</a>"#));
    assert!(page.contains(r#"href="../../causes/connection-leak/index.html">connection-leak</a>"#));
    assert!(page.contains(r#"href="../../tags/database/index.html">database</a>"#));
    assert!(page.contains("<dd>jane</dd>"), "authors");
    let durations = between(page, r#"<dl class="durations">"#, "</dl>");
    assert!(
        durations.contains("<dt>Time to detect</dt><dd>5 min</dd>"),
        "{durations}"
    );
    assert!(durations.contains("<dt>Time to acknowledge</dt><dd>7 min</dd>"));
    assert!(durations.contains("<dt>Time to mitigate</dt><dd>30 min</dd>"));
    assert!(durations.contains("<dt>Time to resolve</dt><dd>1 h 30 min</dd>"));
    // The milestone list places "mitigated" 30 of 90 minutes along the bar
    // hindsight.js draws from it (tests/it/browser.rs); the bar is not sent.
    assert!(
        page.contains(r#"<div data-pct="33.3"><dt><span class="dot m-mitigated" aria-hidden="true"></span>Mitigated</dt>"#),
        "{}",
        between(page, r#"<dl class="milestone-list">"#, "</dl>")
    );
    assert!(!page.contains(r#"class="milestones""#));
    assert!(page.contains(r#"<time datetime="2025-03-02T14:05:00Z" title="2025-03-02 14:05 UTC">14:05</time> <span class="offset">+5 min</span>"#));
    assert!(page.contains("Alert fired <span class=\"actor\">— Monitoring</span>"));
    // The body goes in as sanitised HTML; the table of contents links its anchors.
    assert!(page.contains("<p>The pool <em>ran dry</em>.</p>"));
    assert!(page.contains(r##"<a href="#summary">Summary</a>"##));
}

#[test]
fn unknown_durations_say_unknown() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let page = &out["incidents/2025-05-10-db-pool-again/index.html"];
    let durations = between(page, r#"<dl class="durations">"#, "</dl>");
    assert_eq!(
        durations.matches("<dd>unknown</dd>").count(),
        3,
        "{durations}"
    );
    assert!(durations.contains("<dd>45 min</dd>"));
    assert!(
        !page.contains(r#"<dl class="milestone-list""#),
        "no bar without two known milestones"
    );
}

#[test]
fn incident_action_items_are_badged_and_overdue_against_as_of() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let page = &out["incidents/2025-03-02-db-pool/index.html"];
    let table = between(page, r#"<table class="actions">"#, "</table>");
    assert!(table.contains("status as of <time datetime=\"2025-06-01\">2025-06-01</time>"));
    let rows: Vec<&str> = table.split("<tr").skip(2).collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains("status-done") && !rows[0].contains("is-overdue"),
        "done is never overdue: {}",
        rows[0]
    );
    assert!(
        rows[1].contains(r#" class="is-overdue""#)
            && rows[1].contains("status-in-progress")
            && rows[1].contains("overdue</span>"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].contains("status-planned") && !rows[2].contains("is-overdue"),
        "due after as-of: {}",
        rows[2]
    );
    assert!(
        page.contains(r##"<a class="badge overdue" href="#hs-actions">1 overdue action item</a>"##)
    );
}

#[test]
fn related_repeats_and_suggestions_are_shown_and_labelled() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let repeat = &out["incidents/2025-05-10-db-pool-again/index.html"];
    let banner = between(repeat, r#"<aside class="banner repeat""#, "</aside>");
    assert!(banner.contains(r#"Repeat of <a href="../../incidents/2025-03-02-db-pool/index.html">Database pool exhausted</a>"#), "{banner}");
    assert!(
        banner.contains(
            r#"href="../../causes/connection-leak/index.html">connection-leak</a>, 69 days later"#
        ),
        "{banner}"
    );
    // Related: best first (the explicit reference scores higher), with score and reasons.
    let related = between(repeat, r#"<ol class="related-list">"#, "</ol>");
    let first = related.find("2025-03-02-db-pool").unwrap();
    let second = related.find("2024-11-20-dns").unwrap();
    assert!(first < second, "best first: {related}");
    assert!(related.contains("score 0.88") && related.contains("score 0.20"));
    assert!(related.contains("<li>same cause: connection-leak</li>"));
    assert_eq!(
        related.matches(r#"class="badge explicit""#).count(),
        1,
        "only the explicit one is marked"
    );
    // The earlier incident learns it was repeated.
    let first_page = &out["incidents/2025-03-02-db-pool/index.html"];
    assert!(
        between(first_page, r#"<aside class="banner repeated""#, "</aside>")
            .contains("Database pool exhausted again")
    );
    // Suggestions are labelled as such, never shown as the incident's causes.
    let near = &out["incidents/2025-08-01-cert-near-miss/index.html"];
    let causes = between(near, "<dt>Causes</dt><dd>", "</dd>");
    assert!(
        causes.contains("not labelled") && !causes.contains("causes/dns"),
        "{causes}"
    );
    let suggestions = between(near, r#"<section class="suggestions""#, "</section>");
    assert!(suggestions.contains("Suggested causes") && suggestions.contains("Not confirmed"));
    assert!(
        suggestions.contains(r#"<a href="../../causes/dns/index.html">dns</a>?"#),
        "{suggestions}"
    );
    assert!(suggestions.contains("score 0.41") && suggestions.contains("DNS resolver outage"));
    assert!(near.contains(r#"<span class="badge near-miss">near miss</span>"#));
}

#[test]
fn home_lists_all_incidents_newest_first_with_columns() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let home = &out["index.html"];
    let body = between(home, "<tbody>", "</tbody>");
    let order: Vec<usize> = [
        "Certificate almost expired",
        "Database pool exhausted again",
        "Database pool exhausted<",
        "DNS resolver outage",
    ]
    .iter()
    .map(|t| body.find(t).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first: {order:?}"
    );
    let rows: Vec<&str> = body.split("<tr ").skip(1).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows[0].contains(r#"data-kind="near-miss""#) && rows[0].contains("near miss</span>"));
    assert!(
        rows[1].contains("repeat</span>") && rows[1].contains(r#"data-sort="45">45 min"#),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains("1 h 30 min") && rows[2].contains("1 overdue"));
    assert!(rows[3].contains(r#"<span class="muted">unknown</span>"#));
    assert!(
        home.contains("<strong>3</strong> incidents")
            && home.contains("<strong>1</strong> near miss<"),
        "near misses counted apart"
    );
    // Pages link the fingerprinted copies of the theme's script and stylesheet, named
    // from their bytes; the plain names stay for sites' own templates.
    for (tag, plain) in [
        (r#"<script src=""#, "static/hindsight.js"),
        (r#"<link rel="stylesheet" href=""#, "static/style.css"),
    ] {
        let linked = between(home, tag, "\"");
        let (stem, ext) = plain.rsplit_once('.').unwrap();
        let hash = linked
            .strip_prefix(&format!("{stem}."))
            .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
            .unwrap_or_else(|| panic!("{linked} is not a fingerprint of {plain}"));
        let bytes = out[plain].as_bytes();
        assert_eq!(hash, &blake3::hash(bytes).to_hex()[..8], "{linked}");
        assert_eq!(out[linked].as_bytes(), bytes, "{linked}");
    }
}

#[test]
fn list_pages_hold_their_incidents_with_counts() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let count = |path: &str| {
        between(&out[path], r#"<strong class="term-count">"#, "</strong>")
            .parse::<usize>()
            .unwrap()
    };
    assert_eq!(count("severities/sev2/index.html"), 2);
    assert_eq!(count("services/api/index.html"), 2);
    assert_eq!(count("services/payments/index.html"), 2);
    assert_eq!(count("teams/platform/index.html"), 2);
    assert_eq!(count("causes/connection-leak/index.html"), 2);
    assert_eq!(count("causes/missing-alert/index.html"), 1);
    assert_eq!(count("years/2025/index.html"), 3);
    assert_eq!(count("years/2024/index.html"), 1);
    // "database" and "Database" are one tag; the most used spelling names it.
    assert_eq!(count("tags/database/index.html"), 2);
    let api = &out["services/api/index.html"];
    assert!(
        api.contains("DNS resolver outage")
            && api.contains(">Database pool exhausted<")
            && !api.contains("again")
    );
    // Taxonomy indexes list every term with its count, severities in config order.
    let sev = between(&out["severities/index.html"], "<tbody>", "</tbody>");
    let (s1, s2, s4) = (
        sev.find(">SEV1<").unwrap(),
        sev.find(">SEV2<").unwrap(),
        sev.find(">SEV4<").unwrap(),
    );
    assert!(s1 < s2 && s2 < s4);
    assert!(sev.contains(r#"<a href="../severities/sev2/index.html">SEV2</a></td><td data-sort="2" class="num">2</td>"#), "{sev}");
    let years = between(&out["years/index.html"], "<tbody>", "</tbody>");
    assert!(
        years.find(">2025<").unwrap() < years.find(">2024<").unwrap(),
        "years newest first"
    );
    for taxonomy in hindsight::render::urls::TAXONOMIES {
        assert!(
            out.contains_key(&hindsight::render::urls::taxonomy(taxonomy)),
            "{taxonomy} index"
        );
    }
}

#[test]
fn cause_page_shows_months_repeat_chain_and_open_followups() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let page = &out["causes/connection-leak/index.html"];
    let months = between(page, r#"<ol class="months""#, "</ol>");
    assert_eq!(
        months.matches("<li ").count(),
        3,
        "March to May 2025: {months}"
    );
    assert!(
        months.contains("2025-03: 1")
            && months.contains("2025-04: 0")
            && months.contains("2025-05: 1")
    );
    let chain = between(page, r#"<ol class="chain">"#, "</ol>");
    let (a, b) = (
        chain.find("Database pool exhausted<").unwrap(),
        chain.find("Database pool exhausted again").unwrap(),
    );
    assert!(a < b, "{chain}");
    assert!(chain.contains("repeat after 69 days"));
    assert!(
        chain.contains("Follow-ups of the previous incident: 1 of 3 done."),
        "{chain}"
    );
    // "Alert on pool saturation" was due 2025-04-01, before the 2025-05-10 repeat, and is open.
    let alert = between(chain, "Alert on pool saturation", "</li>");
    assert!(
        alert.contains("due before this repeat, still open"),
        "{alert}"
    );
    let load_test = between(chain, "Load-test the pool", "</li>");
    assert!(!load_test.contains("before this repeat"), "{load_test}");
    // Open items of the cause's incidents, overdue first.
    let open = between(
        page,
        r#"<section aria-labelledby="hs-open-items">"#,
        "</section>",
    );
    let rows: Vec<&str> = between(open, "<tbody>", "</tbody>")
        .split("<tr")
        .skip(1)
        .collect();
    assert_eq!(
        rows.len(),
        3,
        "two open items of the first incident, one of the repeat"
    );
    assert!(rows[0].contains("Alert on pool saturation") && rows[0].contains("is-overdue"));
    assert!(rows[1].contains("Add a leak detector") && !rows[1].contains("is-overdue"));
    assert!(rows[2].contains("Load-test the pool"));
    // A cause without repeats says so.
    assert!(out["causes/dns/index.html"].contains("No repeats of this cause detected."));
}

#[test]
fn action_items_page_groups_by_owner_with_overdue_first() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let page = &out["action-items/index.html"];
    assert!(page.contains("<strong>4</strong> open, <strong class=\"warn-text\">1</strong> overdue as of <time datetime=\"2025-06-01\">2025-06-01</time>"), "{}", between(page, "<p class=\"lede\">", "</p>"));
    let groups: Vec<&str> = page
        .split(r#"<section class="owner-group""#)
        .skip(1)
        .collect();
    let owners: Vec<&str> = groups
        .iter()
        .map(|g| between(g, "<h2 id=", " <span").split('>').nth(1).unwrap())
        .collect();
    assert_eq!(
        owners,
        ["jane", "mike", "ola", "Unassigned"],
        "owners with overdue items first, unassigned last"
    );
    assert!(groups[0].contains("Alert on pool saturation") && groups[0].contains("is-overdue"));
    assert!(groups[0].contains(
        r#"<a href="../incidents/2025-03-02-db-pool/index.html">Database pool exhausted</a>"#
    ));
    assert!(
        groups[0].contains(r#"href="../teams/payments-team/index.html""#),
        "team column"
    );
    assert!(
        !page.contains("Close connections in the error path"),
        "done items are not open"
    );
    assert!(groups[2].contains("no date"));
    assert!(page.contains(r##"<a class="chip" href="#owner-jane">jane"##));
}

#[test]
fn json_export_follows_the_output_contract() {
    let (archive, insights) = sample();
    let out = render(&archive, &insights, Config::default());
    let text = &out["api/incidents.json"];
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(json["as_of"], "2025-06-01");
    let incidents = json["incidents"].as_array().unwrap();
    let ids: Vec<&str> = incidents
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "2025-08-01-cert-near-miss",
            "2025-05-10-db-pool-again",
            "2025-03-02-db-pool",
            "2024-11-20-dns"
        ]
    );
    let keys: Vec<&str> = incidents[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "id",
        "url",
        "title",
        "date",
        "severity",
        "status",
        "incident_status",
        "kind",
        "services",
        "teams",
        "causes",
        "tags",
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "timezone",
        "durations",
        "excluded_durations",
        "summary",
        "action_items",
        "related",
        "repeat_of",
        "cause_suggestions",
        "inferred_causes",
    ];
    expected.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, expected);
    // Key order in the file is fixed (id first, cause_suggestions last).
    assert!(text.find("\"id\"").unwrap() < text.find("\"url\"").unwrap());
    let db = &incidents[2];
    assert_eq!(db["url"], "incidents/2025-03-02-db-pool/index.html");
    assert_eq!(db["title"], "Database pool exhausted");
    assert_eq!(db["date"], "2025-03-02");
    assert_eq!(db["severity"], "SEV1");
    assert_eq!(db["status"], "final");
    assert_eq!(db["kind"], "incident");
    assert_eq!(db["services"], serde_json::json!(["payments", "api"]));
    assert_eq!(db["teams"], serde_json::json!(["payments-team"]));
    assert_eq!(db["causes"], serde_json::json!(["connection-leak"]));
    assert_eq!(db["tags"], serde_json::json!(["database"]));
    assert_eq!(db["started_at"], "2025-03-02T14:00:00Z");
    assert_eq!(db["resolved_at"], "2025-03-02T15:30:00Z");
    assert_eq!(
        db["durations"],
        serde_json::json!({"time_to_detect": 5, "time_to_acknowledge": 7, "time_to_mitigate": 30, "time_to_resolve": 90})
    );
    assert_eq!(
        db["summary"],
        "Connections leaked in an error path until the pool ran dry."
    );
    assert_eq!(db["action_items"][1]["status"], "in-progress");
    assert_eq!(db["action_items"][1]["due"], "2025-04-01");
    assert_eq!(db["action_items"][1]["owner"], "jane");
    assert_eq!(db["action_items"][1]["overdue"], true);
    assert_eq!(db["action_items"][0]["overdue"], false);
    assert_eq!(db["repeat_of"], serde_json::Value::Null);
    let again = &incidents[1];
    assert_eq!(
        again["durations"]["time_to_detect"],
        serde_json::Value::Null
    );
    assert_eq!(again["started_at"], serde_json::Value::Null);
    assert_eq!(again["summary"], serde_json::Value::Null);
    assert_eq!(
        again["related"],
        serde_json::json!([
            {"id": "2025-03-02-db-pool", "score": 0.877, "reasons": ["same cause: connection-leak"], "explicit": true, "strength": "related"},
            {"id": "2024-11-20-dns", "score": 0.2, "reasons": ["same service: api"], "explicit": false, "strength": "related"},
        ]),
        "best first, scores rounded to 3 decimals"
    );
    assert_eq!(
        again["repeat_of"],
        serde_json::json!({"id": "2025-03-02-db-pool", "cause": "connection-leak", "days_between": 69, "inferred": false})
    );
    let near = &incidents[0];
    assert_eq!(near["kind"], "near-miss");
    assert_eq!(near["status"], "in-review");
    assert_eq!(
        near["cause_suggestions"],
        serde_json::json!([{"cause": "dns", "score": 0.412, "from": ["2024-11-20-dns"]}])
    );
    assert_eq!(near["related"], serde_json::json!([]));
}

#[test]
fn feed_and_sitemap_use_base_url_and_no_clock() {
    let (archive, insights) = sample();
    let relative = render(&archive, &insights, Config::default());
    let feed = &relative["feed.xml"];
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    ));
    assert_eq!(feed.matches("<entry>").count(), 4);
    assert!(
        feed.contains("<updated>2025-08-01T00:00:00Z</updated>\n  <generator>"),
        "feed updated = newest incident"
    );
    assert!(feed.contains("<id>urn:hindsight:incident:2025-03-02-db-pool</id>"));
    assert!(feed.contains(
        r#"<link rel="alternate" type="text/html" href="incidents/2025-03-02-db-pool/index.html"/>"#
    ));
    let sitemap = &relative["sitemap.xml"];
    assert!(
        sitemap.contains("<loc>index.html</loc>")
            && sitemap.contains("<loc>causes/dns/index.html</loc>")
    );
    // Regression: the search page was added after the sitemap was made.
    assert!(
        sitemap.contains("<loc>search/index.html</loc>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>dashboard/index.html</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("404.html"));
    let config = Config {
        base_url: "https://pm.example.com/".into(),
        ..Config::default()
    };
    let absolute = render(&archive, &insights, config);
    assert!(
        absolute["feed.xml"]
            .contains("<id>https://pm.example.com/incidents/2025-03-02-db-pool/index.html</id>")
    );
    assert!(
        absolute["sitemap.xml"]
            .contains("<loc>https://pm.example.com/incidents/2024-11-20-dns/index.html</loc>")
    );
    assert!(
        absolute["404.html"].contains(r#"<base href="https://pm.example.com/">"#),
        "404 works at any depth with base_url"
    );
    assert!(!relative["404.html"].contains("<base"));
    assert!(
        relative["404.html"].contains("<style>/* hindsight default theme"),
        "404 carries its styles inline, so it is styled at any depth"
    );
    assert!(relative["404.html"].contains(r#"<a href="index.html">All post-mortems</a>"#));
}

/// `n` bare post-mortems titled `Incident 0`.. (ids `i000`..), one a day from `first`.
fn daily_incidents(n: i64, first: jiff::civil::Date) -> Vec<Incident> {
    (0..n)
        .map(|k| Incident {
            id: format!("i{k:03}"),
            title: format!("Incident {k}"),
            date: Some(first + jiff::Span::new().days(k)),
            ..Default::default()
        })
        .collect()
}

#[test]
fn feed_keeps_the_newest_fifty() {
    let out = render(
        &Archive::new(daily_incidents(60, date(2025, 1, 1))),
        &Insights::default(),
        Config::default(),
    );
    let feed = &out["feed.xml"];
    assert_eq!(feed.matches("<entry>").count(), 50);
    assert!(
        feed.contains("Incident 59")
            && feed.contains("Incident 10<")
            && !feed.contains("Incident 9<")
    );
}

#[test]
fn a_large_archive_home_lists_the_newest_and_links_every_year() {
    // 130 post-mortems a day apart from 2024-12-01: 31 in 2024, 99 in 2025.
    let out = render(
        &Archive::new(daily_incidents(130, date(2024, 12, 1))),
        &Insights::default(),
        Config::default(),
    );
    let home = &out["index.html"];
    assert_eq!(home.matches("<tr data-severity").count(), 100);
    assert!(home.contains("<caption>The 100 newest of 130 post-mortems</caption>"));
    // Newest first: the 30 oldest are left to the year pages.
    assert!(home.contains(">Incident 129<") && home.contains(">Incident 30<"));
    assert!(!home.contains(">Incident 29<") && !home.contains(">Incident 0<"));
    let years = between(home, "aria-label=\"Post-mortems by year\"", "</nav>");
    for (year, count) in [("2025", 99), ("2024", 31)] {
        let link =
            format!("href=\"years/{year}/index.html\">{year} <span class=\"count\">{count}</span>");
        assert!(years.contains(&link), "{link} in {years}");
        let page = &out[&format!("years/{year}/index.html")];
        assert_eq!(page.matches("<tr data-severity").count(), count);
    }
    assert!(out["years/2024/index.html"].contains(">Incident 0<"));
}

#[test]
fn rendering_twice_gives_identical_files() {
    let (archive, insights) = sample();
    assert_eq!(
        render(&archive, &insights, Config::default()),
        render(&archive, &insights, Config::default())
    );
}

#[test]
fn empty_archive_renders_every_page_family() {
    let out = render(&Archive::default(), &Insights::default(), Config::default());
    assert!(out["index.html"].contains("No post-mortems published yet"));
    assert!(out["action-items/index.html"].contains("No open action items"));
    assert!(
        out["causes/index.html"]
            .contains("<strong>Not recorded</strong>: no post-mortem gives a cause.")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out["api/incidents.json"]).unwrap()["incidents"],
        serde_json::json!([])
    );
}

#[test]
fn odd_ids_are_percent_encoded_in_links() {
    let odd = Incident {
        id: "2025 01 #1?".into(),
        title: "Odd".into(),
        date: Some(date(2025, 1, 1)),
        ..Default::default()
    };
    let out = render(
        &Archive::new(vec![odd]),
        &Insights::default(),
        Config::default(),
    );
    assert!(out.contains_key("incidents/2025 01 #1?/index.html"));
    assert!(out["index.html"].contains(r#"href="incidents/2025%2001%20%231%3F/index.html""#));
}

#[test]
fn incidents_missing_most_fields_still_render() {
    let bare = Incident {
        id: "bare".into(),
        title: "Bare".into(),
        action_items: vec![ActionItem {
            action: "Something".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let out = render(
        &Archive::new(vec![bare]),
        &Insights::default(),
        Config::default(),
    );
    let row = between(&out["index.html"], "<tbody>", "</tbody>");
    assert!(row.contains("no date") && row.contains("unrated") && row.contains("not labelled"));
    let page = &out["incidents/bare/index.html"];
    assert!(page.contains("<dt>Date</dt><dd><span class=\"muted\">unknown</span>"));
    assert!(page.contains("unassigned") && page.contains("status-unknown"));
    // An item without a status is listed apart, not as open.
    let actions = &out["action-items/index.html"];
    assert!(
        actions
            .contains(r#"<h2 id="no-status">Without a status <span class="count">1</span></h2>"#)
    );
    assert!(actions.contains("No action item is recorded as open."));
    assert!(
        !out.keys()
            .any(|k| k.starts_with("years/") && k != "years/index.html")
    );
}

/// Build a copy of the fixture site with the CLI; returns (temp dir, public dir).
pub fn build_fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = fixture_copy(name);
    let (code, _out, err) = run(
        dir.path(),
        &["build", "--root", ".", "--as-of", "2026-01-15"],
    );
    assert_eq!(code, 0, "build failed: {err}");
    let public = dir.path().join("public");
    (dir, public)
}

fn read(public: &Path, rel: &str) -> String {
    std::fs::read_to_string(public.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            out.insert(
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    out
}

#[test]
fn fixture_site_builds_byte_identical_twice() {
    let dir = fixture_copy("site");
    let build = |out: &str| {
        let (code, _, err) = run(
            dir.path(),
            &[
                "build",
                "--root",
                ".",
                "--as-of",
                "2026-01-15",
                "--output",
                out,
            ],
        );
        assert_eq!(code, 0, "{err}");
        snapshot(&dir.path().join(out))
    };
    let (a, b) = (build("public"), build("public2"));
    assert!(a.len() > 20, "{} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between builds");
    }
}

#[test]
fn fixture_site_pages_show_parsed_values() {
    let (_dir, public) = build_fixture("site");
    let home = read(&public, "index.html");
    for title in [
        "Checkout database pool exhausted",
        "Checkout pool exhausted again",
        "Expired TLS certificate on the edge",
        "Config push broke search ranking",
    ] {
        assert!(home.contains(title), "{title} on the home page");
    }
    let page = read(&public, "incidents/2025-10-26-checkout-db-pool/index.html");
    assert!(page.contains(r#"href="../../severities/sev1/index.html">SEV1</a>"#));
    assert!(page.contains(r#"href="../../services/checkout/index.html">checkout</a>"#));
    assert!(
        page.contains("<dt>Time to resolve</dt><dd>1 h</dd>"),
        "{}",
        between(&page, r#"<dl class="durations">"#, "</dl>")
    );
    assert!(
        page.contains(
            r#"<time datetime="2025-10-26T14:05:00Z" title="2025-10-26 14:05 UTC">14:05</time>"#
        ),
        "timeline from the table"
    );
    let actions = read(&public, "action-items/index.html");
    assert!(actions.contains("as of <time datetime=\"2026-01-15\">2026-01-15</time>"));
    let json: serde_json::Value =
        serde_json::from_str(&read(&public, "api/incidents.json")).unwrap();
    assert_eq!(json["as_of"], "2026-01-15");
    let db = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2025-10-26-checkout-db-pool")
        .unwrap();
    assert_eq!(db["severity"], "SEV1");
    assert_eq!(db["causes"], serde_json::json!(["connection-leak"]));
    assert_eq!(db["durations"]["time_to_resolve"], 60);
    assert_eq!(db["action_items"].as_array().unwrap().len(), 3);
    let count = between(
        &read(&public, "causes/connection-leak/index.html"),
        r#"<strong class="term-count">"#,
        "</strong>",
    )
    .to_string();
    assert_eq!(count, "2");
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let dir = fixture_copy("site");
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::create_dir_all(dir.path().join("static")).unwrap();
    std::fs::write(dir.path().join("templates/incident.html"), "{% extends \"base.html\" %}{% block main %}<h1 class=\"custom\">CUSTOM {{ incident.title }}</h1>{% endblock main %}").unwrap();
    std::fs::write(
        dir.path().join("static/style.css"),
        "body { color: rebeccapurple; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let (code, _, err) = run(
        dir.path(),
        &["build", "--root", ".", "--as-of", "2026-01-15"],
    );
    assert_eq!(code, 0, "{err}");
    let public = dir.path().join("public");
    let page = read(&public, "incidents/2025-10-26-checkout-db-pool/index.html");
    assert!(
        page.contains("<h1 class=\"custom\">CUSTOM Checkout database pool exhausted</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<nav class=\"site-nav\""),
        "the default base.html still wraps it"
    );
    assert_eq!(
        read(&public, "static/style.css"),
        "body { color: rebeccapurple; }\n"
    );
    // The pages link the override under its own fingerprinted name.
    let linked = between(&page, r#"<link rel="stylesheet" href="../../"#, "\"");
    assert_ne!(linked, "static/style.css");
    assert_eq!(read(&public, linked), "body { color: rebeccapurple; }\n");
    assert!(public.join("static/logo.svg").is_file());
    assert!(
        public.join("static/hindsight.js").is_file(),
        "files not overridden stay"
    );
}

/// The render plan that `serve` renders lazily from: every file of the site belongs to
/// exactly one unit, found again from the file's path alone, and rendering unit by unit
/// gives what `render_site` gives.
#[test]
fn every_file_maps_back_to_the_unit_that_renders_it() {
    use hindsight::render::{self, Renderer, Unit, pages};
    let dir = fixture_copy("site");
    let root = dir.path().to_path_buf();
    let site = Site {
        config: Config::load(&root).unwrap(),
        root,
        as_of: date(2025, 12, 1),
        include_drafts: false,
    };
    let (archive, diagnostics) = hindsight::pipeline::load(&site);
    assert_eq!(diagnostics.error_count(), 0, "{diagnostics:?}");
    let (insights, _) = hindsight::pipeline::analyse(&site, &archive);
    let renderer = Renderer::new(&site).unwrap();
    let data = pages::PageData::new(&site, &archive, &insights);
    let model = pages::SiteModel::new(&site, &archive, &insights, &data);
    let units = render::units(&archive, &data);
    assert_eq!(units.last(), Some(&Unit::Sitemap));
    let mut by_unit: Vec<hindsight::site::OutputFile> = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    for unit in &units {
        let paths: Vec<String> = by_unit.iter().map(|f| f.path.clone()).collect();
        let files = render::render_unit(&renderer, &model, unit, &paths).unwrap();
        assert!(!files.is_empty(), "{unit:?} rendered nothing");
        for f in &files {
            assert_eq!(Unit::for_path(&f.path).as_ref(), Some(unit), "{}", f.path);
        }
        kinds.insert(std::mem::discriminant(unit));
        by_unit.extend(files);
    }
    assert_eq!(kinds.len(), 14, "every kind of unit is in the plan");
    let mut whole = render::render_site(&site, &archive, &insights).unwrap();
    whole.sort_by(|a, b| a.path.cmp(&b.path));
    by_unit.sort_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<&str> = by_unit.iter().map(|f| f.path.as_str()).collect();
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(paths, unique, "no file is rendered by two units");
    assert!(
        whole == by_unit,
        "render_site equals the units rendered one by one"
    );
    // Paths that name nothing the site can have.
    for path in [
        "incidents/index.html",
        "incidents//index.html",
        "services/a/b/index.html",
        "nowhere/x.html",
    ] {
        assert_eq!(Unit::for_path(path), None, "{path}");
    }
    assert_eq!(
        Unit::for_path("incidents/gone/index.html"),
        Some(Unit::Incident("gone".into()))
    );
    let gone = render::render_unit(&renderer, &model, &Unit::Incident("gone".into()), &[]).unwrap();
    assert!(
        gone.is_empty(),
        "an unknown incident renders nothing (a 404 in serve)"
    );
}
