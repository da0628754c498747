//! The search query language, parsed by hand so every mistake gets a message that says
//! where it is and what was expected (`query:COL: ...`).
//!
//! Grammar (items separated by whitespace):
//! `word`, `"a quoted phrase"`, `field:value` or `field:"quoted value"` with field one of
//! `FIELDS`, `after:YYYY-MM-DD` (on or after that day), `before:YYYY-MM-DD` (strictly
//! before that day), `year:YYYY`, and a leading `-` on any item to exclude what it
//! matches. Field names are case-insensitive; values are compared lower-cased and
//! exactly (`cause:` also by the taxonomy's names, see the searcher).
//!
//! `OR` (upper case, standing alone) separates alternatives: `cause:dns OR cause:bgp`
//! finds incidents matching either side. Within one alternative every filter must hold
//! and any of the words may match (complete matches rank first). The browser's
//! `search.js` parses the same language.

use std::fmt;

use jiff::civil::Date;

/// Fields that filter on an exact (lower-cased) label of the post-mortem.
pub(crate) const FIELDS: [&str; 6] = ["cause", "service", "team", "severity", "tag", "status"];

/// A filter field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    Cause,
    Service,
    Team,
    Severity,
    Tag,
    Status,
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "cause" => Field::Cause,
            "service" => Field::Service,
            "team" => Field::Team,
            "severity" => Field::Severity,
            "tag" => Field::Tag,
            "status" => Field::Status,
            _ => return None,
        })
    }
}

/// One item of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// A free-text word as typed (tokenised and stemmed by the index).
    Word(String),
    /// A quoted phrase as typed.
    Phrase(String),
    /// `field:value`, value lower-cased.
    Field(Field, String),
    /// `after:DATE`: on or after DATE.
    After(Date),
    /// `before:DATE`: strictly before DATE.
    Before(Date),
    /// `year:YYYY`: on a day of that year.
    Year(i16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) negated: bool,
    pub(crate) clause: Clause,
}

/// A parsed query: one or more alternatives (separated by `OR`); a result matches at
/// least one. Within an alternative every filter holds and no negated item matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub(crate) alternatives: Vec<Vec<Item>>,
}

/// A query the parser cannot read. Displays as `query:COL: message` (COL 1-based, in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub(crate) col: usize,
    pub(crate) message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query:{}: {}", self.col, self.message)
    }
}

impl std::error::Error for QueryError {}

const EXPECTED_ITEM: &str = "expected words, a \"quoted phrase\", field:value (cause, service, team, severity, tag, status), after:YYYY-MM-DD, before:YYYY-MM-DD or year:YYYY";

/// Parse `text` into a query.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut alternatives = Vec::new();
    let mut items = Vec::new();
    // Where the last `OR` stood, while nothing follows it yet.
    let mut open_or: Option<usize> = None;
    let mut pos = 0;
    while pos < chars.len() {
        if chars[pos].is_whitespace() {
            pos += 1;
            continue;
        }
        let start = pos;
        if chars[pos..].starts_with(&['O', 'R'])
            && chars.get(pos + 2).is_none_or(|c| c.is_whitespace())
        {
            if items.is_empty() {
                return Err(err(
                    start,
                    "`OR` needs something before it; expected e.g. cause:dns OR cause:bgp"
                        .to_string(),
                ));
            }
            alternatives.push(std::mem::take(&mut items));
            open_or = Some(start);
            pos += 2;
            continue;
        }
        open_or = None;
        let negated = chars[pos] == '-';
        if negated {
            pos += 1;
            if pos >= chars.len() || chars[pos].is_whitespace() {
                return Err(err(
                    start,
                    format!("`-` must be followed by what to exclude; {EXPECTED_ITEM}"),
                ));
            }
        }
        let clause = if chars[pos] == '"' {
            let (phrase, next) = quoted(&chars, pos)?;
            pos = next;
            if phrase.trim().is_empty() {
                return Err(err(
                    start,
                    "empty phrase; expected words between the quotes".to_string(),
                ));
            }
            Clause::Phrase(phrase)
        } else {
            let word_start = pos;
            while pos < chars.len()
                && !chars[pos].is_whitespace()
                && chars[pos] != ':'
                && chars[pos] != '"'
            {
                pos += 1;
            }
            let head: String = chars[word_start..pos].iter().collect();
            let is_field = pos < chars.len()
                && chars[pos] == ':'
                && !head.is_empty()
                && head.chars().all(|c| c.is_ascii_alphabetic());
            if is_field {
                let name = head.to_ascii_lowercase();
                pos += 1;
                let value_start = pos;
                let value = if pos < chars.len() && chars[pos] == '"' {
                    let (v, next) = quoted(&chars, pos)?;
                    pos = next;
                    v
                } else {
                    let s = pos;
                    while pos < chars.len() && !chars[pos].is_whitespace() {
                        pos += 1;
                    }
                    chars[s..pos].iter().collect()
                };
                let value = value.trim().to_string();
                field_clause(&name, value, word_start, value_start)?
            } else {
                // An ordinary word: everything up to the next space (colons and quotes
                // inside a word such as `10:32` or `don"t` stay part of it).
                while pos < chars.len() && !chars[pos].is_whitespace() {
                    pos += 1;
                }
                Clause::Word(chars[word_start..pos].iter().collect())
            }
        };
        if pos < chars.len() && !chars[pos].is_whitespace() {
            return Err(err(
                pos,
                format!(
                    "unexpected `{}` right after an item; expected a space between items",
                    chars[pos]
                ),
            ));
        }
        items.push(Item { negated, clause });
    }
    if let Some(at) = open_or {
        return Err(err(
            at,
            "`OR` needs something after it; expected e.g. cause:dns OR cause:bgp".to_string(),
        ));
    }
    if items.is_empty() {
        return Err(err(0, format!("empty query; {EXPECTED_ITEM}")));
    }
    alternatives.push(items);
    Ok(Query { alternatives })
}

/// Read a `"..."` starting at `pos` (which holds the opening quote).
fn quoted(chars: &[char], pos: usize) -> Result<(String, usize), QueryError> {
    let end = chars[pos + 1..]
        .iter()
        .position(|&c| c == '"')
        .map(|e| pos + 1 + e);
    match end {
        Some(end) => Ok((chars[pos + 1..end].iter().collect(), end + 1)),
        None => Err(err(
            pos,
            "unterminated phrase; expected a closing `\"`".to_string(),
        )),
    }
}

fn field_clause(
    name: &str,
    value: String,
    name_at: usize,
    value_at: usize,
) -> Result<Clause, QueryError> {
    match name {
        "after" | "before" => {
            let date = parse_date(&value).ok_or_else(|| err(value_at, format!("bad date `{value}` for `{name}:`; expected YYYY-MM-DD, e.g. {name}:2025-01-31")))?;
            Ok(if name == "after" {
                Clause::After(date)
            } else {
                Clause::Before(date)
            })
        }
        "year" => {
            let year = (value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.parse::<i16>().ok())
                .flatten()
                .filter(|y| (1000..=9999).contains(y))
                .ok_or_else(|| {
                    err(
                        value_at,
                        format!("bad year `{value}` for `year:`; expected YYYY, e.g. year:2025"),
                    )
                })?;
            Ok(Clause::Year(year))
        }
        _ => {
            let field = Field::from_name(name).ok_or_else(|| {
                err(
                    name_at,
                    format!(
                        "unknown field `{name}`; expected one of {}, after, before, year (put text with a colon in quotes to search for it)",
                        FIELDS.join(", ")
                    ),
                )
            })?;
            if value.is_empty() {
                return Err(err(
                    value_at,
                    format!(
                        "`{name}:` needs a value; expected e.g. {name}:{}",
                        example(field)
                    ),
                ));
            }
            Ok(Clause::Field(field, value.to_lowercase()))
        }
    }
}

fn example(field: Field) -> &'static str {
    match field {
        Field::Cause => "dns",
        Field::Service => "payments",
        Field::Team => "platform",
        Field::Severity => "sev1",
        Field::Tag => "database",
        Field::Status => "final",
    }
}

/// Strict `YYYY-MM-DD` (jiff also accepts longer forms we do not want here).
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    s.parse::<Date>().ok()
}

fn err(pos: usize, message: String) -> QueryError {
    QueryError {
        col: pos + 1,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(negated: bool, clause: Clause) -> Item {
        Item { negated, clause }
    }

    #[test]
    fn words_phrases_fields_dates_and_exclusions() {
        let q = parse(r#"pool "connection leak" Cause:DNS -service:payments after:2025-01-01 before:2025-07-01 -"dry run" -retry"#).unwrap();
        assert_eq!(q.alternatives.len(), 1);
        assert_eq!(
            q.alternatives[0],
            vec![
                item(false, Clause::Word("pool".into())),
                item(false, Clause::Phrase("connection leak".into())),
                item(false, Clause::Field(Field::Cause, "dns".into())),
                item(true, Clause::Field(Field::Service, "payments".into())),
                item(false, Clause::After(Date::constant(2025, 1, 1))),
                item(false, Clause::Before(Date::constant(2025, 7, 1))),
                item(true, Clause::Phrase("dry run".into())),
                item(true, Clause::Word("retry".into())),
            ]
        );
    }

    #[test]
    fn quoted_field_values_and_words_with_colons() {
        let q = parse(r#"team:"Site Reliability" 10:32"#).unwrap();
        let items: Vec<&Item> = q.alternatives.iter().flatten().collect();
        assert_eq!(
            items[0].clause,
            Clause::Field(Field::Team, "site reliability".into())
        );
        assert_eq!(items[1].clause, Clause::Word("10:32".into()));
    }

    #[test]
    fn or_separates_alternatives_and_year_is_a_field() {
        let q = parse("cause:dns -team:edge OR year:2024 timeout OR bgp").unwrap();
        assert_eq!(
            q.alternatives,
            vec![
                vec![
                    item(false, Clause::Field(Field::Cause, "dns".into())),
                    item(true, Clause::Field(Field::Team, "edge".into())),
                ],
                vec![
                    item(false, Clause::Year(2024)),
                    item(false, Clause::Word("timeout".into())),
                ],
                vec![item(false, Clause::Word("bgp".into()))],
            ]
        );
        // Only a standalone upper-case OR separates; `or`, `ORACLE` and `"a OR b"` are text.
        let q = parse(r#"or ORACLE "a OR b""#).unwrap();
        assert_eq!(q.alternatives.len(), 1);
        assert_eq!(q.alternatives[0].len(), 3);
        assert_eq!(
            parse("OR dns").unwrap_err().to_string(),
            "query:1: `OR` needs something before it; expected e.g. cause:dns OR cause:bgp"
        );
        assert_eq!(parse("dns OR").unwrap_err().col, 5);
        assert_eq!(parse("dns OR  OR bgp").unwrap_err().col, 9);
        assert_eq!(
            parse("year:24").unwrap_err().to_string(),
            "query:6: bad year `24` for `year:`; expected YYYY, e.g. year:2025"
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let e = parse("disk colour:red").unwrap_err();
        assert_eq!(e.col, 6);
        assert!(
            e.to_string()
                .starts_with("query:6: unknown field `colour`; expected one of cause, service"),
            "{e}"
        );
        let e = parse("after:2025-13-01").unwrap_err();
        assert_eq!(
            e.to_string(),
            "query:7: bad date `2025-13-01` for `after:`; expected YYYY-MM-DD, e.g. after:2025-01-31"
        );
        let e = parse("before:yesterday").unwrap_err();
        assert_eq!(e.col, 8);
        let e = parse(r#"dns "half open"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "query:5: unterminated phrase; expected a closing `\"`"
        );
        assert_eq!(parse("  ").unwrap_err().col, 1);
        assert!(
            parse("")
                .unwrap_err()
                .message
                .starts_with("empty query; expected words")
        );
        assert_eq!(parse("a - b").unwrap_err().col, 3);
        assert!(
            parse("cause:")
                .unwrap_err()
                .message
                .contains("needs a value")
        );
        assert_eq!(parse(r#""a"b"#).unwrap_err().col, 4);
        assert!(parse(r#""  ""#).is_err());
    }
}
