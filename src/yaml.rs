//! The one place that touches the YAML library (serde_yaml is archived upstream; swapping
//! it means changing only this module).
//!
//! It turns a YAML document into a small owned tree (`Yaml`) whose mappings keep their
//! written order, and reports syntax errors with a 1-based line and column relative to
//! the YAML text (callers add the offset of the block in the file). Positions of values
//! are found by `value_position`, a line scan of top-level keys, because serde_yaml's
//! `Value` does not carry spans.

use std::fmt;

/// A parsed YAML value. Numbers are kept as text (serde_yaml's canonical form), so a
/// number where a string is expected can still be shown as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    List(Vec<Yaml>),
    /// Keys are rendered as strings (non-string keys keep their YAML text).
    Map(Vec<(String, Yaml)>),
}

/// A syntax error: 1-based position inside the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub(crate) line: usize,
    pub(crate) col: usize,
    /// What went wrong, without positions.
    pub(crate) message: String,
    /// What the parser was inside when it failed (e.g. `while parsing a flow sequence`)
    /// and where that construct starts: usually the offending value.
    pub(crate) context: Option<(String, usize, usize)>,
}

impl Yaml {
    /// What kind of value this is, for messages like "found a list".
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Yaml::Null => "nothing (null)",
            Yaml::Bool(_) => "a boolean",
            Yaml::Number(_) => "a number",
            Yaml::String(_) => "a string",
            Yaml::List(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }

    /// Scalars as text (strings, numbers, booleans); `None` for null, lists and maps.
    pub(crate) fn as_scalar_text(&self) -> Option<String> {
        match self {
            Yaml::String(s) | Yaml::Number(s) => Some(s.clone()),
            Yaml::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as JSON, for `extra` keys that templates read.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Yaml::Null => serde_json::Value::Null,
            Yaml::Bool(b) => serde_json::Value::Bool(*b),
            Yaml::Number(n) => n
                .parse::<i64>()
                .map(serde_json::Value::from)
                .ok()
                .or_else(|| {
                    n.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(serde_json::Value::Number)
                })
                .unwrap_or_else(|| serde_json::Value::String(n.clone())),
            Yaml::String(s) => serde_json::Value::String(s.clone()),
            Yaml::List(items) => {
                serde_json::Value::Array(items.iter().map(Yaml::to_json).collect())
            }
            Yaml::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Parse one YAML document. An empty or comment-only document is `Yaml::Null`. Tags
/// (`!include x`) are dropped: the value is read as if untagged.
pub(crate) fn parse(text: &str) -> Result<Yaml, YamlError> {
    parse_tagged(text).map(|(yaml, _)| yaml)
}

/// A tag that was dropped: the top-level key whose value carried it, and the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DroppedTag {
    pub(crate) key: String,
    pub(crate) tag: String,
}

/// `parse`, also saying which tags were dropped and under which top-level key.
pub(crate) fn parse_tagged(text: &str) -> Result<(Yaml, Vec<DroppedTag>), YamlError> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let full = e.to_string();
        let (problem, context) = match full.split_once(", while ") {
            Some((p, c)) => (p, Some(format!("while {c}"))),
            None => (full.as_str(), None),
        };
        let context = context.and_then(|c| {
            let (what, at) = c.split_once(" at line ")?;
            let (l, col) = at.split_once(" column ")?;
            Some((
                what.to_string(),
                l.trim().parse().ok()?,
                col.trim().trim_end_matches('.').parse().ok()?,
            ))
        });
        YamlError {
            line,
            col,
            message: strip_position(problem),
            context,
        }
    })?;
    let mut tags = Vec::new();
    let yaml = match value {
        serde_yaml::Value::Mapping(map) => Yaml::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let key = key_text(convert(k, "", &mut tags));
                    let value = convert(v, &key, &mut tags);
                    (key, value)
                })
                .collect(),
        ),
        other => convert(other, "", &mut tags),
    };
    Ok((yaml, tags))
}

fn key_text(key: Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Number(s) => s,
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        other => format!("{:?}", other.to_json()),
    }
}

/// serde_yaml appends " at line X column Y" to its messages; the caller prints the
/// position itself, so drop it.
fn strip_position(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    message.trim_end_matches('.').to_string()
}

fn convert(value: serde_yaml::Value, key: &str, tags: &mut Vec<DroppedTag>) -> Yaml {
    use serde_yaml::Value;
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(b),
        Value::Number(n) => Yaml::Number(n.to_string()),
        Value::String(s) => Yaml::String(s),
        Value::Sequence(items) => {
            Yaml::List(items.into_iter().map(|v| convert(v, key, tags)).collect())
        }
        Value::Mapping(map) => Yaml::Map(
            map.into_iter()
                .map(|(k, v)| (key_text(convert(k, key, tags)), convert(v, key, tags)))
                .collect(),
        ),
        Value::Tagged(tagged) => {
            tags.push(DroppedTag {
                key: key.to_string(),
                tag: tagged.tag.to_string(),
            });
            convert(tagged.value, key, tags)
        }
    }
}

/// 1-based (line, col) inside `text` of the value of top-level key `key`: the first
/// character after `key:` on its line, or the first item on the following line when the
/// value is a block below the key. Falls back to the key itself.
pub(crate) fn value_position(text: &str, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches('\r');
        let Some(rest) = strip_key(line, key) else {
            continue;
        };
        let after = rest.trim_start();
        if !after.is_empty() && !after.starts_with('#') {
            let col = line[..line.len() - after.len()].chars().count() + 1;
            return Some((i + 1, col));
        }
        for (j, next) in lines.iter().enumerate().skip(i + 1) {
            let next = next.trim_end_matches('\r');
            let trimmed = next.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if next.len() == trimmed.len() && !trimmed.starts_with('-') {
                break; // the next top-level key: the value is empty
            }
            return Some((j + 1, next.len() - trimmed.len() + 1));
        }
        return Some((i + 1, 1));
    }
    None
}

/// 1-based line of top-level key `key`, if written on a line of its own.
pub(crate) fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| strip_key(l.trim_end_matches('\r'), key).is_some())
        .map(|i| i + 1)
}

/// When `line` is `key: ...` (key unquoted or quoted, at column 1), the text after the colon.
fn strip_key<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let unquoted = line.strip_prefix(key);
    let quoted = || {
        line.strip_prefix('"')
            .and_then(|l| l.strip_prefix(key))
            .and_then(|l| l.strip_prefix('"'))
            .or_else(|| {
                line.strip_prefix('\'')
                    .and_then(|l| l.strip_prefix(key))
                    .and_then(|l| l.strip_prefix('\''))
            })
    };
    let rest = unquoted.or_else(quoted)?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix(':')
        .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_number_text() {
        let y = parse("b: 1.10\na: [x, y]\n").unwrap();
        assert_eq!(
            y,
            Yaml::Map(vec![
                ("b".into(), Yaml::Number("1.1".into())),
                (
                    "a".into(),
                    Yaml::List(vec![Yaml::String("x".into()), Yaml::String("y".into())])
                ),
            ])
        );
    }

    #[test]
    fn syntax_error_has_position_and_context() {
        let e = parse("title: ok\nservices: [a, b\ndate: x\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 5), "{e:?}");
        assert_eq!(e.message, "did not find expected ',' or ']'");
        assert_eq!(
            e.context,
            Some(("while parsing a flow sequence".to_string(), 2, 11))
        );
    }

    #[test]
    fn tags_are_dropped_and_reported() {
        let (y, tags) = parse_tagged("title: !include /etc/passwd\nservices: [a, !x b]\n").unwrap();
        assert_eq!(
            y,
            Yaml::Map(vec![
                ("title".into(), Yaml::String("/etc/passwd".into())),
                (
                    "services".into(),
                    Yaml::List(vec![Yaml::String("a".into()), Yaml::String("b".into())])
                ),
            ])
        );
        assert_eq!(
            tags,
            [
                DroppedTag {
                    key: "title".into(),
                    tag: "!include".into()
                },
                DroppedTag {
                    key: "services".into(),
                    tag: "!x".into()
                }
            ]
        );
    }

    #[test]
    fn value_position_points_at_value() {
        let text = "title: x\nservices:\n  - a\n\"date\": 2025\n";
        assert_eq!(value_position(text, "title"), Some((1, 8)));
        assert_eq!(value_position(text, "services"), Some((3, 3)));
        assert_eq!(value_position(text, "date"), Some((4, 9)));
        assert_eq!(value_position(text, "titles"), None);
    }
}
