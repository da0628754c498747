//! Figures a manager can trust, on an archive kept the way many teams keep theirs
//! (tests/fixtures/unlabelled): no front matter, no severities, no cause labels, no
//! services, action items as plain bullets with a few task-list boxes and markers.
//! Statuses come only from explicit markers; items without one are counted apart and
//! kept out of open, overdue and completion figures; what no incident records reads
//! "not recorded", never 0; each part of an incident appears once on its page.

use serde_json::Value;

use crate::util::{fixture_copy, run};

const AS_OF: &str = "2024-06-30";

struct Built {
    _dir: tempfile::TempDir,
    public: std::path::PathBuf,
}

impl Built {
    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.public.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn json(&self, path: &str) -> Value {
        serde_json::from_str(&self.read(path)).unwrap()
    }
}

fn build() -> Built {
    let dir = fixture_copy("unlabelled");
    let (code, _, err) = run(dir.path(), &["build", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    let public = dir.path().join("public");
    Built { _dir: dir, public }
}

const FARM: &str = "incidents/pm2024-001-nightly-deploy-broke-the-build-farm/index.html";
const CERT: &str = "incidents/pm2024-002-certificate-on-the-artifact-store-expired/index.html";

/// An exported action item: action, status, owner, due date, overdue.
type Row = (String, String, Option<String>, Option<String>, bool);

#[test]
fn bullet_and_task_list_items_take_a_status_only_from_markers() {
    let site = build();
    let export = site.json("api/action-items.json");
    let rows: Vec<Row> = export["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["incident"] == "pm2024-001-nightly-deploy-broke-the-build-farm")
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
                a["owner"].as_str().map(str::to_string),
                a["due"].as_str().map(str::to_string),
                a["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        rows,
        [
            (
                "Disable pipeline until issue fixed".into(),
                "unknown".into(),
                None,
                None,
                false
            ),
            (
                "Document what can be done when the build queue backs up".into(),
                "unknown".into(),
                None,
                None,
                false
            ),
            (
                "Change scheduled deployment pipeline timeslot".into(),
                "unknown".into(),
                None,
                None,
                false
            ),
            (
                "Add an alert on build queue age @mira by 2024-02-01".into(),
                "done".into(),
                s("mira"),
                s("2024-02-01"),
                false
            ),
            (
                "Canary the agent image on two agents first (owner: Jon Park, due 2024-03-15)"
                    .into(),
                "open".into(),
                s("Jon Park"),
                s("2024-03-15"),
                true
            ),
            (
                "Move the pipeline schedule to UTC — DONE".into(),
                "done".into(),
                None,
                None,
                false
            ),
        ]
    );
    // "(in progress)" closing a bullet is a status; the other bullets have none.
    let statuses: Vec<&str> = export["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "unknown").count(), 7);
    assert_eq!(statuses.iter().filter(|s| **s == "in-progress").count(), 1);

    // The calendar holds only items known to be open with a due date: the canary.
    let ics = site.read("api/action-items.ics");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20240315"));
    // The CSV says `unknown` in the status column, with an empty status text.
    let csv = site.read("api/action-items.csv");
    assert!(
        csv.contains(",Disable pipeline until issue fixed,,,,,,unknown,,false,\r\n"),
        "{csv}"
    );
}

#[test]
fn open_overdue_and_completion_rest_on_items_with_a_status() {
    let site = build();
    // Home: 2 open (in progress, unticked) of 4 with a status, 1 overdue, 7 without.
    let home = site.read("index.html");
    assert!(home.contains("<strong>2</strong> open action items</a> <span class=\"muted\">of 4 with a status</span>"), "{home}");
    assert!(home.contains("<strong>1</strong> overdue</a>"));
    assert!(home.contains("<strong>7</strong> action items without a status</a>"));
    assert!(!home.contains("11 open"));

    let trends = site.json("api/trends.json");
    let all = trends["org"]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "all")
        .unwrap();
    let a = &all["action_items"];
    let counts: Vec<u64> = ["total", "done", "open", "overdue", "not_doing", "unknown"]
        .iter()
        .map(|k| a[k].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [11, 2, 1, 1, 0, 7]);
    // done ÷ (with a status − not doing) = 2 ÷ 4, never 2 ÷ 11.
    assert_eq!(a["completion_rate"], 0.5);

    let dash = site.read("dashboard/index.html");
    assert!(
        dash.contains("11 items, <strong>7 items without a status</strong>"),
        "{dash}"
    );
    assert!(dash.contains("Completion rate <strong>50%</strong> of 4 items with a status"));
    assert!(dash.contains("of 4 items with a status · 7 without · due before 2024-06-30"));
    assert!(
        dash.contains("The one overdue item as of 2024-06-30"),
        "one item, said as one"
    );

    let page = site.read("action-items/index.html");
    assert!(
        page.contains("<strong>2</strong> open, <strong class=\"warn-text\">1</strong> overdue")
    );
    assert!(
        page.contains(r#"<h2 id="no-status">Without a status <span class="count">7</span></h2>"#)
    );
    assert!(page.contains("<td>Disable pipeline until issue fixed</td>"));
}

#[test]
fn an_unlabelled_archive_reads_not_recorded_never_zero() {
    let site = build();
    let dash = site.read("dashboard/index.html");
    let figure = |label: &str| {
        let start = dash
            .find(&format!("<dt>{label}</dt>"))
            .unwrap_or_else(|| panic!("{label}"));
        let end = dash[start..].find("</div>").unwrap() + start;
        dash[start..end].to_string()
    };
    let severe = figure("SEV1–SEV2 incidents");
    assert!(severe.contains(">not recorded</a>"), "{severe}");
    assert!(severe.contains("no incident records a severity. Add “severity: SEV2”"));
    let repeat = figure("Repeat rate");
    assert!(repeat.contains(">not recorded</a>"), "{repeat}");
    assert!(!repeat.contains("0%"));
    // No repeat rate where there are no causes; the inferred ones are shown as such.
    let causes =
        &dash[dash.find(r#"id="causes""#).unwrap()..dash.find(r#"id="services""#).unwrap()];
    assert!(causes.contains("<strong>Cause labels: not recorded.</strong>"));
    assert!(!causes.contains("Repeat rate:"));
    assert!(causes.contains(r#"id="chart-inferred-causes""#));
    assert!(causes.contains("<strong>Inferred, not labelled:</strong>"));
    assert!(causes.contains("Certificate expiry (inferred, not labelled): 1 incident of 3"));
    assert!(causes.contains("Disk full"));
    assert!(dash.contains("<strong>Affected services: not recorded.</strong>"));

    // The pages say so too: the home page's chips and the taxonomy pages.
    let home = site.read("index.html");
    assert!(
        home.contains(r#"Severities <span class="count">not recorded</span>"#),
        "{home}"
    );
    assert!(home.contains(r#"Years <span class="count">1</span>"#));
    let severities = site.read("severities/index.html");
    assert!(severities.contains("<strong>Not recorded</strong>: no post-mortem gives a severity."));
    assert!(severities.contains("Add “severity: SEV2”"));
    assert!(!severities.contains("0 severities"));

    let trends = site.json("api/trends.json");
    let all = &trends["org"]["periods"][0];
    assert_eq!(all["headline"]["with_severity"], 0);
    assert_eq!(all["causes"]["mentions"], 0);
    let inferred: Vec<&str> = all["causes"]["inferred"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert!(inferred.contains(&"certificate-expiry") && inferred.contains(&"disk-full"));
}

/// The text of the page's report section (the body below the structured views).
fn report(page: &str) -> &str {
    let start = page.find(r#"id="hs-report""#).unwrap();
    let end = page[start..].find("</section>").unwrap() + start;
    &page[start..end]
}

#[test]
fn each_part_of_an_incident_appears_once_on_its_page() {
    let site = build();
    let page = site.read(FARM);
    for text in [
        "Disable pipeline until issue fixed",
        "Queue drained, incident over",
        "almost two hours",
    ] {
        assert_eq!(page.matches(text).count(), 1, "{text} once");
    }
    let body = report(&page);
    // Summary, timeline and action items are the structured views', title the page's.
    for gone in [
        "<table",
        "id=\"summary\"",
        "id=\"timeline\"",
        "id=\"action-items\"",
        "<h1",
    ] {
        assert!(!body.contains(gone), "{gone} left in the report: {body}");
    }
    // What the structure does not hold stays.
    assert!(body.contains("<p>Date: 2024-01-09</p>"));
    assert!(body.contains(r#"<h2 id="what-went-wrong">What went wrong</h2>"#));
    // The table of contents points at the structured sections.
    assert!(page.contains(r##"<a href="#hs-timeline">Timeline</a>"##));
    assert!(page.contains(r##"<a href="#hs-actions">Action items</a>"##));
    assert!(page.contains(r##"<a href="#what-went-wrong">What went wrong</a>"##));
    assert!(page.contains(
        "; 3 without a status (the post-mortem does not say whether they are done)</caption>"
    ));

    // A note under the timeline heading is not in the structured timeline: the heading
    // and the note stay, the table goes.
    let page = site.read(CERT);
    let body = report(&page);
    assert!(
        body.contains(r#"<h2 id="timeline">Timeline</h2>"#),
        "{body}"
    );
    assert!(body.contains("<p>Times are from the pager log.</p>"));
    assert!(!body.contains("<table"));
    assert_eq!(
        page.matches("New certificate issued by hand and installed")
            .count(),
        1
    );
    assert_eq!(
        page.matches("Inventory every certificate we serve").count(),
        1
    );
}
