//! Dates, times and durations as post-mortems write them.
//!
//! Dates: `2025-10-26`, `2025/10/26`, `October 26, 2025`, `26 Oct 2025` (a weekday in
//! front is allowed). Timestamps: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` with an optional zone,
//! or a time of day (`14:05`, `2:05 PM`) completed with a date the caller supplies. A time
//! without a zone is in the zone the caller gives (the post-mortem's, see `zone`); a zone
//! written after the time (`Z`, `UTC`, `+02:00`, `UTC+1`, `CEST`, `Europe/Berlin`) wins. Durations (`2 minutes`, `1.5 hours`,
//! `2h 30m`, `1 hour 15 minutes`) become whole minutes, rounded to nearest.
//! Nothing here guesses: text that is not clearly a date or time gives `None`.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::zone::{self, Zone};

/// Outcome of reading a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateRead {
    Date(Date),
    /// Shaped like a date but impossible; the message says why (e.g. the month length).
    Invalid(String),
    NotADate,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Read a date at the start of `s` (leading weekday allowed, trailing text ignored when
/// separated by a non-alphanumeric character).
pub(crate) fn read_date(s: &str) -> DateRead {
    read_date_prefix(s).map_or(DateRead::NotADate, |(d, _)| d)
}

/// A date at the start of `s` and the byte length it used.
pub(crate) fn read_date_prefix(s: &str) -> Option<(DateRead, usize)> {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    let (skip, body) = skip_weekday(trimmed);
    let (read, used) = numeric_date(body).or_else(|| month_name_date(body))?;
    Some((read, lead + skip + used))
}

fn skip_weekday(s: &str) -> (usize, &str) {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let word_len = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let word = s[..word_len].to_ascii_lowercase();
    if word.len() >= 3 && DAYS.iter().any(|d| d.starts_with(&word)) {
        let rest = s[word_len..].trim_start_matches([',', ' ']);
        (s.len() - rest.len(), rest)
    } else {
        (0, s)
    }
}

fn digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

fn ends_word(s: &str, at: usize) -> bool {
    s[at..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`.
fn numeric_date(s: &str) -> Option<(DateRead, usize)> {
    let b = s.as_bytes();
    if digits(s) != 4 || b.len() < 8 {
        return None;
    }
    let sep = b[4];
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let m_len = digits(&s[5..]);
    if !(1..=2).contains(&m_len) || b.get(5 + m_len) != Some(&sep) {
        return None;
    }
    let d_start = 6 + m_len;
    let d_len = digits(&s[d_start..]);
    if !(1..=2).contains(&d_len) {
        return None;
    }
    let end = d_start + d_len;
    let rfc3339_time =
        s[end..].starts_with(['T', 't']) && s[end + 1..].starts_with(|c: char| c.is_ascii_digit());
    if !ends_word(s, end) && !rfc3339_time {
        return None;
    }
    let year: i16 = s[..4].parse().ok()?;
    let month: i8 = s[5..5 + m_len].parse().ok()?;
    let day: i8 = s[d_start..end].parse().ok()?;
    Some((make_date(year, month, day, &s[..end]), end))
}

/// `October 26, 2025`, `Oct 26 2025`, `26 October 2025`.
fn month_name_date(s: &str) -> Option<(DateRead, usize)> {
    let month_of = |w: &str| -> Option<i8> {
        let w = w.trim_end_matches('.').to_ascii_lowercase();
        if w.len() < 3 {
            return None;
        }
        MONTHS
            .iter()
            .position(|m| {
                m.starts_with(&w)
                    && (w.len() == 3 || w.len() == m.len() || (*m == "september" && w == "sept"))
            })
            .map(|i| i as i8 + 1)
    };
    let word_end = |t: &str| {
        t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(t.len())
    };
    let first_len = word_end(s);
    let first = &s[..first_len];
    let rest = s[first_len..].trim_start_matches([' ', ',']);
    let second_len = word_end(rest);
    let second = &rest[..second_len];
    let after_second = &rest[second_len..];
    let rest2 = after_second.trim_start_matches([' ', ',']);
    let third_len = digits(rest2);
    if third_len != 4 {
        return None;
    }
    let used = s.len() - rest2.len() + third_len;
    if !ends_word(s, used) {
        return None;
    }
    let year: i16 = rest2[..4].parse().ok()?;
    let day_text = |t: &str| -> Option<i8> {
        let t = t
            .trim_end_matches("st")
            .trim_end_matches("nd")
            .trim_end_matches("rd")
            .trim_end_matches("th");
        if (1..=2).contains(&t.len()) && digits(t) == t.len() {
            t.parse().ok()
        } else {
            None
        }
    };
    let (month, day) = if let Some(m) = month_of(first) {
        (m, day_text(second)?)
    } else {
        (month_of(second)?, day_text(first)?)
    };
    Some((make_date(year, month, day, &s[..used]), used))
}

fn make_date(year: i16, month: i8, day: i8, text: &str) -> DateRead {
    if !(1..=12).contains(&month) {
        return DateRead::Invalid(format!(
            "invalid date `{text}`: there is no month {month}; expected YYYY-MM-DD"
        ));
    }
    match Date::new(year, month, day) {
        Ok(d) => DateRead::Date(d),
        Err(_) => {
            let days = Date::new(year, month, 1)
                .map(|d| d.days_in_month())
                .unwrap_or(31);
            let name = MONTHS[month as usize - 1];
            let name = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
            DateRead::Invalid(format!(
                "invalid date `{text}`: {name} {year} has {days} days"
            ))
        }
    }
}

/// A date written in a line of prose: the first full date in it, at any word
/// (`Outage — Saturday 31 Aug 2019 (times AEST)`, `On 3 July 2019 between…`), a
/// day range read as its first day (`9–10 April 2022`, `20/21 March 2025`,
/// `March 26–31, 2015`). Returns the date, the byte offset and the text it was read from.
/// Only whole dates count: `June 2012` or `late June 2021` is no date.
pub(crate) fn date_in_line(line: &str) -> Option<(Date, usize, &str)> {
    let mut previous: Option<char> = None;
    for (at, c) in line.char_indices() {
        let starts_word = c.is_alphanumeric() && previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if !starts_word {
            continue;
        }
        let rest = &line[at..];
        if let Some((DateRead::Date(d), used)) = read_date_prefix(rest) {
            return Some((d, at, &rest[..used]));
        }
        if let Some((d, used)) = day_range_date(rest) {
            return Some((d, at, &rest[..used]));
        }
    }
    None
}

/// `9–10 April 2022`, `20/21 March 2025` or `March 26–31, 2015`: the first day of a range.
fn day_range_date(s: &str) -> Option<(Date, usize)> {
    // The range starts the text, or follows a word (the month, checked by reading).
    let word = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let from = match word {
        0 => 0,
        3.. if s[word..].starts_with(' ') => s.len() - s[word..].trim_start_matches(' ').len(),
        _ => return None,
    };
    let (d1, end) = number_pair(&s[from..], &['–', '—', '-', '/'])?;
    let (d1, end) = (from + d1, from + end);
    // The range with its second day left out is the date of its first day.
    let joined = format!("{}{}", &s[..d1], &s[end..]);
    match read_date_prefix(&joined) {
        Some((DateRead::Date(d), used)) if used > d1 => Some((d, used + (end - d1))),
        _ => None,
    }
}

/// Two numbers of one or two digits joined by one of `separators` at the start of `s`,
/// ending a word (`9–10`, `05-04`, `12/31`): the byte length of the first number and of
/// the whole pair.
fn number_pair(s: &str, separators: &[char]) -> Option<(usize, usize)> {
    let first = digits(s);
    let sep = s[first..].chars().next()?;
    if !(1..=2).contains(&first) || !separators.contains(&sep) {
        return None;
    }
    let after = first + sep.len_utf8();
    let second = digits(&s[after..]);
    let end = after + second;
    ((1..=2).contains(&second) && ends_word(s, end)).then_some((first, end))
}

/// A month and day without a year at the start of `s` (`05-04`, `12/31`): both numbers
/// and the byte length, in the order written.
pub(crate) fn month_day(s: &str) -> Option<(i8, i8, usize)> {
    let (first, end) = number_pair(s, &['-', '/'])?;
    if s[end..].starts_with(['-', '/']) {
        return None;
    }
    Some((
        s[..first].parse().ok()?,
        s[first + 1..end].parse().ok()?,
        end,
    ))
}

/// A timeline's month and day without a year (`05-04 00:09`, `01-01`, `12/31`) read on
/// the date the rows have reached: whichever of month-day or day-month lies nearest to
/// `near` (within 62 days, across a new year), as `YYYY-MM-DD` plus the rest of the text,
/// ready for `read_time`. `None` when neither reading is near.
pub(crate) fn month_day_on(s: &str, near: Date) -> Option<String> {
    let s = s.trim_start();
    let (a, b, end) = month_day(s)?;
    let year = near.year();
    let best = [(a, b), (b, a)]
        .into_iter()
        .flat_map(|(m, d)| (year - 1..=year + 1).filter_map(move |y| Date::new(y, m, d).ok()))
        .map(|d| ((d - near).get_days().abs(), d))
        .filter(|&(days, _)| days <= 62)
        .min()?;
    Some(format!("{}{}", best.1, &s[end..]))
}

/// Outcome of reading a time cell or timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeRead {
    /// Date and time were both written.
    Full(Timestamp, Date),
    /// Only a time of day: seconds since midnight and the zone it is in.
    TimeOfDay { seconds: i32, zone: Zone },
    /// A date without a time.
    DateOnly(Date),
    /// A date followed by something shaped like a time of day that is not one
    /// (`2025-08-07 14:7O`, `2025-08-07 25:07`): the date holds, the time is lost, and
    /// the caller should say so rather than read the text as a date alone.
    DateBadTime(Date),
}

/// Read a timestamp or time of day at the start of `s`; `default` applies when no zone is
/// written (a table header like `Time (PDT)`, or the post-mortem's zone).
pub(crate) fn read_time(s: &str, default: &Zone) -> Option<TimeRead> {
    let s = s.trim();
    if let Some((read, used)) = read_date_prefix(s) {
        let DateRead::Date(date) = read else {
            return None;
        };
        let rest = s[used..].trim_start_matches([' ', 'T', 't', ',']);
        let rest = rest.strip_prefix("at ").unwrap_or(rest);
        return match time_of_day(rest, default) {
            Some((seconds, zone)) => {
                let ts = at_date(date, seconds, &zone, None)?;
                Some(TimeRead::Full(ts, date))
            }
            None if time_shaped(rest) => Some(TimeRead::DateBadTime(date)),
            None => Some(TimeRead::DateOnly(date)),
        };
    }
    time_of_day(s, default).map(|(seconds, zone)| TimeRead::TimeOfDay { seconds, zone })
}

/// Complete a time of day with a date, in `zone` (across DST changes as the zone's clock
/// went; `not_before` picks the second of a repeated hour, see `Zone::instant`).
pub(crate) fn at_date(
    date: Date,
    seconds: i32,
    zone: &Zone,
    not_before: Option<Timestamp>,
) -> Option<Timestamp> {
    let dt = date.at(
        (seconds / 3600) as i8,
        (seconds / 60 % 60) as i8,
        (seconds % 60) as i8,
        0,
    );
    zone.instant(dt, not_before)
}

/// Whether `s` starts the way a written time of day does: a number followed by `:`
/// (`14:7O`, `25:07`, `9:5`) or by am/pm (`3 pm`, `11am`). Words (`morning`,
/// `(approx.)`) and other numbers (`2nd outage`) are not.
fn time_shaped(s: &str) -> bool {
    let n = digits(s);
    if n == 0 {
        return false;
    }
    let after = &s[n..];
    if after.starts_with(':') {
        return true;
    }
    let lower = after.trim_start().to_ascii_lowercase();
    ["am", "a.m.", "pm", "p.m."].iter().any(|suffix| {
        lower.starts_with(suffix) && (suffix.ends_with('.') || ends_word(&lower, suffix.len()))
    })
}

/// `HH:MM[:SS][.fff]` with optional `am`/`pm` and zone → (seconds since midnight, zone).
fn time_of_day(s: &str, default: &Zone) -> Option<(i32, Zone)> {
    let h_len = digits(s);
    if !(1..=2).contains(&h_len) || s.as_bytes().get(h_len) != Some(&b':') {
        return None;
    }
    let mut hour: i32 = s[..h_len].parse().ok()?;
    let m_start = h_len + 1;
    if digits(&s[m_start..]) != 2 {
        return None;
    }
    let minute: i32 = s[m_start..m_start + 2].parse().ok()?;
    let mut pos = m_start + 2;
    let mut second = 0;
    if s.as_bytes().get(pos) == Some(&b':') && digits(&s[pos + 1..]) == 2 {
        second = s[pos + 1..pos + 3].parse().ok()?;
        pos += 3;
        if s.as_bytes().get(pos) == Some(&b'.') {
            pos += 1 + digits(&s[pos + 1..]);
        }
    }
    let mut rest = s[pos..].trim_start();
    let lower = rest.to_ascii_lowercase();
    for (suffix, pm) in [("am", false), ("a.m.", false), ("pm", true), ("p.m.", true)] {
        if lower.starts_with(suffix) && (suffix.ends_with('.') || ends_word(&lower, suffix.len())) {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = hour % 12 + if pm { 12 } else { 0 };
            rest = rest[suffix.len()..].trim_start();
            break;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = zone::at_start(rest).map_or_else(|| default.clone(), |(z, _)| z);
    Some((hour * 3600 + minute * 60 + second.min(59), zone))
}

/// Minutes in a duration like `2 minutes`, `1.5 hours`, `2h 30m`, `1 hour 15 minutes`,
/// `90 min`, `<1 minute`. Reads from the first number; stops at the first word that is not
/// a time unit. `None` when no number with a unit is found.
pub(crate) fn read_duration_minutes(s: &str) -> Option<i64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    // Only a few non-number characters may come before the number (`<`, `~`, `about`).
    if s[..start].chars().filter(|c| c.is_alphanumeric()).count() > 6 {
        return None;
    }
    let mut rest = &s[start..];
    let mut total = 0.0f64;
    let mut found = false;
    loop {
        let n_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n_len == 0 {
            break;
        }
        let Ok(n) = rest[..n_len].parse::<f64>() else {
            break;
        };
        let after = rest[n_len..].trim_start();
        let u_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let unit = after[..u_len].to_ascii_lowercase();
        let minutes = match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => n / 60.0,
            "m" | "min" | "mins" | "minute" | "minutes" => n,
            "h" | "hr" | "hrs" | "hour" | "hours" => n * 60.0,
            "d" | "day" | "days" => n * 1440.0,
            _ => break,
        };
        total += minutes;
        found = true;
        rest = after[u_len..].trim_start_matches([' ', ',']);
        rest = rest.strip_prefix("and ").unwrap_or(rest);
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
    }
    found.then(|| total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_and_day_without_a_year_is_read_on_the_nearest_date() {
        let near = Date::constant(2019, 5, 4);
        let on = |s: &str, near: Date| month_day_on(s, near);
        assert_eq!(on("05-04 00:09", near).as_deref(), Some("2019-05-04 00:09"));
        // 04/05 reads as 5 April (a month away) or 4 May (that very day): the nearer wins.
        assert_eq!(on("04/05", near).as_deref(), Some("2019-05-04"));
        assert_eq!(on("13-05 10:00", near).as_deref(), Some("2019-05-13 10:00"));
        // Across a new year: 12-31 near 2 January is the last day of the year before.
        assert_eq!(
            on("12-31 23:50", Date::constant(2026, 1, 2)).as_deref(),
            Some("2025-12-31 23:50")
        );
        // Far from every reading, a range, a full date or a count: no date.
        assert_eq!(on("09-28", Date::constant(2023, 1, 19)), None);
        assert_eq!(on("05-05/05-06", near), None);
        assert_eq!(on("2019-05-04", near), None);
        assert_eq!(
            on("3-4 engineers", near).as_deref(),
            Some("2019-04-03 engineers")
        );
        assert_eq!(month_day("3-4 engineers"), Some((3, 4, 3)));
    }

    #[test]
    fn the_first_whole_date_of_a_line_of_prose_with_ranges_read_as_their_first_day() {
        let read = |line: &str| {
            date_in_line(line).map(|(d, at, text)| (d.to_string(), at, text.to_string()))
        };
        type Want<'a> = Option<(&'a str, usize, &'a str)>;
        let cases: [(&str, Want); 11] = [
            (
                "Outage — Saturday 31 Aug 2019 (times AEST, UTC+10)",
                Some(("2019-08-31", 11, "Saturday 31 Aug 2019")),
            ),
            (
                "On 3 July 2019 between 08:25 and 14:50 UTC",
                Some(("2019-07-03", 3, "3 July 2019")),
            ),
            (
                "Postmortem: data ingestion delay, July 3 2019",
                Some(("2019-07-03", 34, "July 3 2019")),
            ),
            (
                "outage, 9–10 April 2022",
                Some(("2022-04-09", 8, "9–10 April 2022")),
            ),
            (
                "fire — 20/21 March 2025",
                Some(("2025-03-20", 9, "20/21 March 2025")),
            ),
            (
                "# DDoS (March 26–31, 2015)",
                Some(("2015-03-26", 8, "March 26–31, 2015")),
            ),
            (
                "Date: 2023-10-19 (disclosure); intrusion 2023-09-28",
                Some(("2023-10-19", 6, "2023-10-19")),
            ),
            (
                "Total outage, June 8th 2021",
                Some(("2021-06-08", 14, "June 8th 2021")),
            ),
            // Month and year alone, percentages and bare numbers are no date.
            (
                "overnight batch failure, June 2012; 2000% above 12-14 June",
                None,
            ),
            (
                "why we were down three times (late June – early July 2021)",
                None,
            ),
            ("between 4-5 hosts of 2021", None),
        ];
        for (line, want) in cases {
            assert_eq!(
                read(line),
                want.map(|(d, at, t)| (d.to_string(), at, t.to_string())),
                "{line}"
            );
        }
    }

    #[test]
    fn dates_in_common_shapes() {
        let d = Date::constant(2025, 10, 26);
        for s in [
            "2025-10-26",
            "2025/10/26",
            "October 26, 2025",
            "Oct 26 2025",
            "26 October 2025",
            "Sunday, October 26, 2025",
            "2025-10-26 (Sunday)",
        ] {
            assert_eq!(read_date(s), DateRead::Date(d), "{s}");
        }
        assert_eq!(
            read_date("2025-02-30"),
            DateRead::Invalid("invalid date `2025-02-30`: February 2025 has 28 days".into())
        );
        assert_eq!(
            read_date("2024-02-30"),
            DateRead::Invalid("invalid date `2024-02-30`: February 2024 has 29 days".into())
        );
        assert_eq!(read_date("YYYY-MM-DD"), DateRead::NotADate);
        assert_eq!(read_date("20251026"), DateRead::NotADate);
        assert_eq!(read_date("2025-10-261"), DateRead::NotADate);
    }

    #[test]
    fn times_and_zones() {
        let utc = Zone::utc();
        let plus1 = Zone::named("+01:00").unwrap();
        assert_eq!(
            read_time("14:05", &utc),
            Some(TimeRead::TimeOfDay {
                seconds: 14 * 3600 + 300,
                zone: utc.clone()
            })
        );
        assert_eq!(
            read_time("2:05 PM", &utc),
            Some(TimeRead::TimeOfDay {
                seconds: 14 * 3600 + 300,
                zone: utc.clone()
            })
        );
        assert_eq!(
            read_time("12:10 am PDT", &utc),
            Some(TimeRead::TimeOfDay {
                seconds: 600,
                zone: Zone::named("PDT").unwrap()
            })
        );
        let ts: Timestamp = "2025-10-26T12:00:00Z".parse().unwrap();
        let d = Date::constant(2025, 10, 26);
        assert_eq!(
            read_time("2025-10-26T14:00:00+02:00", &utc),
            Some(TimeRead::Full(ts, d))
        );
        assert_eq!(
            read_time("2025-10-26 12:00 UTC", &plus1),
            Some(TimeRead::Full(ts, d))
        );
        assert_eq!(
            read_time("2025-10-26 13:00", &plus1),
            Some(TimeRead::Full(ts, d))
        );
        assert_eq!(read_time("2025-10-26", &utc), Some(TimeRead::DateOnly(d)));
        // After a date, words are no time; a garbled time is a time that was lost.
        for s in [
            "2025-10-26 (approx.)",
            "2025-10-26 morning",
            "2025-10-26 ~",
            "2025-10-26, 2nd outage",
            "October 26, 2025 at noon",
        ] {
            assert_eq!(read_time(s, &utc), Some(TimeRead::DateOnly(d)), "{s}");
        }
        for s in [
            "2025-10-26 14:7O",
            "2025-10-26 25:07",
            "2025-10-26 14:75",
            "2025-10-26T14:00:99Z",
            "2025-10-26 9:5",
            "2025-10-26 3 pm",
            "October 26, 2025 at 13:05 pm",
        ] {
            assert_eq!(read_time(s, &utc), Some(TimeRead::DateBadTime(d)), "{s}");
        }
        assert_eq!(
            read_time("October 26, 2025 at 2:05 PM", &plus1),
            Some(TimeRead::Full("2025-10-26T13:05:00Z".parse().unwrap(), d))
        );
        assert_eq!(read_time("25:00", &utc), None);
        assert_eq!(read_time("soon", &utc), None);
        // A zone written on the row wins over the default, across DST as its clock went.
        let summer: Timestamp = "2025-07-01T12:00:00Z".parse().unwrap();
        assert_eq!(
            read_time("2025-07-01 14:00 CET", &utc),
            Some(TimeRead::Full(summer, Date::constant(2025, 7, 1)))
        );
    }

    #[test]
    fn durations_in_minutes() {
        assert_eq!(
            read_duration_minutes("2 minutes (target: <5 min) ✅"),
            Some(2)
        );
        assert_eq!(read_duration_minutes("1.5 hours"), Some(90));
        assert_eq!(read_duration_minutes("2h 30m"), Some(150));
        assert_eq!(read_duration_minutes("1 hour and 15 minutes"), Some(75));
        assert_eq!(read_duration_minutes("<1 minute"), Some(1));
        assert_eq!(read_duration_minutes("N minutes"), None);
        assert_eq!(read_duration_minutes("unknown"), None);
    }
}
