//! `content::parse` on one fixture per template family, checked field by field, plus the
//! HTML the body renders to and CRLF/BOM input.

use std::path::PathBuf;

use hindsight::config::Config;
use hindsight::content::{self, SourceFile};
use hindsight::diagnostics::Diagnostic;
use hindsight::model::{
    ActionItemStatus, ContributingFactor, DocStatus, Durations, Incident, IncidentKind, RelatedRef,
    Why,
};
use jiff::Timestamp;
use jiff::civil::Date;

pub fn parse_text(rel: &str, text: &str, config: &Config) -> (Incident, Vec<Diagnostic>) {
    let source = SourceFile::new(PathBuf::from(rel), PathBuf::from(rel), text);
    let parsed = content::parse(&source, config);
    (parsed.incident.expect("an incident"), parsed.diagnostics)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(crate::util::fixtures().join("parse/content").join(name)).unwrap()
}

fn fixture(name: &str) -> (Incident, Vec<Diagnostic>) {
    parse_text(
        &format!("content/{name}"),
        &fixture_text(name),
        &Config::default(),
    )
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

fn date(y: i16, m: i8, d: i8) -> Option<Date> {
    Some(Date::constant(y, m, d))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn codes(diags: &[Diagnostic]) -> Vec<(&str, usize)> {
    diags.iter().map(|d| (d.code, d.line)).collect()
}

#[test]
fn template_only_post_mortem_fields() {
    let (i, diags) = fixture("2025-03-14-checkout-redis-storm.md");
    assert_eq!(i.id, "2025-03-14-checkout-redis-storm");
    assert_eq!(
        i.source,
        PathBuf::from("content/2025-03-14-checkout-redis-storm.md")
    );
    assert_eq!(i.title, "Checkout outage from Redis connection storm");
    assert_eq!(i.date, date(2025, 3, 14));
    assert_eq!(
        i.severity.as_deref(),
        Some("SEV2"),
        "the SEV1 inside the code block is not a field"
    );
    assert_eq!(i.status, DocStatus::Final);
    assert_eq!(i.kind, IncidentKind::Incident);
    assert_eq!(i.authors, strings(&["Priya Natarajan"]));
    assert_eq!(i.reviewers, strings(&["Tomás Ruiz", "Wen Li"]));
    assert_eq!(i.services, strings(&["Checkout", "Cart service"]));
    assert_eq!(i.services_unaffected, strings(&["Search"]));
    assert!(i.causes.is_empty(), "causes are never invented from prose");
    assert!(
        i.summary
            .as_deref()
            .unwrap()
            .starts_with("Between 23:40 and 00:35 UTC the checkout page")
    );
    assert_eq!(
        i.impact.as_deref(),
        Some(
            "About 4,200 checkout attempts failed over 55 minutes; roughly $18,000 in orders were delayed."
        )
    );
    assert!(
        i.root_cause
            .as_deref()
            .unwrap()
            .starts_with("A client library upgrade turned off connection pooling")
    );
    assert_eq!(
        i.resolution.as_deref(),
        Some("The upgrade was rolled back and the Redis connection limit was raised.")
    );

    // Timeline: times of day on the incident date, rolling over midnight.
    assert_eq!(i.timeline.len(), 8);
    assert_eq!(i.timeline[0].time_text, "23:31");
    assert_eq!(i.timeline[0].at, ts("2025-03-14T23:31:00Z"));
    assert_eq!(i.timeline[0].actor.as_deref(), Some("CI/CD"));
    assert_eq!(i.timeline[0].line, 35);
    assert_eq!(i.timeline[5].event, "Rolled back cart-service to 4.1");
    assert_eq!(i.timeline[5].at, ts("2025-03-15T00:09:00Z"));
    assert_eq!(i.timeline[7].at, ts("2025-03-15T00:35:00Z"));

    // Milestones from the timeline; durations from them, except the time to mitigate the
    // author states as 25 minutes, which beats the timeline's 29 (4 minutes apart, too
    // little for a `duration-disagrees` note).
    assert_eq!(
        i.started_at,
        ts("2025-03-14T23:40:00Z"),
        "the row saying impact starts, not the deploy"
    );
    assert_eq!(i.detected_at, ts("2025-03-14T23:44:00Z"));
    assert_eq!(i.acknowledged_at, ts("2025-03-14T23:46:00Z"));
    assert_eq!(i.mitigated_at, ts("2025-03-15T00:09:00Z"));
    assert_eq!(i.resolved_at, ts("2025-03-15T00:35:00Z"));
    assert_eq!(
        i.durations,
        Durations {
            time_to_detect: Some(4),
            time_to_acknowledge: Some(2),
            time_to_mitigate: Some(25),
            time_to_resolve: Some(55)
        }
    );
    assert!(!diags.iter().any(|d| d.code == "duration-disagrees"));

    assert_eq!(
        i.five_whys,
        vec![
            Why { question: "Why did checkout fail?".into(), answer: "The cart service could not open Redis connections.".into() },
            Why { question: "Why could it not open connections?".into(), answer: "Redis had reached its 10,000 connection limit.".into() },
            Why {
                question: "Why was the limit reached?".into(),
                answer: "redis-client 7 opens a new connection per request unless pooling is configured.".into()
            },
        ]
    );
    assert_eq!(
        i.contributing_factors,
        vec![
            ContributingFactor {
                kind: "technical".into(),
                text: "redis-client 7 disables pooling unless pool: true is set".into()
            },
            ContributingFactor {
                kind: "technical".into(),
                text: "No alert on the Redis connection count".into()
            },
            ContributingFactor {
                kind: "process".into(),
                text: "Nobody read the changelog of the library upgrade".into()
            },
        ]
    );

    // Action items: the table; the checkbox list repeats it and is not added again.
    // (number, action, owner, due, status, status as written, line)
    type Item<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<Date>,
        ActionItemStatus,
        &'a str,
        usize,
    );
    let items: Vec<Item<'_>> = i
        .action_items
        .iter()
        .map(|a| {
            (
                a.number.as_deref().unwrap(),
                a.action.as_str(),
                a.owner.as_deref(),
                a.due,
                a.status,
                a.status_text.as_str(),
                a.line,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "1",
                "Enable pooling in the redis-client config",
                Some("Wen (Dev)"),
                date(2025, 3, 15),
                ActionItemStatus::Done,
                "✅ Done",
                103
            ),
            (
                "2",
                "Alert at 80% of Redis max connections",
                Some("Priya (SRE)"),
                date(2025, 3, 21),
                ActionItemStatus::InProgress,
                "⏳ In Progress",
                104
            ),
            (
                "3",
                "Review changelogs of client library upgrades",
                Some("Tomás (Eng Mgr)"),
                date(2025, 4, 1),
                ActionItemStatus::Planned,
                "📅 Planned",
                105
            ),
            (
                "4",
                "Load test checkout with the new client",
                None,
                None,
                ActionItemStatus::Planned,
                "📅 Planned",
                106
            ),
        ]
    );
    assert_eq!(i.action_items[0].priority.as_deref(), Some("P1"));

    assert_eq!(
        i.lessons.went_well,
        strings(&[
            "Fast rollback",
            "The SLO alert fired four minutes after impact began"
        ])
    );
    assert_eq!(
        i.lessons.went_wrong,
        strings(&[
            "Silent default change",
            "No dashboard showed Redis connections"
        ])
    );
    assert_eq!(
        i.lessons.lucky,
        strings(&["The incident happened at night, with little traffic"])
    );
    assert!(i.lessons.other.is_empty());

    assert_eq!(
        i.related_refs,
        vec![
            RelatedRef {
                id: None,
                date: date(2024, 11, 2),
                title: Some("Session cache evictions during sale".into()),
                note: "same cache cluster; Pool settings were tuned then, not for new clients"
                    .into(),
                line: 139,
                ..Default::default()
            },
            RelatedRef {
                id: Some("2024-06-18-cart-memory-leak".into()),
                date: date(2024, 6, 18),
                title: Some("Cart service memory leak".into()),
                note: String::new(),
                line: 141,
                href: Some("2024-06-18-cart-memory-leak.md".into()),
                path: Some("content/2024-06-18-cart-memory-leak.md".into()),
                weak: false,
            },
        ]
    );

    // Only the open item without owner and due date is reported.
    assert_eq!(
        codes(&diags),
        [
            ("action-item-no-owner", 106),
            ("action-item-no-due-date", 106)
        ]
    );
    assert_eq!(
        diags[0].to_string(),
        "content/2025-03-14-checkout-redis-storm.md:106: warning[action-item-no-owner]: action item `Load test checkout with the new client` has no owner; expected someone responsible for it\n 106 | | 4 | Load test checkout with the new client | P3 | TBD | | 📅 Planned |"
    );

    // Table of contents and anchors; the title heading is the page's own `<h1>`.
    let anchors: Vec<&str> = i.toc.iter().map(|t| t.anchor.as_str()).collect();
    assert_eq!(
        anchors[..3],
        ["hs-title", "executive-summary", "incident-details"]
    );
    // Headings the page shows in structured form point at it (`hs-…`); the others are
    // in the report.
    for t in i.toc.iter().filter(|t| !t.anchor.starts_with("hs-")) {
        assert!(
            i.body_html.contains(&format!(" id=\"{}\"", t.anchor)),
            "anchor {} in the HTML",
            t.anchor
        );
    }
    assert!(
        i.body_text
            .contains("Redis had reached its 10,000 connection limit.")
    );
    assert!(
        !i.body_text.contains("**What Happened**"),
        "plain text has no Markdown markers"
    );
}

#[test]
fn front_matter_post_mortem_fields() {
    let (i, diags) = fixture("webhook-backlog.md");
    assert_eq!(
        i.id, "webhook-backlog",
        "slug: overrides the file name, slugified"
    );
    assert_eq!(i.title, "Payment webhooks delayed by queue backlog");
    assert_eq!(i.date, date(2025, 6, 2));
    assert_eq!(
        i.severity.as_deref(),
        Some("SEV3"),
        "`sev 3` is read as SEV3 and wins over the body"
    );
    assert_eq!(i.status, DocStatus::InReview);
    assert_eq!(i.kind, IncidentKind::NearMiss);
    assert_eq!(i.services, strings(&["payments-api", "webhook-dispatcher"]));
    assert_eq!(
        i.teams,
        strings(&["payments"]),
        "a scalar is a one-element list"
    );
    assert_eq!(i.authors, strings(&["amara"]));
    assert_eq!(
        i.causes,
        strings(&["queue-saturation", "missing-backpressure"]),
        "root_cause: alias, slugified"
    );
    assert_eq!(i.tags, strings(&["queues", "webhooks"]));
    assert_eq!(i.started_at, ts("2025-06-02T09:15:00Z"));
    assert_eq!(
        i.detected_at,
        ts("2025-06-02T09:27:00Z"),
        "`YYYY-MM-DD HH:MM` is UTC"
    );
    assert_eq!(
        i.acknowledged_at,
        ts("2025-06-02T09:30:00Z"),
        "offsets are honoured"
    );
    assert_eq!(i.mitigated_at, ts("2025-06-02T10:05:00Z"));
    assert_eq!(i.resolved_at, ts("2025-06-02T11:15:00Z"));
    assert_eq!(
        i.durations,
        Durations {
            time_to_detect: Some(12),
            time_to_acknowledge: Some(3),
            time_to_mitigate: Some(50),
            time_to_resolve: Some(120)
        }
    );
    assert_eq!(
        i.summary.as_deref(),
        Some("Webhooks to merchants were delayed up to 40 minutes; none were lost.")
    );
    assert_eq!(
        i.related_refs,
        vec![RelatedRef {
            id: Some("2025-03-14-checkout-redis-storm".into()),
            line: 17,
            ..Default::default()
        }]
    );
    assert_eq!(
        i.extra.get("runbook"),
        Some(&serde_json::json!(
            "https://wiki.example.com/runbooks/webhooks"
        ))
    );
    assert_eq!(i.timeline.len(), 2, "the body timeline is kept");
    assert_eq!(i.timeline[0].at, ts("2025-06-02T09:00:00Z"));
    assert_eq!(i.action_items[0].status, ActionItemStatus::Planned);
    assert_eq!(i.action_items[0].status_text, "Not started");

    assert_eq!(
        codes(&diags),
        [
            ("unknown-key", 19),
            ("slug-rewritten", 18),
            ("front-matter-conflict", 4)
        ]
    );
    assert_eq!(
        diags[2].to_string(),
        "content/webhook-backlog.md:4:11: warning[front-matter-conflict]: front matter severity `sev 3` differs from the body's `SEV2` (line 26); using the front matter\n 4 | severity: sev 3\n   |           ^"
    );
    assert!(
        diags[0].message.starts_with("front-matter key `runbook` is not one hindsight reads; kept for templates as `extra.runbook` (known keys: title, date,")
            && diags[0].level == hindsight::diagnostics::Level::Note,
        "{}",
        diags[0]
    );
}

#[test]
fn google_sre_template_maps_by_heading() {
    let (i, diags) = fixture("google-thumbnails.md");
    assert_eq!(
        i.title,
        "Image thumbnails unavailable after storage migration"
    );
    assert_eq!(i.date, date(2025, 1, 20));
    assert_eq!(i.authors, strings(&["leo", "mara"]));
    assert_eq!(i.severity, None);
    assert_eq!(
        i.summary.as_deref(),
        Some(
            "Thumbnails returned 404 for 38% of images for 74 minutes after reads moved to a half-copied bucket."
        )
    );
    assert_eq!(
        i.impact.as_deref(),
        Some("38% of thumbnail requests failed. No image data was lost.")
    );
    assert_eq!(
        i.root_cause.as_deref(),
        Some(
            "The migration job copied objects in key order, and the read switch did not check that the copy had finished."
        )
    );
    assert_eq!(
        i.trigger.as_deref(),
        Some("A config flag switched reads to the new bucket before the copy completed.")
    );
    assert_eq!(
        i.resolution.as_deref(),
        Some(
            "Reads were pointed back at the old bucket; the copy was then completed and verified."
        )
    );
    assert_eq!(
        i.detection.as_deref(),
        Some("A synthetic probe on image URLs alerted the on-call engineer.")
    );
    assert_eq!(
        i.lessons.went_well,
        strings(&["The synthetic probe caught the problem within six minutes."])
    );
    assert_eq!(
        i.lessons.went_wrong,
        strings(&["The switch flag had no guard on copy progress."])
    );
    assert_eq!(
        i.lessons.lucky,
        strings(&["Originals were untouched, so no image was lost."])
    );
    // A list timeline under a date line.
    assert_eq!(i.timeline.len(), 6);
    assert_eq!(
        (
            i.timeline[1].time_text.as_str(),
            i.timeline[1].event.as_str()
        ),
        ("14:02", "OUTAGE BEGINS: thumbnails return 404")
    );
    assert_eq!(i.timeline[1].line, 66);
    assert_eq!(i.started_at, ts("2025-01-20T14:02:00Z"));
    assert_eq!(
        i.durations,
        Durations {
            time_to_detect: Some(6),
            time_to_acknowledge: Some(3),
            time_to_mitigate: Some(38),
            time_to_resolve: Some(74)
        }
    );
    let actions: Vec<(&str, Option<&str>, Option<&str>, ActionItemStatus)> = i
        .action_items
        .iter()
        .map(|a| {
            (
                a.action.as_str(),
                a.kind.as_deref(),
                a.owner.as_deref(),
                a.status,
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            (
                "Verify copy completeness before switching reads",
                Some("prevent"),
                Some("leo"),
                ActionItemStatus::Unknown
            ),
            (
                "Alert on the thumbnail 404 rate",
                Some("detect"),
                Some("mara"),
                ActionItemStatus::Unknown
            ),
        ]
    );
    assert_eq!(
        codes(&diags),
        [
            ("action-item-no-due-date", 44),
            ("action-item-no-due-date", 45)
        ]
    );
}

#[test]
fn kehoe_template_tables() {
    let (i, diags) = fixture("kehoe-search-lag.md");
    assert_eq!(i.title, "Search index lag from a poison document");
    assert_eq!(
        i.severity.as_deref(),
        Some("SEV2"),
        "`Sev-2` in the summary table"
    );
    assert_eq!(i.authors, strings(&["Ana Costa"]), "Postmortem Lead");
    assert_eq!(
        i.date,
        date(2025, 5, 9),
        "no incident date field: the start time's date"
    );
    // The timing table gives the milestones; TTD/TTM/TTR agree with them.
    assert_eq!(i.started_at, ts("2025-05-09T08:10:00Z"));
    assert_eq!(i.detected_at, ts("2025-05-09T08:25:00Z"));
    assert_eq!(i.acknowledged_at, None);
    assert_eq!(i.mitigated_at, ts("2025-05-09T09:05:00Z"));
    assert_eq!(i.resolved_at, ts("2025-05-09T10:40:00Z"));
    assert_eq!(
        i.durations,
        Durations {
            time_to_detect: Some(15),
            time_to_acknowledge: None,
            time_to_mitigate: Some(55),
            time_to_resolve: Some(150)
        }
    );
    assert_eq!(i.timeline.len(), 4);
    assert_eq!(i.timeline[1].actor.as_deref(), Some("alerting"));
    assert_eq!(i.timeline[1].event, "Alert: index lag above 10 minutes");
    assert_eq!(i.timeline[1].at, ts("2025-05-09T08:25:00Z"));
    assert_eq!(
        i.trigger.as_deref(),
        Some("A malformed product document from a partner feed.")
    );
    assert_eq!(
        i.root_cause.as_deref(),
        Some("The consumer retried the same document forever instead of dead-lettering it.")
    );
    assert_eq!(
        i.contributing_factors,
        vec![ContributingFactor {
            kind: "process".into(),
            text: "The partner feed had no schema validation.".into()
        }]
    );
    assert_eq!(
        i.impact.as_deref(),
        Some(
            "Search results were up to 40 minutes stale.\nIndexer CPU stayed at 100% while retrying."
        )
    );
    assert_eq!(
        i.summary, None,
        "a key/value summary table has no summary text"
    );
    assert_eq!(
        i.lessons.other,
        strings(&["Every consumer needs a dead-letter queue."])
    );
    let a = &i.action_items;
    assert_eq!(a.len(), 2);
    assert_eq!(
        (
            a[0].kind.as_deref(),
            a[0].owner.as_deref(),
            a[0].priority.as_deref(),
            a[0].due
        ),
        (
            Some("Prevent"),
            Some("Ana Costa"),
            Some("P1"),
            date(2025, 5, 30)
        )
    );
    assert_eq!(
        (a[1].kind.as_deref(), a[1].owner.as_deref()),
        (Some("Process"), None)
    );
    assert_eq!(codes(&diags), [("action-item-no-owner", 54)]);
}

#[test]
fn ccadb_report() {
    let (i, diags) = fixture("ccadb-validity.md");
    assert_eq!(
        i.title,
        "Certificates issued with a 398-day validity plus one second"
    );
    assert_eq!(i.date, date(2025, 2, 3), "from the first timeline row");
    assert!(
        i.summary
            .as_deref()
            .unwrap()
            .starts_with("A profile change made certificates valid")
    );
    assert_eq!(
        i.impact.as_deref(),
        Some("1,204 TLS certificates were misissued and had to be revoked within five days.")
    );
    assert_eq!(
        i.root_cause, None,
        "factor blocks are contributing factors, not one root cause"
    );
    assert_eq!(
        i.contributing_factors,
        vec![
            ContributingFactor {
                kind: "Contributing Factor #1".into(),
                text: "Profile change not linted: The profile change bypassed the pre-issuance linter because linting ran only on new profiles.".into()
            },
            ContributingFactor { kind: "Contributing Factor #2".into(), text: "Review checklist outdated: The review checklist predated the 398-day limit.".into() },
        ]
    );
    assert_eq!(i.detected_at, ts("2025-02-04T16:20:00Z"));
    assert_eq!(i.mitigated_at, ts("2025-02-04T17:05:00Z"));
    assert_eq!(i.resolved_at, ts("2025-02-09T12:00:00Z"));
    assert_eq!(i.durations.time_to_detect, Some(1820));
    let statuses: Vec<(&str, ActionItemStatus, Option<&str>)> = i
        .action_items
        .iter()
        .map(|a| (a.status_text.as_str(), a.status, a.kind.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Complete", ActionItemStatus::Done, Some("Prevent")),
            ("Ongoing", ActionItemStatus::InProgress, Some("Mitigate")),
            ("Delayed", ActionItemStatus::Delayed, Some("Detect")),
            ("Canceled", ActionItemStatus::NotDoing, Some("Prevent")),
        ]
    );
    assert_eq!(
        i.related_refs,
        vec![
            RelatedRef {
                id: None,
                date: date(2024, 4, 1),
                title: Some("1890123".into()),
                note: "Similar profile misconfiguration".into(),
                line: 26,
                ..Default::default()
            },
            RelatedRef {
                id: Some("2024-09-10-validity-rounding".into()),
                date: date(2024, 9, 10),
                title: Some("Earlier validity bug".into()),
                note: "Same linter gap".into(),
                line: 27,
                href: Some("2024-09-10-validity-rounding.md".into()),
                path: Some("content/2024-09-10-validity-rounding.md".into()),
                weak: false,
            },
        ]
    );
    assert_eq!(
        i.lessons.went_well,
        strings(&["Issuance was paused within an hour of the report."])
    );
    assert_eq!(
        i.lessons.went_wrong,
        strings(&["The linter did not run on profile edits."])
    );
    assert_eq!(
        i.lessons.lucky,
        strings(&["The extra second was caught before renewal season."])
    );
    assert!(i.lessons.other.is_empty(), "{:?}", i.lessons.other);
    // Open items without an owner; done and canceled ones need none.
    assert_eq!(
        codes(&diags),
        [("action-item-no-owner", 55), ("action-item-no-owner", 56)]
    );
}

#[test]
fn free_prose_keeps_unknowns_unknown() {
    let (i, diags) = fixture("free-prose-dns.md");
    assert_eq!(i.title, "DNS resolution failures in eu-west");
    assert_eq!(i.date, date(2025, 3, 3));
    assert_eq!(
        i.summary.as_deref(),
        Some(
            "For about two hours, services in eu-west could not resolve internal names because a resolver fleet update shipped a broken forwarding rule."
        )
    );
    assert_eq!(
        (i.severity.as_deref(), i.started_at, i.resolved_at),
        (None, None, None)
    );
    assert_eq!(i.durations, Durations::default());
    assert!(
        i.timeline.is_empty()
            && i.action_items.is_empty()
            && i.services.is_empty()
            && i.causes.is_empty()
            && i.five_whys.is_empty()
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert!(
        i.body_text
            .contains("We rolled the resolver update back region by region.")
    );
}

#[test]
fn crlf_and_bom_parse_like_lf() {
    for name in [
        "2025-03-14-checkout-redis-storm.md",
        "webhook-backlog.md",
        "kehoe-search-lag.md",
    ] {
        let lf = fixture_text(name);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(lf.replace('\n', "\r\n").bytes());
        std::fs::write(&path, &bytes).unwrap();
        let text = content::discover::read_source(&path).unwrap_or_else(|_| panic!("{name} reads"));
        let rel = format!("content/{name}");
        let (crlf, crlf_diags) = parse_text(&rel, &text, &Config::default());
        let (plain, plain_diags) = parse_text(&rel, &lf, &Config::default());
        // The same values, the same diagnostics at the same places.
        let strip = |mut i: Incident| {
            i.body_html = i.body_html.replace('\r', "");
            i.body_text = i.body_text.replace('\r', "");
            i
        };
        assert_eq!(strip(crlf), strip(plain), "{name}");
        assert_eq!(crlf_diags, plain_diags, "{name}");
        // A BOM left in the text (a caller that did not strip it) is handled too.
        let (with_bom, _) = parse_text(
            &rel,
            &format!("\u{FEFF}{}", lf.replace('\n', "\r\n")),
            &Config::default(),
        );
        assert_eq!(
            with_bom.title,
            parse_text(&rel, &lf, &Config::default()).0.title
        );
        assert_eq!(
            with_bom.date,
            parse_text(&rel, &lf, &Config::default()).0.date
        );
    }
}

#[test]
fn atlassian_and_cloud_sysadmin_sections() {
    let atlassian = "# Incident: Login failures\n\n**Date of Incident**: 2025-07-01\n\n## Leadup\n\nA certificate rotation job ran at 09:00.\n\n## Fault\n\nThe new certificate lacked the intermediate chain.\n\n## Five Whys\n\n1. Why did logins fail? Clients rejected the certificate.\n2. Why was it rejected? The chain was incomplete.\n\n## Corrective actions\n\n- Validate chains before rotation @sam due 2025-07-15\n- Add expiry and chain probe\n";
    let (i, diags) = parse_text("content/a.md", atlassian, &Config::default());
    assert_eq!(i.title, "Login failures");
    assert_eq!(
        i.trigger.as_deref(),
        Some("A certificate rotation job ran at 09:00.")
    );
    assert_eq!(
        i.root_cause.as_deref(),
        Some("The new certificate lacked the intermediate chain.")
    );
    assert_eq!(
        i.five_whys,
        vec![
            Why {
                question: "Why did logins fail?".into(),
                answer: "Clients rejected the certificate.".into()
            },
            Why {
                question: "Why was it rejected?".into(),
                answer: "The chain was incomplete.".into()
            },
        ]
    );
    let actions: Vec<(&str, Option<&str>, Option<Date>)> = i
        .action_items
        .iter()
        .map(|a| (a.action.as_str(), a.owner.as_deref(), a.due))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "Validate chains before rotation @sam due 2025-07-15",
                Some("sam"),
                date(2025, 7, 15)
            ),
            ("Add expiry and chain probe", None, None)
        ]
    );
    assert_eq!(
        codes(&diags),
        [
            ("action-item-no-owner", 21),
            ("action-item-no-due-date", 21)
        ]
    );

    let cloud = "# Storage latency\n\n## Report status\n\nFinal\n\n## Executive summary\n\nWrites to the block store slowed tenfold for 40 minutes.\n\n## Outage description\n\nA noisy tenant saturated one storage node.\n\n## Start/End\n\nStart: 2025-08-04 10:00 UTC\nEnd: 2025-08-04 10:40 UTC\n\n## Contributing Conditions Analysis\n\n- No per-tenant IO limits\n- Placement ignored node load\n\n## Recommendations\n\n- [ ] Per-tenant IO limits\n- [x] Load-aware placement\n";
    let (i, _) = parse_text("content/2025-08-04-storage.md", cloud, &Config::default());
    assert_eq!(
        i.summary.as_deref(),
        Some("Writes to the block store slowed tenfold for 40 minutes.")
    );
    assert_eq!(i.started_at, ts("2025-08-04T10:00:00Z"));
    assert_eq!(i.resolved_at, ts("2025-08-04T10:40:00Z"));
    assert_eq!(i.durations.time_to_resolve, Some(40));
    assert_eq!(i.date, date(2025, 8, 4));
    assert_eq!(
        i.contributing_factors,
        vec![
            ContributingFactor {
                kind: "general".into(),
                text: "No per-tenant IO limits".into()
            },
            ContributingFactor {
                kind: "general".into(),
                text: "Placement ignored node load".into()
            },
        ]
    );
    let recs: Vec<(&str, ActionItemStatus)> = i
        .action_items
        .iter()
        .map(|a| (a.action.as_str(), a.status))
        .collect();
    assert_eq!(
        recs,
        [
            ("Per-tenant IO limits", ActionItemStatus::Open),
            ("Load-aware placement", ActionItemStatus::Done)
        ]
    );
}

#[test]
fn response_timeline_durations_fill_in_without_timestamps() {
    let text = "# Cache miss storm\n\n**Date of Incident**: 2025-09-09\n\n**Response Timeline**:\n- **Time to acknowledge**: 3 minutes\n- **Time to mitigate**: 1.5 hours\n- Time to resolve: 2h 15m\n";
    let (i, _) = parse_text("content/x.md", text, &Config::default());
    assert_eq!(
        i.durations,
        Durations {
            time_to_detect: None,
            time_to_acknowledge: Some(3),
            time_to_mitigate: Some(90),
            time_to_resolve: Some(135)
        }
    );
    assert_eq!(
        (i.started_at, i.mitigated_at),
        (None, None),
        "durations never become invented timestamps"
    );
}

#[test]
fn body_html_is_sanitised_and_anchored() {
    let text = "---\ntitle: Hostile <b>title</b>\ndate: 2025-01-01\n---\n# Notes\n\n## Notes\n\n<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\"> <a href=\"javascript:alert(3)\">x</a> [y](javascript:alert(4)) <iframe src=\"https://e.com\"></iframe>\n\n- [x] done\n\nText[^1]\n\n[^1]: A note.\n\n```rust\nlet a = 1;\n```\n\n| a | b |\n|---|---|\n| ~~c~~ | d |\n";
    let (i, _) = parse_text("content/x.md", text, &Config::default());
    for bad in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!i.body_html.contains(bad), "{bad} in {}", i.body_html);
    }
    assert!(
        i.body_html.contains("<h1 id=\"notes\">Notes</h1>"),
        "{}",
        i.body_html
    );
    assert!(
        i.body_html.contains("<h2 id=\"notes-2\">Notes</h2>"),
        "{}",
        i.body_html
    );
    assert_eq!(
        i.toc.iter().map(|t| t.anchor.as_str()).collect::<Vec<_>>(),
        ["notes", "notes-2"]
    );
    assert!(
        i.body_html.contains("class=\"language-rust\""),
        "{}",
        i.body_html
    );
    assert!(i.body_html.contains("<del>c</del>"));
    assert!(i.body_html.contains("type=\"checkbox\""));
    assert!(i.body_html.contains("footnote-definition"));
    assert_eq!(
        i.title, "Hostile <b>title</b>",
        "escaping is the renderer's job; the value is kept as written"
    );

    let trusting = Config {
        sanitize_html: false,
        ..Config::default()
    };
    let (raw, _) = parse_text("content/x.md", text, &trusting);
    assert!(
        raw.body_html.contains("<script>alert(1)</script>"),
        "opting out keeps raw HTML"
    );
    assert!(
        !raw.body_html.contains("javascript:alert(4)"),
        "Markdown links never get a javascript: URL"
    );

    // Same input, same output.
    assert_eq!(parse_text("content/x.md", text, &Config::default()).0, i);
}

#[test]
fn new_post_mortem_skeleton_parses_without_errors() {
    let config = Config::default();
    let text = hindsight::cmd::new::builtin_template(
        "Checkout latency after a config push",
        Date::constant(2025, 11, 3),
        &config,
    );
    let (i, diags) = parse_text("content/2025-11-03-checkout-latency.md", &text, &config);
    assert_eq!(i.title, "Checkout latency after a config push");
    assert_eq!(i.date, date(2025, 11, 3));
    assert_eq!(i.status, DocStatus::Draft);
    assert_eq!(i.severity.as_deref(), Some("SEV4"));
    assert!(
        i.related_refs.is_empty(),
        "the `YYYY-MM-DD` placeholder is no reference: {:?}",
        i.related_refs
    );
    assert!(
        diags
            .iter()
            .all(|d| d.level == hindsight::diagnostics::Level::Warning),
        "{diags:?}"
    );
}

#[test]
fn a_garbled_time_after_a_date_is_a_warning_and_the_date_still_holds() {
    // Line numbers: the table's first row is line 10.
    let text = "---\ntitle: Queue stalled\ndate: 2025-08-07\n---\n\n## Timeline\n\n| Time | Event |\n|------|-------|\n| 2025-08-07 14:05 | Consumers stalled |\n| 2025-08-07 14:7O | Alert fired |\n| 2025-08-07 25:07 | Paged the owner |\n| 2025-08-07 (approx.) | Customers noticed |\n| 14:20 | Restarted the consumers |\n| 2025-08-08 morning | Backlog drained overnight |\n| 09:30 | Incident closed |\n| 2025-08-08 ~ | Review scheduled |\n";
    let (i, diags) = parse_text("content/queue.md", text, &Config::default());
    let unreadable = unreadable_times(&diags);
    assert_eq!(
        unreadable,
        vec![
            (
                11,
                3,
                "timeline time `2025-08-07 14:7O` could not be read, so the row has no time; expected a time like 14:05, 2:05 PM or 2025-10-26 14:05 UTC"
            ),
            (
                12,
                3,
                "timeline time `2025-08-07 25:07` could not be read, so the row has no time; expected a time like 14:05, 2:05 PM or 2025-10-26 14:05 UTC"
            ),
        ],
        "{diags:#?}"
    );
    let times: Vec<(&str, Option<Timestamp>)> = i
        .timeline
        .iter()
        .map(|e| (e.time_text.as_str(), e.at))
        .collect();
    assert_eq!(
        times,
        vec![
            ("2025-08-07 14:05", ts("2025-08-07T14:05:00Z")),
            ("2025-08-07 14:7O", None),
            ("2025-08-07 25:07", None),
            ("2025-08-07 (approx.)", None),
            ("14:20", ts("2025-08-07T14:20:00Z")),
            ("2025-08-08 morning", None),
            // The date of a date-only row carries on to the next time of day.
            ("09:30", ts("2025-08-08T09:30:00Z")),
            ("2025-08-08 ~", None),
        ]
    );
}

#[test]
fn a_garbled_time_after_a_date_in_front_matter_says_the_time_was_not_read() {
    let text =
        "---\ntitle: Queue stalled\ndate: 2025-08-07\nstarted_at: 2025-08-07 25:07\n---\n\nBody.\n";
    let (i, diags) = parse_text("content/queue.md", text, &Config::default());
    assert_eq!(i.started_at, None);
    let d = diags
        .iter()
        .find(|d| d.code == "invalid-timestamp")
        .expect("a warning");
    assert_eq!((d.line, d.col), (4, 13), "{d:?}");
    assert!(
        d.message.starts_with(
            "`started_at` `2025-08-07 25:07` has a time of day that could not be read, so it is left unknown; expected"
        ),
        "{}",
        d.message
    );
}

#[test]
fn a_garbled_time_after_a_date_in_a_list_timeline_is_a_warning_too() {
    // Line numbers: the first item is line 8.
    let text = "---\ntitle: Queue stalled\ndate: 2025-08-07\n---\n\n## Timeline\n\n- 2025-08-07 14:05 Consumers stalled\n- 2025-08-07 14:7O Alert fired\n- 2025-08-07 (approx.) customers noticed\n- 14:20 Restarted the consumers\n";
    let (i, diags) = parse_text("content/queue.md", text, &Config::default());
    let unreadable = unreadable_times(&diags);
    assert_eq!(
        unreadable,
        vec![(
            9,
            3,
            "timeline time `2025-08-07 14:7O` could not be read, so the row has no time; expected a time like 14:05, 2:05 PM or 2025-10-26 14:05 UTC"
        )],
        "{diags:#?}"
    );
    let rows: Vec<(&str, &str, Option<Timestamp>)> = i
        .timeline
        .iter()
        .map(|e| (e.time_text.as_str(), e.event.as_str(), e.at))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "2025-08-07 14:05",
                "Consumers stalled",
                ts("2025-08-07T14:05:00Z")
            ),
            ("2025-08-07 14:7O", "Alert fired", None),
            (
                "14:20",
                "Restarted the consumers",
                ts("2025-08-07T14:20:00Z")
            ),
        ],
        "a date followed by words is not a row of a list timeline, as before"
    );
}

/// (line, column, message) of every unreadable-time warning.
fn unreadable_times(diags: &[Diagnostic]) -> Vec<(usize, usize, &str)> {
    diags
        .iter()
        .filter(|d| d.code == "unreadable-time")
        .map(|d| (d.line, d.col, d.message.as_str()))
        .collect()
}

#[test]
fn an_unreadable_due_date_is_said_once_as_invalid_not_also_as_missing() {
    let text = "---\ntitle: Payments timed out\ndate: 2026-11-30\n---\n\n## Action Items\n\n| # | Action | Owner | Due | Status |\n|---|---|---|---|---|\n| 1 | Add a timeout budget | ana | 2026-02-30 | open |\n| 2 | Page on latency | ana |  | open |\n";
    let (i, diags) = parse_text("content/2026-11-30-payments.md", text, &Config::default());
    assert_eq!(i.action_items.len(), 2);
    assert!(i.action_items.iter().all(|a| a.due.is_none()));
    assert_eq!(
        codes(&diags),
        [("invalid-date", 10), ("action-item-no-due-date", 11)]
    );
    assert!(
        diags[0].message.contains("February 2026 has 28 days"),
        "{}",
        diags[0].message
    );
}

/// Write-ups kept without front matter or a `Date of Incident` field say when it
/// happened in their first lines; the first build of such an archive must not fail.
#[test]
fn a_date_written_only_in_the_opening_prose_dates_the_incident_with_a_note() {
    let text = "Agent and web connectivity issue — Saturday 31 Aug 2019 (times AEST, UTC+10)\n\
                \n\
                Summary\n\
                At 11:11PM we got an alert about elevated error rates on the Agent API.\n\
                \n\
                Timeline\n\
                \n\
                | time | event |\n\
                |---|---|\n\
                | 11:07 PM | first errors |\n\
                | 11:11 PM | alert, on call responds |\n";
    let (i, diags) = parse_text(
        "imported/buildkite-redis-power.md",
        text,
        &Config::default(),
    );
    assert_eq!(i.date, date(2019, 8, 31));
    let notes: Vec<String> = diags
        .iter()
        .filter(|d| d.code == "date-from-text")
        .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
        .collect();
    assert_eq!(
        notes,
        [
            "1:36: no date field; the incident date 2019-08-31 is read from the text (`Saturday 31 Aug 2019`); add `date: 2019-08-31` to the front matter or a `Date:` line to be sure"
        ]
    );
    assert!(!diags.iter().any(|d| d.code == "missing-date"), "{diags:?}");
    // The timeline's times of day are on that date, in the zone the title names.
    assert_eq!(i.timeline[0].at, ts("2019-08-31T13:07:00Z"));

    // A range is read as its first day; a date in a later paragraph or only a month and
    // a year is no date.
    let (i, _) = parse_text(
        "a.md",
        "# gitlab outage, 9–10 April 2022\n\nDown for a day.\n",
        &Config::default(),
    );
    assert_eq!(i.date, date(2022, 4, 9));
    let source = SourceFile::new(
        PathBuf::from("b.md"),
        PathBuf::from("b.md"),
        "# Batch failure, June 2012\n\nThe scheduler upgrade broke the overnight run.\n",
    );
    let parsed = content::parse(&source, &Config::default());
    assert!(
        parsed
            .diagnostics
            .iter()
            .any(|d| d.code == "missing-date" && d.level == hindsight::diagnostics::Level::Error),
        "{:?}",
        parsed.diagnostics
    );
}

/// `Date:`, `Authors:` and `Status:` lines under the title, without bold, are the
/// document's header; the same words deep in a section are prose.
#[test]
fn plain_header_lines_under_the_title_are_fields() {
    let text = "# Unauthorised access to the support case system\n\
                \n\
                Date: 2023-10-19 (disclosure); intrusion 2023-09-28 → 2023-10-17\n\
                Authors: Security\n\
                Severity: SEV1\n\
                \n\
                ## Summary\n\
                \n\
                A threat actor read files in the support system.\n\
                \n\
                ## Details\n\
                \n\
                Severity: we first thought it minor.\n";
    let (i, diags) = parse_text("reviews/intrusion.md", text, &Config::default());
    assert_eq!(i.date, date(2023, 10, 19));
    assert_eq!(i.date_at, (3, 7));
    assert_eq!(i.authors, strings(&["Security"]));
    assert_eq!(i.severity.as_deref(), Some("SEV1"));
    assert!(
        !diags
            .iter()
            .any(|d| d.code == "date-from-text" || d.code == "missing-date"),
        "{diags:?}"
    );

    // `Date / time of incident:` is a date field too; a US date in it is pointed at.
    let text = "# Newark data center outage\n\nDate / time of incident: 6/1/2010 6:44PM ET\n\nSwitches failed.\n";
    let source = SourceFile::new(PathBuf::from("n.md"), PathBuf::from("n.md"), text);
    let diags = content::parse(&source, &Config::default()).diagnostics;
    let invalid: Vec<String> = diags
        .iter()
        .filter(|d| d.code == "invalid-date")
        .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
        .collect();
    assert_eq!(
        invalid,
        ["3:26: date of incident `6/1/2010 6:44PM ET` is not a date; expected YYYY-MM-DD"]
    );
}

/// Plain-text write-ups put `Timeline` on a line of its own where a heading would be,
/// then one event per line or item; the rows end with the section.
#[test]
fn a_timeline_under_a_plain_timeline_line_is_read_in_the_zone_it_names() {
    let text = "Connectivity issue — Saturday 31 Aug 2019\n\
                \n\
                Timeline (AEST)\n\
                11:07pm first errors\n\
                11:11pm alert, on call responds\n\
                1:10am full service restored\n\
                \n\
                Root cause\n\
                12:00 this line is not in the timeline\n";
    let (i, _) = parse_text("imported/connectivity.md", text, &Config::default());
    let rows: Vec<(String, Option<Timestamp>, usize)> = i
        .timeline
        .iter()
        .map(|e| (e.event.clone(), e.at, e.line))
        .collect();
    assert_eq!(
        rows,
        [
            ("first errors".to_string(), ts("2019-08-31T13:07:00Z"), 4),
            (
                "alert, on call responds".to_string(),
                ts("2019-08-31T13:11:00Z"),
                5
            ),
            (
                "full service restored".to_string(),
                ts("2019-08-31T15:10:00Z"),
                6
            ),
        ]
    );
    assert_eq!(i.started_at, ts("2019-08-31T13:07:00Z"));
}

/// Write-ups kept as plain text name themselves on their first line, without `#`.
#[test]
fn a_plain_first_line_that_stands_alone_is_the_title() {
    let title = |text: &str| {
        let (i, diags) = parse_text("imported/x-2019.md", text, &Config::default());
        let warned = diags.iter().any(|d| d.code == "missing-title");
        (i.title, warned)
    };
    let t = |s: &str| s.to_string();
    assert_eq!(
        title("AT&T Mobility nationwide wireless outage — 22 Feb 2024\n\nAll devices dropped.\n"),
        (
            t("AT&T Mobility nationwide wireless outage — 22 Feb 2024"),
            false
        )
    );
    // A template's word before it goes, as in a heading; a short date line may follow.
    assert_eq!(
        title("Postmortem: data ingestion delay, July 3 2019\n\nIndexing fell behind.\n"),
        (t("data ingestion delay, July 3 2019"), false)
    );
    assert_eq!(
        title(
            "PS3 clock reset, PSN sign-in error 8001050F\n28 Feb – 1 Mar 2010 (GMT)\n\nConsoles failed.\n"
        ),
        (t("PS3 clock reset, PSN sign-in error 8001050F"), false)
    );
    assert_eq!(
        title(
            "Title: GCE external connectivity lost\nDate: 2016-04-11\n\n## Summary\n\nAll regions.\n"
        ),
        (t("GCE external connectivity lost"), false)
    );
    // Prose is no title: a sentence, a line wrapped into the next, a field, a section name.
    for text in [
        "We were down for two hours on 3 July 2019.\n\nMore text.\n",
        "On Tuesday the checkout service began to fail for customers in the EU\nregion after a deploy that changed the pool size, on 3 July 2019.\n",
        "Date: 2019-07-03\n\nThe checkout service failed.\n",
        "Summary\n\nThe checkout service failed on 3 July 2019.\n",
    ] {
        assert_eq!(title(text), (t("x-2019"), true), "{text}");
    }
}

/// Sections started by a line that is only their name, as plain-text write-ups have
/// them, are read and shown as sections.
#[test]
fn plain_section_labels_are_sections() {
    let text = "Agent connectivity issue — Saturday 31 Aug 2019\n\
                \n\
                Summary\n\
                Agents could not reach the API for two hours.\n\
                \n\
                Root Cause\n\
                A power failure in one data center cut our Redis cluster off.\n\
                \n\
                ```\n\
                \n\
                Impact\n\
                ```\n";
    let (i, _) = parse_text("imported/agents.md", text, &Config::default());
    assert_eq!(i.title, "Agent connectivity issue — Saturday 31 Aug 2019");
    assert_eq!(
        i.summary.as_deref(),
        Some("Agents could not reach the API for two hours.")
    );
    assert_eq!(
        i.root_cause.as_deref(),
        Some("A power failure in one data center cut our Redis cluster off.")
    );
    assert!(
        i.body_html
            .contains("<h2 id=\"root-cause\">Root Cause</h2>"),
        "{}",
        i.body_html
    );
    // In code it stays code.
    assert!(
        i.body_html.contains("Impact\n</code></pre>"),
        "{}",
        i.body_html
    );
}

/// Multi-day timelines write the month and day without the year (`05-04 00:09`); the
/// rows are placed on the incident's year, rolling over as the days go.
#[test]
fn timeline_rows_with_a_month_and_day_but_no_year_are_placed_in_the_incident_s_year() {
    let text = "---\ntitle: Background jobs stalled\ndate: 2025-12-31\n---\n\n\
                ## Timeline (UTC)\n\n\
                - 12-31 23:30 large batch arrives; allocation times out\n\
                - 01-01 02:30 backlog reported\n\
                - 01-02 16:30 normal processing restored\n";
    let (i, diags) = parse_text("reviews/jobs.md", text, &Config::default());
    let at: Vec<Option<Timestamp>> = i.timeline.iter().map(|e| e.at).collect();
    assert_eq!(
        at,
        [
            ts("2025-12-31T23:30:00Z"),
            ts("2026-01-01T02:30:00Z"),
            ts("2026-01-02T16:30:00Z")
        ]
    );
    assert!(
        !diags.iter().any(|d| d.code == "unreadable-time"),
        "{diags:?}"
    );
}
