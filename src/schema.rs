//! The JSON Schemas (draft 2020-12) of what users write and what tools read: front
//! matter, `site.toml`, `api/incidents.json` and `api/trends.json`. They live in
//! `schemas/` at the top of the repository and are embedded here; `hindsight schema NAME`
//! prints one, `build` publishes the export schemas next to the exports, and `new` points
//! the front matter at its schema for editors (yaml-language-server).

/// (name, file name, contents), in the order `hindsight schema` lists them.
pub(crate) const SCHEMAS: &[(&str, &str, &str)] = &[
    (
        "front-matter",
        "front-matter.schema.json",
        include_str!("../schemas/front-matter.schema.json"),
    ),
    (
        "site",
        "site.schema.json",
        include_str!("../schemas/site.schema.json"),
    ),
    (
        "incidents",
        "incidents.schema.json",
        include_str!("../schemas/incidents.schema.json"),
    ),
    (
        "trends",
        "trends.schema.json",
        include_str!("../schemas/trends.schema.json"),
    ),
];

/// The names `hindsight schema` accepts.
pub(crate) fn names() -> Vec<&'static str> {
    SCHEMAS.iter().map(|(name, _, _)| *name).collect()
}

/// The schema called `name`, if there is one.
pub fn get(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, text)| *text)
}

/// The file name of the schema called `name` (e.g. `incidents.schema.json`).
pub(crate) fn file_name(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, file, _)| *file)
}

/// Where a site keeps its copy of the front-matter schema, relative to the site root:
/// `hindsight new` writes it there (when missing or out of date) so editors validate
/// post-mortems offline, against the schema of the hindsight that builds them.
pub(crate) const SITE_COPY_DIR: &str = "schemas";

#[cfg(test)]
mod tests {
    #[test]
    fn every_schema_is_json_for_draft_2020_12() {
        for (name, file, text) in super::SCHEMAS {
            let json: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                json["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name}"
            );
            assert_eq!(*file, format!("{name}.schema.json"));
        }
    }
}
