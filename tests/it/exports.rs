//! The data exports of `api/` on the bundled sample, against their schemas and against
//! `api/incidents.json`; `hindsight schema`, completions and the man page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{copy_dir, run};

const AS_OF: &str = "2026-11-26";

/// The sample archive built once into a temporary folder; returns its `public/`.
fn public() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, public) = SITE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = tempfile::tempdir().unwrap();
        copy_dir(&root.join("content"), &site.path().join("content"));
        std::fs::copy(root.join("site.toml"), site.path().join("site.toml")).unwrap();
        let (code, _, err) = run(site.path(), &["build", "--as-of", AS_OF]);
        assert_eq!(code, 0, "{err}");
        let public = site.path().join("public");
        (site, public)
    });
    public
}

fn json(rel: &str) -> Value {
    let text = std::fs::read_to_string(public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::draft202012::new(schema).expect("a valid draft 2020-12 schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn sample_exports_validate_against_the_published_schemas() {
    for (export, schema) in [
        ("api/incidents.json", "api/incidents.schema.json"),
        ("api/trends.json", "api/trends.schema.json"),
    ] {
        let schema = json(schema);
        let instance = json(export);
        assert_valid(&schema, &instance, export);
        // And the schema rejects what breaks the contract.
        let mut broken = instance.clone();
        broken.as_object_mut().unwrap().remove("as_of");
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        assert!(!validator.is_valid(&broken), "{export} without as_of");
    }
    let incidents = json("api/incidents.json");
    let list = incidents["incidents"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|i| !i["inferred_causes"].as_array().unwrap().is_empty()),
        "the sample exercises inferred_causes"
    );
    let schema = json("api/incidents.schema.json");
    let mut bad = incidents.clone();
    bad["incidents"][0]["related"] = serde_json::json!([{
        "id": "x", "score": 0.5, "reasons": [], "explicit": false, "strength": "maybe"
    }]);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(!validator.is_valid(&bad), "strength is related or possible");
}

/// Each taxonomy phrase is written once, in `phrases`; every evidence entry names its own
/// by index, and reading the index back gives exactly the phrase the analysis matched.
#[test]
fn inferred_cause_evidence_names_its_phrase_by_index() {
    let export = json("api/incidents.json");
    let phrases: Vec<&str> = export["phrases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(phrases.windows(2).all(|w| w[0] < w[1]), "sorted, each once");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().unwrap();
    copy_dir(&root.join("content"), &site.path().join("content"));
    std::fs::copy(root.join("site.toml"), site.path().join("site.toml")).unwrap();
    let site = hindsight::site::Site::open(site.path(), AS_OF.parse().unwrap()).unwrap();
    let (archive, _) = hindsight::pipeline::load(&site);
    let (insights, _) = hindsight::pipeline::analyse(&site, &archive);
    let mut used = vec![false; phrases.len()];
    let mut evidence = 0;
    for incident in export["incidents"].as_array().unwrap() {
        let id = incident["id"].as_str().unwrap();
        let expected = insights
            .inferred_causes
            .get(id)
            .map_or(&[][..], Vec::as_slice);
        let causes = incident["inferred_causes"].as_array().unwrap();
        assert_eq!(causes.len(), expected.len(), "{id}");
        for (cause, want) in causes.iter().zip(expected) {
            assert_eq!(cause["class"], want.class.as_str());
            let entries = cause["evidence"].as_array().unwrap();
            assert_eq!(entries.len(), want.evidence.len(), "{id}");
            for (e, want) in entries.iter().zip(&want.evidence) {
                let index = e["phrase"].as_u64().expect("an index") as usize;
                assert_eq!(phrases[index], want.phrase, "{id}");
                assert_eq!(e["sentence"], want.sentence.as_str());
                used[index] = true;
                evidence += 1;
            }
        }
    }
    assert!(evidence > 0, "the sample has evidence");
    assert!(used.iter().all(|&u| u), "every phrase listed is used");
}

/// The incident page shows each inferred cause of the export: its title, its confidence
/// in percent (rounded, as `94.0%`) and the first sentence of its evidence with the section it is in.
#[test]
fn incident_pages_show_the_inferred_causes_of_the_export() {
    let export = json("api/incidents.json");
    let mut shown = 0;
    for incident in export["incidents"].as_array().unwrap() {
        let causes = incident["inferred_causes"].as_array().unwrap();
        if causes.is_empty() {
            continue;
        }
        let url = incident["url"].as_str().unwrap();
        let page = std::fs::read_to_string(public().join(url)).unwrap();
        let section = &page[page.find(r#"<section class="inferred""#).expect(url)..];
        let section = &section[..section.find("</section>").unwrap()];
        let items: Vec<&str> = section.split("<li>").skip(1).collect();
        assert_eq!(items.len(), causes.len(), "{url}: {section}");
        for (item, cause) in items.iter().zip(causes) {
            let title = cause["title"].as_str().unwrap();
            let percent = (cause["confidence"].as_f64().unwrap() * 100.0).round();
            assert!(
                item.starts_with(&format!(
                    "{title} <span class=\"related-meta\">inferred · confidence {percent:.1}%</span>"
                )),
                "{url}: {item}"
            );
            let evidence = &cause["evidence"][0];
            let sentence = evidence["sentence"]
                .as_str()
                .unwrap()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            let at = evidence["section"].as_str().unwrap();
            assert!(
                item.contains(&format!(
                    "<blockquote>“{sentence}” <span class=\"related-meta\">{at}"
                )),
                "{url}: {item}"
            );
            shown += 1;
        }
    }
    assert!(shown > 0, "the sample has inferred causes");
}

#[test]
fn schema_command_prints_each_bundled_schema() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["front-matter", "site", "incidents", "trends"] {
        let (code, out, err) = run(tmp.path(), &["schema", name]);
        assert_eq!(code, 0, "{name}: {err}");
        let schema: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        jsonschema::draft202012::new(&schema).expect("compiles");
    }
    let (_, published, _) = run(tmp.path(), &["schema", "incidents"]);
    assert_eq!(
        published,
        std::fs::read_to_string(public().join("api/incidents.schema.json")).unwrap()
    );
    let (code, _, err) = run(tmp.path(), &["schema", "nope"]);
    assert_eq!(code, 2, "{err}");
}

/// Front matter of the sample and of `hindsight new` validates against the front-matter
/// schema, and site.toml (as JSON) against the site schema.
#[test]
fn front_matter_and_site_toml_validate_against_their_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fm_schema: Value =
        serde_json::from_str(hindsight::schema::get("front-matter").unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(tmp.path(), &["new", "Disk full", "--date", "2026-02-03"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(tmp.path().join(out.trim())).unwrap();
    assert!(
        text.contains(
            "\n# yaml-language-server: $schema=../schemas/front-matter.schema.json\n---\n"
        ),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("schemas/front-matter.schema.json")).unwrap(),
        hindsight::schema::get("front-matter").unwrap(),
        "the comment points at a file that exists"
    );
    let mut files = vec![text];
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            files.push(std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    let mut checked = 0;
    for text in &files {
        let Some(rest) = text.strip_prefix("---\n") else {
            continue;
        };
        let Some(end) = rest.find("\n---") else {
            continue;
        };
        let yaml: serde_yaml::Value = serde_yaml::from_str(&rest[..end]).unwrap();
        let value: Value = serde_json::to_value(yaml).unwrap();
        assert_valid(&fm_schema, &value, &text[..text.len().min(120)]);
        checked += 1;
    }
    assert!(checked > 1);
    let site_schema: Value = serde_json::from_str(hindsight::schema::get("site").unwrap()).unwrap();
    let site: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("site.toml")).unwrap()).unwrap();
    assert_valid(
        &site_schema,
        &serde_json::to_value(site).unwrap(),
        "site.toml",
    );
    let typo: Value = serde_json::json!({"output_dri": "out"});
    assert!(
        !jsonschema::draft202012::new(&site_schema)
            .unwrap()
            .is_valid(&typo)
    );
}

#[test]
fn action_item_exports_hold_every_item_of_incidents_json() {
    let incidents = json("api/incidents.json");
    let mut expected = Vec::new();
    for i in incidents["incidents"].as_array().unwrap() {
        for a in i["action_items"].as_array().unwrap() {
            expected.push((
                i["id"].as_str().unwrap().to_string(),
                a.clone(),
                i["teams"].clone(),
                i["url"].clone(),
            ));
        }
    }
    assert!(expected.len() > 10);
    let export = json("api/action-items.json");
    assert_eq!(export["as_of"], AS_OF);
    let items = export["action_items"].as_array().unwrap();
    assert_eq!(items.len(), expected.len());
    for (item, (id, a, teams, url)) in items.iter().zip(&expected) {
        assert_eq!(item["incident"], id.as_str());
        assert_eq!(&item["incident_url"], url);
        assert_eq!(&item["teams"], teams);
        for key in [
            "number",
            "action",
            "kind",
            "owner",
            "priority",
            "due",
            "status",
            "status_text",
            "overdue",
        ] {
            assert_eq!(item[key], a[key], "{id} {key}");
        }
        assert_eq!(item["overdue"], item["days_overdue"].is_i64());
    }
    let overdue = items.iter().filter(|i| i["overdue"] == true).count();
    assert!(overdue > 0, "the sample has overdue items as of {AS_OF}");

    let bytes = std::fs::read(public().join("api/action-items.csv")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("incident,incident_title,incident_url,incident_date,number,action,kind,owner,teams,priority,due,status,status_text,overdue,days_overdue\r\n"));
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), items.len());
    for (row, item) in rows.iter().zip(items) {
        assert_eq!(&row[0], item["incident"].as_str().unwrap());
        assert_eq!(
            &row[5],
            item["action"].as_str().unwrap(),
            "quoting round-trips"
        );
        assert_eq!(
            &row[13],
            if item["overdue"] == true {
                "true"
            } else {
                "false"
            }
        );
    }

    let ics = std::fs::read_to_string(public().join("api/action-items.ics")).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    let open_with_due = items
        .iter()
        .filter(|i| {
            !i["due"].is_null()
                && !["done", "not-doing", "unknown"].contains(&i["status"].as_str().unwrap())
        })
        .count();
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), open_with_due);
    assert!(
        ics.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );
}

#[test]
fn service_exports_list_each_services_incidents_and_figures() {
    let incidents = json("api/incidents.json");
    let mut by_service: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for i in incidents["incidents"].as_array().unwrap() {
        for s in i["services"].as_array().unwrap() {
            by_service
                .entry(s.as_str().unwrap().to_string())
                .or_default()
                .push(i);
        }
    }
    assert!(by_service.len() > 2);
    let files = std::fs::read_dir(public().join("api/services"))
        .unwrap()
        .count();
    assert!(files > 0 && files <= by_service.len());
    let mut checked = 0;
    for (name, list) in &by_service {
        let slug = hindsight::slug::slug(name);
        let export = json(&format!("api/services/{slug}.json"));
        if export["service"] != name.as_str() {
            continue; // another name with the same slug got the file
        }
        checked += 1;
        assert_eq!(export["slug"], slug.as_str());
        assert_eq!(export["as_of"], AS_OF);
        assert_eq!(export["counts"]["post_mortems"], list.len());
        let ids: Vec<&Value> = export["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["id"])
            .collect();
        let want: Vec<&Value> = list.iter().map(|i| &i["id"]).collect();
        assert_eq!(ids, want, "{name}");
        let total: usize = list
            .iter()
            .map(|i| i["action_items"].as_array().unwrap().len())
            .sum();
        assert_eq!(export["counts"]["action_items"]["total"], total);
        let first = &export["incidents"][0];
        for key in ["title", "date", "severity", "durations"] {
            assert_eq!(first[key], list[0][key], "{name} {key}");
        }
        assert!(export["durations"]["time_to_resolve"]["n"].is_u64());
    }
    assert!(checked > 2);
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(tmp.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(
            out.contains("hindsight") && out.contains("schema"),
            "{shell}"
        );
    }
    let (_, bash, _) = run(tmp.path(), &["completions", "bash"]);
    assert!(
        bash.contains("--format") && bash.contains("github"),
        "values are completed"
    );
    let (code, man, err) = run(tmp.path(), &["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        man.starts_with(".ie") || man.contains(".TH hindsight"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("completions") && man.contains("build"));
}
