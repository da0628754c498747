//! Trend dashboards: figures computed by hand (arithmetic in the comments) checked in
//! `api/trends.json` and on the pages, the min-incidents rule, empty months, undated
//! incidents and missing timestamps, a one-incident archive, data tables for every chart,
//! every dashboard link (with its #anchor) resolving, and a site's templates overriding
//! the dashboard's and its charts'. Archives are built in Rust so
//! these tests pin the dashboards alone; `fixture_site_builds_dashboards` goes through
//! the CLI and the parser with the YAML-front-matter fixture in tests/fixtures/dashboard.

use std::collections::{BTreeMap, BTreeSet};

use hindsight::config::Config;
use hindsight::model::*;
use hindsight::render::{Renderer, dashboard};
use hindsight::site::{OutputFile, Site};
use jiff::civil::{Date, date};
use serde_json::Value;

use crate::util::{fixture_copy, run};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn item(n: &str, priority: &str, due: Option<Date>, status: ActionItemStatus) -> ActionItem {
    ActionItem {
        number: Some(n.into()),
        action: format!("Action {n}"),
        priority: Some(priority.into()),
        owner: Some("sam".into()),
        due,
        status,
        status_text: status.as_str().into(),
        ..Default::default()
    }
}

fn durations(
    detect: Option<i64>,
    ack: Option<i64>,
    mitigate: Option<i64>,
    resolve: Option<i64>,
) -> Durations {
    Durations {
        time_to_detect: detect,
        time_to_acknowledge: ack,
        time_to_mitigate: mitigate,
        time_to_resolve: resolve,
    }
}

#[allow(clippy::too_many_arguments)]
fn incident(
    id: &str,
    day: Option<Date>,
    severity: &str,
    services: &[&str],
    teams: &[&str],
    causes: &[&str],
    d: Durations,
    items: Vec<ActionItem>,
) -> Incident {
    Incident {
        id: id.into(),
        title: format!("Incident {id}"),
        date: day,
        severity: Some(severity.into()),
        services: strings(services),
        teams: strings(teams),
        causes: strings(causes),
        durations: d,
        action_items: items,
        ..Default::default()
    }
}

/// As of 2025-12-31. Six incidents, one near miss, one undated post-mortem:
///
/// | id | date       | sev  | services | team     | causes          | TTD | TTA | TTM | TTR |
/// |----|------------|------|----------|----------|-----------------|-----|-----|-----|-----|
/// | a0 | 2025-07-14 | SEV1 | db       | payments | capacity        | 10  | 5   | 45  | 90  |
/// | a1 | 2025-10-05 | SEV1 | api, db  | payments | connection-leak | 5   | 6   | 30  | 60  |
/// | a2 | 2025-10-20 | SEV2 | api      | payments | connection-leak | –   | –   | 10  | 120 |
/// | a3 | 2025-12-02 | SEV2 | web      | frontend | bad-deploy      | 1   | 3   | 20  | 40  |
/// | a4 | 2025-12-10 | SEV3 | web      | frontend | –               | –   | –   | –   | –   |
/// | nm | 2025-12-15 | SEV4 | db       | payments | near miss       | –   | –   | 5   | –   |
/// | u1 | no date    | SEV3 | api      | payments | –               | –   | –   | –   | –   |
///
/// a2 repeats a1 (Insights::repeat_of). Action items (status as of 2025-12-31):
/// a0 #1 P1 delayed due 2025-08-01 (overdue 152 d); a1 #1 P1 done, #2 P2 planned due
/// 2025-11-01 (overdue 60 d); a3 #1 P1 in progress due 2026-01-15 (open), #2 P2 not
/// doing; a4 #1 P3 planned, no due date (open); nm #1 P2 done.
fn archive() -> (Archive, Insights) {
    use ActionItemStatus::*;
    let incidents = vec![
        incident(
            "a0",
            Some(date(2025, 7, 14)),
            "SEV1",
            &["db"],
            &["payments"],
            &["capacity"],
            durations(Some(10), Some(5), Some(45), Some(90)),
            vec![item("1", "P1", Some(date(2025, 8, 1)), Delayed)],
        ),
        incident(
            "a1",
            Some(date(2025, 10, 5)),
            "SEV1",
            &["api", "db"],
            &["payments"],
            &["connection-leak"],
            durations(Some(5), Some(6), Some(30), Some(60)),
            vec![
                item("1", "P1", Some(date(2025, 10, 20)), Done),
                item("2", "P2", Some(date(2025, 11, 1)), Planned),
            ],
        ),
        incident(
            "a2",
            Some(date(2025, 10, 20)),
            "SEV2",
            &["api"],
            &["payments"],
            &["connection-leak"],
            durations(None, None, Some(10), Some(120)),
            vec![],
        ),
        incident(
            "a3",
            Some(date(2025, 12, 2)),
            "SEV2",
            &["web"],
            &["frontend"],
            &["bad-deploy"],
            durations(Some(1), Some(3), Some(20), Some(40)),
            vec![
                item("1", "P1", Some(date(2026, 1, 15)), InProgress),
                item("2", "P2", None, NotDoing),
            ],
        ),
        incident(
            "a4",
            Some(date(2025, 12, 10)),
            "SEV3",
            &["web"],
            &["frontend"],
            &[],
            Durations::default(),
            vec![item("1", "P3", None, Planned)],
        ),
        Incident {
            kind: IncidentKind::NearMiss,
            ..incident(
                "nm",
                Some(date(2025, 12, 15)),
                "SEV4",
                &["db"],
                &["payments"],
                &["capacity"],
                durations(None, None, Some(5), None),
                vec![item("1", "P2", None, Done)],
            )
        },
        incident(
            "u1",
            None,
            "SEV3",
            &["api"],
            &["payments"],
            &[],
            Durations::default(),
            vec![],
        ),
    ];
    let mut insights = Insights::default();
    insights.repeat_of.insert(
        "a2".into(),
        RepeatOf {
            id: "a1".into(),
            cause: "connection-leak".into(),
            days_between: 15,
            inferred: false,
        },
    );
    (Archive::new(incidents), insights)
}

const AS_OF: Date = date(2025, 12, 31);

/// Render the dashboards of `archive` alone, as `render_site` does.
fn render(archive: &Archive, insights: &Insights, config: Config) -> BTreeMap<String, String> {
    let (_root, site) = site(config);
    let renderer = Renderer::new(&site).unwrap();
    let files: Vec<OutputFile> = dashboard::render(&renderer, &site, archive, insights).unwrap();
    let mut out = BTreeMap::new();
    for f in files {
        let previous = out.insert(f.path.clone(), String::from_utf8(f.bytes).unwrap());
        assert!(previous.is_none(), "{} rendered twice", f.path);
    }
    out
}

fn json(files: &BTreeMap<String, String>) -> Value {
    serde_json::from_str(&files["api/trends.json"]).unwrap()
}

fn period<'a>(scope: &'a Value, key: &str) -> &'a Value {
    scope["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == key)
        .unwrap_or_else(|| panic!("period {key}"))
}

fn metric<'a>(period: &'a Value, key: &str) -> &'a Value {
    period["durations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == key)
        .unwrap()
}

/// The HTML of the `<figure id=...>`.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"<figure class="dash-figure" id="{id}">"#))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let end = html[start..].find("</figure>").unwrap() + start;
    &html[start..end]
}

/// Cells of the data-table row whose header cell is `label`, as text.
fn row(html: &str, label: &str) -> Vec<String> {
    let start = html
        .find(&format!(r#"<th scope="row">{label}</th>"#))
        .unwrap_or_else(|| panic!("no row {label}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    let mut cells = Vec::new();
    let mut rest = &html[start..end];
    while let Some(open) = rest.find("<td") {
        let body_start = rest[open..].find('>').unwrap() + open + 1;
        let close = rest[body_start..].find("</td>").unwrap() + body_start;
        cells.push(strip_tags(&rest[body_start..close]));
        rest = &rest[close..];
    }
    cells
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn counts_per_month_and_severity_include_empty_months() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let trends = json(&files);
    let all = period(&trends["org"], "all");
    // Span 2025-07-14 ..= 2025-12-31 (as of): six months, Aug, Sep and Nov empty.
    assert_eq!(all["start"], "2025-07-14");
    assert_eq!(all["end"], "2025-12-31");
    assert_eq!(all["granularity"], "month");
    let counts = all["counts"].as_array().unwrap();
    let keys: Vec<&str> = counts.iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"
        ]
    );
    let incidents: Vec<u64> = counts
        .iter()
        .map(|c| c["incidents"].as_u64().unwrap())
        .collect();
    // Jul a0; Oct a1 + a2; Dec a3 + a4 (nm is a near miss, u1 has no date).
    assert_eq!(incidents, [1, 0, 0, 2, 0, 2]);
    assert_eq!(
        counts[3]["by_severity"],
        serde_json::json!({"SEV1": 1, "SEV2": 1})
    );
    assert_eq!(
        counts[5]["by_severity"],
        serde_json::json!({"SEV2": 1, "SEV3": 1})
    );
    assert_eq!(counts[5]["near_misses"], 1);
    assert_eq!(all["headline"]["incidents"], 5);
    assert_eq!(all["headline"]["near_misses"], 1);
    // SEV1 + SEV2: a0, a1, a2, a3.
    assert_eq!(all["headline"]["high_severity"], 4);
    assert_eq!(all["undated"], 1);

    let html = &files["dashboard/index.html"];
    let chart = figure(html, "chart-incidents");
    // Columns: SEV1 SEV2 SEV3 SEV4 | near misses | incidents.
    assert_eq!(row(chart, "Oct 2025"), ["1", "1", "0", "0", "0", "2"]);
    assert_eq!(row(chart, "Aug 2025"), ["0", "0", "0", "0", "0", "0"]);
    assert_eq!(row(chart, "Dec 2025"), ["0", "1", "1", "0", "1", "2"]);
    assert!(
        html.contains("1 post-mortem has no date, so they appear on no chart."),
        "undated notice"
    );
    assert!(html.contains("Figures as of <time datetime=\"2025-12-31\">2025-12-31</time>"));
}

#[test]
fn medians_and_p90s_with_n_and_missing() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let trends = json(&files);
    let all = period(&trends["org"], "all");
    // TTM of incidents (nm excluded, a4 missing): [10, 20, 30, 45].
    // median h = 3 * 0.5 = 1.5 → 20 + 0.5 * 10 = 25; p90 h = 2.7 → 30 + 0.7 * 15 = 40.5;
    // p25 h = 0.75 → 10 + 0.75 * 10 = 17.5; p75 h = 2.25 → 30 + 0.25 * 15 = 33.75 → 33.8.
    let ttm = &metric(all, "time_to_mitigate")["overall"];
    assert_eq!(ttm["n"], 4);
    assert_eq!(ttm["missing"], 1);
    assert_eq!(ttm["median"], 25.0);
    assert_eq!(ttm["p90"], 40.5);
    assert_eq!(ttm["p25"], 17.5);
    assert_eq!(ttm["p75"], 33.8);
    // TTR [40, 60, 90, 120]: median 75; p90 h = 2.7 → 90 + 0.7 * 30 = 111.
    let ttr = &metric(all, "time_to_resolve")["overall"];
    assert_eq!(
        (
            ttr["n"].as_u64(),
            ttr["median"].as_f64(),
            ttr["p90"].as_f64()
        ),
        (Some(4), Some(75.0), Some(111.0))
    );
    // TTD [1, 5, 10], a2 and a4 missing: median 5; p90 h = 1.8 → 5 + 0.8 * 5 = 9.
    let ttd = &metric(all, "time_to_detect")["overall"];
    assert_eq!(
        (
            ttd["n"].as_u64(),
            ttd["missing"].as_u64(),
            ttd["median"].as_f64(),
            ttd["p90"].as_f64()
        ),
        (Some(3), Some(2), Some(5.0), Some(9.0))
    );
    // Per quarter, TTM: Q3 [45] (n=1); Q4 [10, 20, 30] + a4 missing: median 20,
    // p25 h = 0.5 → 15, p75 h = 1.5 → 25, p90 h = 1.8 → 20 + 0.8 * 10 = 28.
    let quarters = metric(all, "time_to_mitigate")["by_quarter"]
        .as_array()
        .unwrap();
    assert_eq!(quarters.len(), 2);
    assert_eq!(
        (
            quarters[0]["key"].as_str(),
            quarters[0]["n"].as_u64(),
            quarters[0]["median"].as_f64()
        ),
        (Some("2025-Q3"), Some(1), Some(45.0))
    );
    assert_eq!(
        (
            quarters[1]["n"].as_u64(),
            quarters[1]["missing"].as_u64(),
            quarters[1]["median"].as_f64(),
            quarters[1]["p90"].as_f64()
        ),
        (Some(3), Some(1), Some(20.0), Some(28.0))
    );

    let html = &files["dashboard/index.html"];
    let chart = figure(html, "chart-time-to-mitigate");
    // Columns: n | missing | median | p25 | p75 | p90 (minutes).
    assert_eq!(row(chart, "Q4 2025"), ["3", "1", "20", "15", "25", "28"]);
    assert_eq!(row(chart, "Q3 2025"), ["1", "0", "45", "45", "45", "45"]);
    assert_eq!(
        row(chart, "whole period"),
        ["4", "1", "25", "17.5", "33.8", "40.5"]
    );
    assert!(chart.contains("n=3 · 1 missing"), "n beside the quarter");
    // Q3 rests on one incident (< 3): dots only, no box; Q4 has a box.
    assert_eq!(chart.matches(r#"class="box""#).count(), 1);
    // One dot per incident with the duration: a0, a1, a2, a3, each linking to it.
    assert_eq!(chart.matches("<circle").count(), 4);
    assert!(chart.contains(r#"<a href="../incidents/a0/index.html"><title>Incident a0 (2025-07-14): 45 min</title><circle"#));
    // Headline: median 25 min, n and missing beside it, p90.
    assert!(html.contains(r#"<dt>Median time to mitigate</dt><dd><a class="value" href="lists/all/index.html">25 min</a><span class="detail">n=4 · 1 missing · p90 41 min</span>"#), "headline");
    assert!(html.contains(r#"<dt>Median time to resolve</dt><dd><a class="value" href="lists/all/index.html">1 h 15 min</a><span class="detail">n=4 · 1 missing · p90 1 h 51 min</span>"#), "75 min and p90 111 min, in the one duration format");
}

#[test]
fn causes_repeats_and_heat_map() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let trends = json(&files);
    let all = period(&trends["org"], "all");
    // Mentions: connection-leak 2 (a1, a2), bad-deploy 1, capacity 1 (nm excluded) = 4.
    let pareto: Vec<(String, u64, f64, f64)> = all["causes"]["pareto"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["cause"].as_str().unwrap().to_string(),
                p["count"].as_u64().unwrap(),
                p["share"].as_f64().unwrap(),
                p["cumulative_share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pareto,
        [
            ("connection-leak".to_string(), 2, 0.5, 0.5),
            ("bad-deploy".to_string(), 1, 0.25, 0.75),
            ("capacity".to_string(), 1, 0.25, 1.0)
        ]
    );
    assert_eq!(all["causes"]["incidents_without_cause"], 1);
    // Repeat rate: a2 of 5 incidents = 0.2.
    assert_eq!(
        all["headline"]["repeat_rate"],
        serde_json::json!({"repeats": 1, "incidents": 5, "rate": 0.2})
    );
    // Heat map, weights SEV1 8, SEV2 4, SEV3 2: db = a0 (Jul) 8 + a1 (Oct) 8 = 16;
    // api = a1 8 + a2 4 = 12 (Oct); web = a3 4 + a4 2 = 6 (Dec).
    let rows: Vec<(String, u64)> = all["heatmap"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["service"].as_str().unwrap().to_string(),
                r["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("db".to_string(), 16),
            ("api".to_string(), 12),
            ("web".to_string(), 6)
        ]
    );
    assert_eq!(
        json(&files)["severity_weights"],
        serde_json::json!({"SEV1": 8, "SEV2": 4, "SEV3": 2, "SEV4": 1, "unknown": 1})
    );

    let html = &files["dashboard/index.html"];
    assert!(html.contains(r#"<strong>Repeat rate: <a href="lists/all/causes/index.html#repeats">20%</a></strong> — 1 of 5 incidents"#));
    // Columns: Jul .. Dec | total weight | incidents.
    assert_eq!(
        row(figure(html, "chart-heatmap"), "api"),
        ["0", "0", "0", "12 (2)", "0", "0", "12", "2"]
    );
    assert_eq!(
        row(figure(html, "chart-pareto"), "connection-leak"),
        ["2", "50%", "50%"]
    );
    let causes = &files["dashboard/lists/all/causes/index.html"];
    assert!(
        causes.contains(r#"id="repeats""#)
            && causes.contains("Incident a2</a> (2025-10-20) repeats")
    );
}

#[test]
fn action_items_overdue_against_as_of() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let trends = json(&files);
    let actions = &period(&trends["org"], "all")["action_items"];
    // 7 items: done 2 (a1#1, nm#1), open 2 (a3#1, a4#1 without due), overdue 2 (a0#1, a1#2),
    // not doing 1 (a3#2). Completion 2 / (7 - 1) = 0.333.
    assert_eq!(
        (
            actions["total"].as_u64(),
            actions["done"].as_u64(),
            actions["open"].as_u64(),
            actions["overdue"].as_u64(),
            actions["not_doing"].as_u64(),
            actions["open_without_due"].as_u64()
        ),
        (Some(7), Some(2), Some(2), Some(2), Some(1), Some(1))
    );
    assert_eq!(actions["completion_rate"], 0.333);
    // Ages of open + overdue items (days from incident date to 2025-12-31):
    // a0 170, a1 87, a3 29, a4 21 → median (29 + 87) / 2 = 58.
    assert_eq!(actions["median_open_age_days"], 58.0);
    // Oldest overdue: a0#1 due 2025-08-01 (152 days), then a1#2 due 2025-11-01 (60 days).
    let overdue: Vec<(&str, i64)> = actions["oldest_overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["incident"].as_str().unwrap(),
                o["days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(overdue, [("a0", 152), ("a1", 60)]);
    // By priority: P1 = a0#1 overdue, a1#1 done, a3#1 open → 1/3; ages 170, 29 → 99.5.
    // P2 = a1#2 overdue, a3#2 not doing, nm#1 done → 1/2; P3 = a4#1 open → 0.
    let p: BTreeMap<&str, (f64, Option<f64>)> = actions["by_priority"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                (
                    g["completion_rate"].as_f64().unwrap(),
                    g["median_open_age_days"].as_f64(),
                ),
            )
        })
        .collect();
    assert_eq!(
        p,
        BTreeMap::from([
            ("P1", (0.333, Some(99.5))),
            ("P2", (0.5, Some(87.0))),
            ("P3", (0.0, Some(21.0)))
        ])
    );
    // By team: payments = a0#1, a1#1, a1#2, nm#1 → done 2 of 4, ages 170, 87 → 128.5.
    let payments = actions["by_team"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "payments")
        .unwrap();
    assert_eq!(
        (
            payments["total"].as_u64(),
            payments["completion_rate"].as_f64(),
            payments["median_open_age_days"].as_f64()
        ),
        (Some(4), Some(0.5), Some(128.5))
    );

    let html = &files["dashboard/index.html"];
    assert!(html.contains("7 items: 2 done, 2 open (1 without a due date), <strong>2 overdue</strong> as of 2025-12-31, 1 not doing. Completion rate <strong>33.3%</strong>"));
    assert!(html.contains("Median age of open items: <strong>58 days</strong>"));
    let oldest = &html[html.find("Oldest overdue items").unwrap()..];
    assert_eq!(
        row(oldest, "2025-08-01"),
        ["152", "Action 1", "P1", "sam", "Incident a0"]
    );
    assert!(oldest.contains(r#"<a href="../incidents/a0/index.html">Incident a0</a>"#));
    // Columns: items done open overdue not-doing no-status rate age.
    assert_eq!(row(html, "P2"), ["3", "1", "0", "1", "1", "0", "50%", "87"]);
}

#[test]
fn min_incidents_rule_withholds_trends_and_comparisons() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let trends = json(&files);
    // Last 90 days of 2025-12-31: 2025-10-03 ..= 2025-12-31 holds a1, a2, a3, a4 (4 ≥ 3);
    // the previous 90 days (2025-07-05 ..= 2025-10-02) hold a0 only: no comparison.
    let recent = period(&trends["org"], "last-90-days");
    assert_eq!(
        (
            recent["start"].as_str(),
            recent["headline"]["incidents"].as_u64(),
            recent["enough_data"].as_bool()
        ),
        (Some("2025-10-03"), Some(4), Some(true))
    );
    assert_eq!(recent["comparison"]["start"], "2025-07-05");
    assert_eq!(recent["comparison"]["previous"]["incidents"], 1);
    assert_eq!(recent["comparison"]["comparable"], false);
    let html = &files["dashboard/last-90-days/index.html"];
    assert!(
        html.contains("No comparison: the previous 90 days rest on 1 incident (fewer than 3).")
    );
    assert!(
        html.contains(r#"<a href="../last-year/index.html">Last year</a>"#),
        "period switch works without JS"
    );
    assert!(html.contains(r#"<a href="index.html" aria-current="page">Last 90 days</a>"#));

    // Team frontend: a3 and a4 only (2 < 3): no charts, a message instead.
    let frontend = period(&trends["teams"]["frontend"], "all");
    assert_eq!(frontend["enough_data"], false);
    let page = &files["dashboard/teams/frontend/index.html"];
    assert!(page.contains("2 incidents in this period (2025-12-02 to 2025-12-31). Trends and comparisons need at least 3, so no charts are drawn"));
    assert!(!page.contains("<svg"), "no chart below the minimum");

    // With min_incidents = 1 the same team gets charts, and 90-day comparisons are drawn
    // where both periods have an incident: org previous 90 days = a0 (1 incident).
    let mut config = Config::default();
    config.dashboard.min_incidents = 1;
    let files = render(&archive, &insights, config);
    assert!(files["dashboard/teams/frontend/index.html"].contains("<svg"));
    let html = &files["dashboard/last-90-days/index.html"];
    assert!(
        html.contains("previous 90 days: 1 (+3)"),
        "incidents 4 now vs 1 before"
    );
    // TTM now [10, 20, 30] median 20 vs a0's 45 before.
    assert!(html.contains("previous 90 days: 45 min (n=1)"));
}

#[test]
fn one_incident_archive_shows_message_and_no_trend() {
    let archive = Archive::new(vec![incident(
        "only",
        Some(date(2025, 11, 3)),
        "SEV2",
        &["api"],
        &["core"],
        &["bug"],
        durations(Some(4), Some(6), Some(12), Some(30)),
        vec![],
    )]);
    let files = render(&archive, &Insights::default(), Config::default());
    let html = &files["dashboard/index.html"];
    assert!(html.contains("1 incident in this period (2025-11-03 to 2025-12-31). Trends and comparisons need at least 3, so no charts are drawn"));
    assert!(!html.contains("<svg"));
    assert!(html.contains(r#"<dt>Median time to mitigate</dt><dd><a class="value" href="lists/all/index.html">12 min</a><span class="detail">n=1 · 0 missing"#));
    let trends = json(&files);
    let all = period(&trends["org"], "all");
    assert_eq!(
        (
            all["headline"]["incidents"].as_u64(),
            all["enough_data"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert_eq!(metric(all, "time_to_mitigate")["overall"]["median"], 12.0);
    // Team and service dashboards exist for it too.
    assert!(files.contains_key("dashboard/teams/core/index.html"));
    assert!(files.contains_key("dashboard/services/api/last-year/index.html"));
}

#[test]
fn empty_archive_renders_without_charts() {
    let files = render(&Archive::default(), &Insights::default(), Config::default());
    let trends = json(&files);
    let all = period(&trends["org"], "all");
    assert_eq!(all["headline"]["incidents"], 0);
    assert!(files["dashboard/index.html"].contains("0 incidents in this period"));
    assert!(files["dashboard/lists/all/index.html"].contains("No post-mortems in this period."));
}

#[test]
fn every_chart_has_a_data_table_and_every_mark_a_title_and_link() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let pages: Vec<&String> = files
        .iter()
        .filter(|(p, _)| p.ends_with("index.html") && !p.contains("/lists/"))
        .map(|(_, h)| h)
        .collect();
    assert!(
        pages.len() >= 3 * (1 + 2 + 3),
        "org, two teams, three services × three periods"
    );
    let mut charts = 0;
    for html in pages {
        let svgs = html.matches("<svg").count();
        charts += svgs;
        assert_eq!(
            svgs,
            html.matches(r#"<details class="data-table">"#).count(),
            "one data table per chart"
        );
        for mark in ["<rect x", "<circle"] {
            for (pos, _) in html.match_indices(mark) {
                let before = &html[..pos];
                let a_open = before.rfind("<a href=");
                let after = &html[pos..];
                let is_decor = before.ends_with(r#"<rect class="row-bg" "#)
                    || after.starts_with(r#"<circle class="cumulative""#);
                if is_decor {
                    continue;
                }
                let a = a_open
                    .filter(|a| !before[*a..].contains("</a>"))
                    .unwrap_or_else(|| {
                        panic!("mark not inside a link: {}", &after[..80.min(after.len())])
                    });
                // The tooltip is the link's first child, so it names the whole mark.
                let link = &before[a..];
                let title_start = link.find("><title>").expect("title first");
                assert!(
                    !link[..title_start].contains('>')
                        && link[title_start..].contains("</title>")
                        && !link[title_start + 8..].starts_with("</title>"),
                    "mark without a title: {link}"
                );
            }
        }
    }
    assert!(charts > 20, "{charts} charts");
}

#[test]
fn every_dashboard_link_and_anchor_resolves() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let incident_pages: BTreeSet<String> = archive
        .incidents
        .iter()
        .map(|i| format!("incidents/{}/index.html", i.id))
        .collect();
    let ids = |html: &str| -> BTreeSet<String> {
        html.match_indices(" id=\"")
            .map(|(p, _)| html[p + 5..].split('"').next().unwrap().to_string())
            .collect()
    };
    let mut checked = 0;
    for (path, html) in &files {
        if !path.starts_with("dashboard/") {
            continue;
        }
        for (p, _) in html.match_indices("href=\"") {
            let target = html[p + 6..]
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&");
            if target.starts_with("http") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let resolved = if file.is_empty() {
                path.clone()
            } else {
                resolve(path, file)
            };
            checked += 1;
            if resolved.starts_with("incidents/") {
                assert!(
                    incident_pages.contains(&resolved),
                    "{path}: {target} → {resolved}"
                );
                continue;
            }
            if !resolved.starts_with("dashboard/") && resolved != "api/trends.json" {
                // Theme files and other page families are checked by the site-wide link test.
                continue;
            }
            let Some(target_html) = files.get(&resolved) else {
                panic!("{path}: link {target} → missing {resolved}")
            };
            if !anchor.is_empty() {
                assert!(
                    ids(target_html).contains(anchor),
                    "{path}: anchor #{anchor} missing in {resolved}"
                );
            }
        }
    }
    assert!(checked > 500, "{checked} links checked");
}

/// `from` is a file path; `rel` a relative link from it.
fn resolve(from: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn drill_down_sections_list_exactly_the_counted_incidents() {
    let (archive, insights) = archive();
    let files = render(&archive, &insights, Config::default());
    let list = &files["dashboard/lists/all/index.html"];
    // The Oct 2025 SEV1 bar counts a1 only; its section lists a1 only.
    let sev1 = section(list, "t-2025-10-sev1");
    assert!(
        sev1.contains("Incident a1") && !sev1.contains("Incident a2"),
        "{sev1}"
    );
    assert!(section(list, "t-2025-12-near-miss").contains("Incident nm"));
    assert!(section(list, "undated").contains("Incident u1"));
    let services = &files["dashboard/lists/all/services/index.html"];
    let api_oct = section(services, "s-api-2025-10");
    assert!(
        api_oct.contains("Incident a1")
            && api_oct.contains("Incident a2")
            && !api_oct.contains("Incident a0")
    );
    let causes = &files["dashboard/lists/all/causes/index.html"];
    assert!(section(causes, "c-connection-leak-2025-q4").contains("Incident a2"));
    assert!(section(causes, "no-cause").contains("Incident a4"));
    // A service's heat map is its own row: its cells link to the by-time list's table
    // of the month's incidents (near misses apart), and it has no list by service.
    let mut config = Config::default();
    config.dashboard.min_incidents = 1;
    let files = render(&archive, &insights, config);
    let db = &files["dashboard/services/db/index.html"];
    let heat = figure(db, "chart-heatmap");
    assert!(
        heat.contains(r#"<a href="lists/all/index.html#t-2025-10-incidents" class="h5"><title>db · Oct 2025: weight 8 from 1 incident</title>"#),
        "{heat}"
    );
    let db_list = &files["dashboard/services/db/lists/all/index.html"];
    let october = section(db_list, "t-2025-10-incidents");
    assert!(october.contains("Incident a1") && !october.contains("Incident a0"));
    // December holds only the near miss nm: no incidents' table, the near miss apart.
    assert!(!db_list.contains(r#"id="t-2025-12-incidents""#));
    assert!(section(db_list, "t-2025-12-near-miss").contains("Incident nm"));
    assert!(!files.contains_key("dashboard/services/db/lists/all/services/index.html"));
    assert!(
        !db.contains("lists/all/services/"),
        "no link to a list by service"
    );
}

/// The element with `id` (a `<section>` or a list's `<tbody>`), up to its first closing tag.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#" id="{id}""#))
        .unwrap_or_else(|| panic!("no section {id}"));
    let tag_start = html[..start].rfind('<').unwrap() + 1;
    let tag = html[tag_start..start].split(' ').next().unwrap();
    let close = format!("</{tag}>");
    let end = html[start..].find(&close).unwrap() + start;
    &html[start..end]
}

#[test]
fn output_is_deterministic() {
    let (archive, insights) = archive();
    let a = render(&archive, &insights, Config::default());
    let b = render(&archive, &insights, Config::default());
    assert_eq!(a, b);
}

#[test]
fn fixture_site_builds_dashboards() {
    let site = fixture_copy("dashboard");
    let (code, _out, err) = run(site.path(), &["build", "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{err}");
    let trends: Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("public/api/trends.json")).unwrap(),
    )
    .unwrap();
    let all = period(&trends["org"], "all");
    // The fixture mirrors `archive()` minus the undated post-mortem: same figures.
    let incidents: Vec<u64> = all["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["incidents"].as_u64().unwrap())
        .collect();
    assert_eq!(incidents, [1, 0, 0, 2, 0, 2]);
    let ttm = &metric(all, "time_to_mitigate")["overall"];
    assert_eq!(
        (
            ttm["n"].as_u64(),
            ttm["missing"].as_u64(),
            ttm["median"].as_f64(),
            ttm["p90"].as_f64()
        ),
        (Some(4), Some(1), Some(25.0), Some(40.5))
    );
    assert_eq!(all["action_items"]["overdue"], 2);
    let html = std::fs::read_to_string(site.path().join("public/dashboard/index.html")).unwrap();
    assert!(html.contains(">25 min</a>"));
    assert!(
        site.path()
            .join("public/dashboard/teams/payments/last-90-days/index.html")
            .is_file()
    );
}

fn site(config: Config) -> (tempfile::TempDir, Site) {
    let root = tempfile::tempdir().unwrap();
    let site = Site {
        root: root.path().to_path_buf(),
        config,
        as_of: AS_OF,
        include_drafts: false,
    };
    (root, site)
}

#[test]
fn scopes_render_alone_and_together_byte_for_byte() {
    let (mut archive, insights) = archive();
    // "Web" and "web " share the slug of `web`: only the first by name gets pages.
    archive.incidents[3].services.push("Web".into());
    let archive = Archive::new(archive.incidents);
    let (_root, site) = site(Config::default());
    let renderer = Renderer::new(&site).unwrap();
    let keys = dashboard::scope_keys(&archive);
    let names: Vec<(&str, &str)> = keys
        .iter()
        .map(|k| (k.kind.as_str(), k.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("org", ""),
            ("team", "frontend"),
            ("team", "payments"),
            ("service", "Web"),
            ("service", "api"),
            ("service", "db"),
        ],
        "org, teams, services, sorted; `web` shares Web's folder"
    );
    let whole: BTreeMap<String, Vec<u8>> = dashboard::render(&renderer, &site, &archive, &insights)
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.bytes))
        .collect();
    let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let json = dashboard::trends_json(&site, &archive, &insights).unwrap();
    assert_eq!(json.path, dashboard::TRENDS_JSON);
    parts.insert(json.path, json.bytes);
    for key in &keys {
        let files = dashboard::render_scope(&renderer, &site, &archive, &insights, key).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            dashboard::scope_paths(key.kind, &key.name),
            "{key:?} writes exactly its listed files"
        );
        for f in files {
            assert!(
                f.path.starts_with(&key.base()),
                "{} outside {}",
                f.path,
                key.base()
            );
            assert_eq!(
                dashboard::scope_for_path(&archive, &f.path).as_ref(),
                Some(key),
                "{} found again",
                f.path
            );
            assert!(
                parts.insert(f.path.clone(), f.bytes).is_none(),
                "{} twice",
                f.path
            );
        }
    }
    assert_eq!(parts.len(), whole.len());
    for (path, bytes) in &whole {
        assert!(parts.get(path) == Some(bytes), "{path} differs");
    }
    // The export still covers `web`, which has no pages of its own.
    let trends: Value = serde_json::from_slice(&whole[dashboard::TRENDS_JSON]).unwrap();
    assert_eq!(trends["services"]["web"]["post_mortems"], 2);
}

#[test]
fn paths_map_to_their_scope_and_nothing_else() {
    let (archive, _) = archive();
    let find = |p: &str| dashboard::scope_for_path(&archive, p).map(|k| (k.kind.as_str(), k.name));
    assert_eq!(find("dashboard/index.html"), Some(("org", String::new())));
    assert_eq!(
        find("dashboard/lists/last-year/causes/index.html"),
        Some(("org", String::new()))
    );
    // The organisation's folder is a prefix of every other: no longest-prefix guessing.
    assert_eq!(
        find("dashboard/teams/payments/last-90-days/index.html"),
        Some(("team", "payments".to_string()))
    );
    assert_eq!(
        find("dashboard/services/db/lists/all/causes/index.html"),
        Some(("service", "db".to_string()))
    );
    for not_a_page in [
        "dashboard/teams/index.html",
        "dashboard/teams/nobody/index.html",
        "dashboard/services/db/extra/index.html",
        // A service has no list by service.
        "dashboard/services/db/lists/all/services/index.html",
        "dashboard/lists/index.html",
        "dashboard/",
        "incidents/a0/index.html",
        "api/trends.json",
    ] {
        assert_eq!(find(not_a_page), None, "{not_a_page}");
    }
    let (_root, site) = site(Config::default());
    let renderer = Renderer::new(&site).unwrap();
    let nobody = dashboard::ScopeKey {
        kind: hindsight::analysis::trends::ScopeKind::Team,
        name: "nobody".into(),
    };
    let err = dashboard::render_scope(&renderer, &site, &archive, &Insights::default(), &nobody)
        .unwrap_err();
    assert_eq!(err.to_string(), "no dashboard for team `nobody`");
}

/// A site overrides the dashboards as it does every page: a template of its own
/// `templates/` folder replaces the theme's, be it a page of the dashboards or the
/// file of chart components, and the pages carry its markup with the same view models.
#[test]
fn site_templates_override_dashboard_pages_and_chart_components() {
    let (archive, insights) = archive();
    let (root, site) = site(Config::default());
    let theme = hindsight::render::Theme::load(root.path()).unwrap();
    let templates = root.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    // The theme's chart components with the stacked bar chart drawn as a list.
    let charts = &theme.templates["charts.html"];
    let start = charts.find("{%- component chart.bars(c) -%}").unwrap();
    let end = charts.find("{%- endcomponent chart.bars %}").unwrap();
    let bars = r#"{%- component chart.bars(c) -%}
<ol class="my-bars">{% for layer in c.layers %}{% for m in layer.marks %}<li class="{{ layer.class }}"><a href="{{ m.href }}">{{ m.title }}</a></li>{% endfor %}{% endfor %}</ol>
"#;
    let charts = [&charts[..start], bars, &charts[end..]].concat();
    std::fs::write(templates.join("charts.html"), charts).unwrap();
    // A drill-down list of the site's own.
    std::fs::write(
        templates.join("dashboard_list_causes.html"),
        r#"{% extends "dashboard_list.html" %}{% block list %}<p class="my-causes">{% for c in causes %}{{ c.name }}: {{ c.count }}; {% endfor %}</p>{% endblock list %}"#,
    )
    .unwrap();
    let renderer = Renderer::new(&site).unwrap();
    let files: BTreeMap<String, String> = dashboard::render(&renderer, &site, &archive, &insights)
        .unwrap()
        .into_iter()
        .map(|f| (f.path, String::from_utf8(f.bytes).unwrap()))
        .collect();
    let page = &files["dashboard/index.html"];
    let incidents = figure(page, "chart-incidents");
    assert!(
        incidents.contains(r#"<ol class="my-bars"><li class="sev0"><a href="lists/all/index.html#t-2025-07-sev1">Jul 2025 · SEV1: 1 incident</a></li>"#),
        "{incidents}"
    );
    assert!(!incidents.contains("<svg"), "{incidents}");
    assert!(
        incidents.contains(r#"<ul class="legend">"#) && incidents.contains("Data table: "),
        "the rest of the figure is still the theme's"
    );
    assert!(
        figure(page, "chart-pareto").contains(r#"<svg class="chart""#),
        "the other charts are still the theme's"
    );
    let list = &files["dashboard/lists/all/causes/index.html"];
    assert!(
        list.contains(r#"<p class="my-causes">connection-leak: 2 incidents; bad-deploy: 1 incident; capacity: 1 incident; </p>"#),
        "{list}"
    );
    assert!(list.contains(r#"<nav class="switch" aria-label="Grouping">"#));
}

/// The horizontal extents of the `<text class="{class}" x=…>` elements of `svg`
/// (centred text), estimated from the 10 px tick font × characters × 0.6 em.
fn text_boxes(svg: &str, class: &str) -> Vec<(f64, f64, String)> {
    let open = format!(r#"<text class="{class}" x=""#);
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        let x: f64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let body_start = rest.find('>').unwrap() + 1;
        let body_end = rest.find("</text>").unwrap();
        // A note carries its full text as a <title>; the drawn text follows it.
        let shown = strip_tags(match rest[body_start..body_end].rfind("</title>") {
            Some(t) => &rest[body_start + t + "</title>".len()..body_end],
            None => &rest[body_start..body_end],
        });
        let w = shown.chars().count() as f64 * 10.0 * 0.6;
        out.push((x - w / 2.0, x + w / 2.0, shown));
        rest = &rest[body_end..];
    }
    out
}

#[test]
fn duration_chart_labels_never_overlap() {
    // Six years, one incident a quarter, most without a time to detect: the notes under
    // the quarters ("n=0 · 1 missing") are as long as they get relative to the space.
    let incidents: Vec<Incident> = (0..24)
        .map(|q| {
            let day = date(2020 + (q / 4) as i16, (q % 4 * 3 + 1) as i8, 10);
            let ttd = (q % 5 == 0).then_some(12);
            incident(
                &format!("q{q}"),
                Some(day),
                "SEV2",
                &["api"],
                &["payments"],
                &["capacity"],
                durations(ttd, None, Some(30), Some(90)),
                Vec::new(),
            )
        })
        .collect();
    let archive = Archive::new(incidents);
    let mut config = Config::default();
    config.dashboard.min_incidents = 1;
    let files = render(&archive, &Insights::default(), config);
    let html = &files["dashboard/index.html"];
    let mut checked = 0;
    for id in [
        "chart-time-to-detect",
        "chart-time-to-acknowledge",
        "chart-time-to-mitigate",
        "chart-time-to-resolve",
    ] {
        let svg = figure(html, id);
        for class in ["tick", "note"] {
            let boxes: Vec<_> = text_boxes(svg, class)
                .into_iter()
                .filter(|(_, _, t)| class == "note" || t.starts_with('Q'))
                .collect();
            assert!(boxes.len() >= 4, "{id} {class}: {boxes:?}");
            for pair in boxes.windows(2) {
                assert!(
                    pair[0].1 <= pair[1].0,
                    "{id}: `{}` runs into `{}`",
                    pair[0].2,
                    pair[1].2
                );
            }
            checked += boxes.len();
        }
        // Too many quarters for "n=0 · 1 missing" under each: the short form is drawn,
        // the full note is its tooltip, and every quarter has its row in the data table.
        let notes = text_boxes(svg, "note");
        assert!(
            notes.iter().all(|(_, _, t)| t == "0/1" || t == "1/1"),
            "{notes:?}"
        );
        assert_eq!(
            svg.matches("<title>n=").count(),
            notes.len(),
            "each note's full text as its title"
        );
        // Q3 2021's one incident has no time to detect or acknowledge, and the other
        // two: n, then missing.
        let want = match id {
            "chart-time-to-detect" | "chart-time-to-acknowledge" => ["0", "1"],
            _ => ["1", "0"],
        };
        assert_eq!(row(svg, "Q3 2021")[..2], want, "{id}");
    }
    assert!(checked > 0);
}
