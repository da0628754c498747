//! What the CLI's tantivy index holds: its fields, and how an incident becomes a
//! document (text fields tokenised by [`super::text::TantivyTokenizer`], labels as exact
//! values, display data and snippet text stored).

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions,
};

use super::text;
use crate::model::Incident;

/// Bump whenever the schema or what goes into a field changes: the index is rebuilt.
pub(crate) const SCHEMA_VERSION: u32 = 5;
/// The tokenizer name registered on every opened index.
const TOKENIZER: &str = "hindsight";

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) title: Field,
    pub(super) root_cause: Field,
    pub(super) summary: Field,
    pub(super) body: Field,
    pub(super) labels: Field,
    pub(super) cause: Field,
    /// Taxonomy classes: known labels and inferred causes (see [`super::causes`]).
    pub(super) class: Field,
    /// Possible classes of an unlabelled incident, below the cut-off (see
    /// [`super::causes`]).
    pub(super) class_possible: Field,
    pub(super) service: Field,
    pub(super) team: Field,
    pub(super) tag: Field,
    pub(super) severity: Field,
    pub(super) status: Field,
    pub(super) day: Field,
    pub(super) display: Field,
    pub(super) snippet_text: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |positions: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(true)),
        root_cause: b.add_text_field("root_cause", text(true)),
        summary: b.add_text_field("summary", text(true)),
        body: b.add_text_field("body", text(true)),
        labels: b.add_text_field("labels", text(false)),
        cause: b.add_text_field("cause", STRING),
        class: b.add_text_field("class", STRING),
        class_possible: b.add_text_field("class_possible", STRING),
        service: b.add_text_field("service", STRING),
        team: b.add_text_field("team", STRING),
        tag: b.add_text_field("tag", STRING),
        severity: b.add_text_field("severity", STRING),
        status: b.add_text_field("status", STRING),
        day: b.add_u64_field("day", INDEXED | FAST),
        display: b.add_text_field("display", STORED),
        snippet_text: b.add_text_field("snippet_text", STORED),
    };
    (b.build(), fields)
}

pub(super) fn fields_of(schema: &Schema) -> Result<Fields> {
    let f = |name: &str| {
        schema
            .get_field(name)
            .with_context(|| format!("search index lacks field `{name}`"))
    };
    Ok(Fields {
        id: f("id")?,
        title: f("title")?,
        root_cause: f("root_cause")?,
        summary: f("summary")?,
        body: f("body")?,
        labels: f("labels")?,
        cause: f("cause")?,
        class: f("class")?,
        class_possible: f("class_possible")?,
        service: f("service")?,
        team: f("team")?,
        tag: f("tag")?,
        severity: f("severity")?,
        status: f("status")?,
        day: f("day")?,
        display: f("display")?,
        snippet_text: f("snippet_text")?,
    })
}

/// What a result shows, stored with each document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Display {
    pub(super) title: String,
    pub(super) date: Option<String>,
    pub(super) severity: Option<String>,
    pub(super) services: Vec<String>,
    /// The post-mortem's file, relative to the site root.
    #[serde(default)]
    pub(super) source: String,
}

/// Everything indexed for one incident; hashed to detect changes (its cause classes
/// follow from the text and the taxonomy, whose digest the manifest keeps).
#[derive(Debug, Serialize)]
pub(super) struct IndexedDoc<'a> {
    pub(super) id: &'a str,
    pub(super) source: String,
    pub(super) title: &'a str,
    pub(super) root_cause: String,
    pub(super) summary: &'a str,
    pub(super) body: &'a str,
    pub(super) causes: &'a [String],
    pub(super) services: &'a [String],
    pub(super) teams: &'a [String],
    pub(super) tags: &'a [String],
    pub(super) severity: Option<&'a str>,
    pub(super) status: &'static str,
    pub(super) date: Option<String>,
    #[serde(skip)]
    pub(super) classes: Vec<String>,
    #[serde(skip)]
    pub(super) possible: Vec<String>,
}

impl<'a> IndexedDoc<'a> {
    pub(super) fn of(i: &'a Incident) -> Self {
        IndexedDoc {
            id: &i.id,
            source: i.source.to_string_lossy().replace('\\', "/"),
            title: &i.title,
            root_cause: i.root_cause_text(),
            summary: i.summary.as_deref().unwrap_or(""),
            body: &i.body_text,
            causes: &i.causes,
            services: &i.services,
            teams: &i.teams,
            tags: &i.tags,
            severity: i.severity.as_deref(),
            status: i.status.as_str(),
            date: i.date.map(|d| d.to_string()),
            classes: Vec::new(),
            possible: Vec::new(),
        }
    }

    /// With its cause classes and possible ones, for indexing.
    pub(super) fn with_classes(mut self, causes: &super::causes::Causes, i: &Incident) -> Self {
        (self.classes, self.possible) = causes.graded(i);
        self
    }

    pub(super) fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        // FNV-1a: stable across Rust versions, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    pub(super) fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, self.id);
        doc.add_text(f.title, self.title);
        doc.add_text(f.root_cause, &self.root_cause);
        doc.add_text(f.summary, self.summary);
        doc.add_text(f.body, self.body);
        for (field, values) in [
            (f.cause, self.causes),
            (f.service, self.services),
            (f.team, self.teams),
            (f.tag, self.tags),
        ] {
            for v in values {
                doc.add_text(field, v.to_lowercase());
                // Labels are also free text, so `dns` finds an incident caused by `dns`.
                doc.add_text(f.labels, v.replace(['-', '_'], " "));
            }
        }
        for class in &self.classes {
            doc.add_text(f.class, class);
        }
        for class in &self.possible {
            doc.add_text(f.class_possible, class);
        }
        if let Some(s) = self.severity {
            doc.add_text(f.severity, s.to_lowercase());
        }
        doc.add_text(f.status, self.status);
        if let Some(d) = &self.date {
            doc.add_u64(f.day, day_number(d));
        }
        let display = Display {
            title: self.title.to_string(),
            date: self.date.clone(),
            severity: self.severity.map(str::to_string),
            services: self.services.to_vec(),
            source: self.source.clone(),
        };
        doc.add_text(
            f.display,
            serde_json::to_string(&display).unwrap_or_default(),
        );
        // Root cause first: among equally good passages the earliest wins, and the
        // root cause is the one an on-call engineer wants to read.
        let parts = [self.root_cause.as_str(), self.summary, self.body];
        let snippet_text = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        doc.add_text(f.snippet_text, snippet_text);
        doc
    }
}

/// `YYYY-MM-DD` → `YYYYMMDD` as a number, ordered like the dates.
pub(super) fn day_number(date: &str) -> u64 {
    date.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
}

/// Open the index in `dir` with our tokenizer registered (tantivy does not store it).
pub(super) fn open_index(dir: &Path) -> tantivy::Result<Index> {
    let index = Index::open_in_dir(dir)?;
    register_tokenizer(&index);
    Ok(index)
}

pub(super) fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER, text::TantivyTokenizer::default());
}
