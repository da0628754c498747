//! Time zones as post-mortems name them: IANA names (`Europe/Berlin`), numeric offsets
//! (`+02:00`, `UTC+2`, `GMT-5`) and the common abbreviations.
//!
//! An abbreviation names a region's civil time, not a fixed offset: authors write "All
//! times in CET" the whole year, so `CET` and `CEST` both mean the time of Central Europe
//! (Europe/Paris), summer or winter as the date says, and 02:30 CET on a day in July is
//! 00:30 UTC. The same holds for the North American pairs (`PST`/`PDT`/`PT` →
//! America/Los_Angeles, `EST`/`EDT`/`ET` → America/New_York, …). Ambiguous
//! abbreviations are read one way, written down here: `IST` is India (Asia/Kolkata), not
//! Ireland or Israel; `BST` is British Summer Time (Europe/London), not Bangladesh; `CST`
//! is North American Central (America/Chicago), not China; `AST` is Atlantic
//! (America/Halifax). A site whose authors mean another zone sets `timezone` in
//! site.toml or writes the IANA name.
//!
//! Abbreviations are recognised only in capitals (`ist` is a German word, `et` a French
//! one); `UTC` and `GMT` in any case. Zones come from the tz database compiled into the
//! binary (jiff's bundled copy), never from the machine, so a build gives the same times
//! on every machine, with or without /usr/share/zoneinfo.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};

/// A zone as an author or the site named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// As written: `CET`, `Time (PDT)`'s `PDT`, `UTC+2`, `Europe/Berlin`.
    written: String,
    tz: TimeZone,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.written)
    }
}

/// A zone is read back (from the build cache) from the name it was written with, which
/// means one zone only (see [`Zone::named`]).
impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = String::deserialize(d)?;
        Zone::named(&written)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown time zone `{written}`")))
    }
}

/// The tz database compiled into the binary.
fn db() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// Abbreviation → IANA zone (see the module documentation for the ambiguous ones).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("CET", "Europe/Paris"),
    ("CEST", "Europe/Paris"),
    ("MET", "Europe/Paris"),
    ("MEST", "Europe/Paris"),
    ("WET", "Europe/Lisbon"),
    ("WEST", "Europe/Lisbon"),
    ("EET", "Europe/Athens"),
    ("EEST", "Europe/Athens"),
    ("BST", "Europe/London"),
    ("MSK", "Europe/Moscow"),
    ("IST", "Asia/Kolkata"),
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("ET", "America/New_York"),
    ("CST", "America/Chicago"),
    ("CDT", "America/Chicago"),
    ("CT", "America/Chicago"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("MT", "America/Denver"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("PT", "America/Los_Angeles"),
    ("AKST", "America/Anchorage"),
    ("AKDT", "America/Anchorage"),
    ("HST", "Pacific/Honolulu"),
    ("AST", "America/Halifax"),
    ("ADT", "America/Halifax"),
    ("BRT", "America/Sao_Paulo"),
    ("JST", "Asia/Tokyo"),
    ("KST", "Asia/Seoul"),
    ("SGT", "Asia/Singapore"),
    ("HKT", "Asia/Hong_Kong"),
    ("AEST", "Australia/Sydney"),
    ("AEDT", "Australia/Sydney"),
    ("NZST", "Pacific/Auckland"),
    ("NZDT", "Pacific/Auckland"),
];

impl Zone {
    pub(crate) fn utc() -> Zone {
        Zone {
            written: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// The zone a whole name means: an IANA name, an abbreviation, `UTC`, or an offset.
    /// This is how site.toml's `timezone` is read.
    pub(crate) fn named(name: &str) -> Option<Zone> {
        let name = name.trim();
        match at_start(name) {
            Some((zone, used)) if used == name.len() => Some(zone),
            _ => None,
        }
    }

    /// As written.
    pub fn written(&self) -> &str {
        &self.written
    }

    /// The zone, to convert times with.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    pub(crate) fn is_utc(&self) -> bool {
        self.tz == TimeZone::UTC
    }

    /// The instant of a wall-clock time in this zone. In the hour a DST change skips the
    /// time is read as if the clock had not changed yet (jiff's "compatible" rule); in
    /// the hour it repeats, the earlier instant is taken unless it falls before
    /// `not_before` (a timeline going forward through the repeated hour).
    pub(crate) fn instant(&self, dt: DateTime, not_before: Option<Timestamp>) -> Option<Timestamp> {
        let ambiguous = self.tz.to_ambiguous_timestamp(dt);
        let earlier = ambiguous.earlier().ok()?;
        match not_before {
            Some(floor) if earlier < floor => ambiguous.later().ok(),
            _ => ambiguous.compatible().ok(),
        }
    }

    /// `2025-03-30 03:15 CEST`: the time as the author's clock showed it, with the
    /// zone's abbreviation at that instant (or the offset for a fixed zone).
    pub(crate) fn show(&self, at: Timestamp) -> String {
        let zoned = at.to_zoned_datetime(self.tz.clone());
        let abbreviation = self.tz.to_offset_info(at).abbreviation().to_string();
        let label = if abbreviation.is_empty() {
            zoned.offset().to_string()
        } else {
            abbreviation
        };
        format!("{} {label}", zoned.strftime("%Y-%m-%d %H:%M"))
    }
}

/// A zone at the start of `s` (a leading `(` is skipped) and the bytes it used, up to a
/// word boundary: `Z`, `UTC`, `GMT`, `+02:00`, `-0500`, `UTC+1`, `GMT-05:30`, an
/// abbreviation in capitals, or an IANA name (`Europe/Berlin`, `America/New_York`).
pub(crate) fn at_start(s: &str) -> Option<(Zone, usize)> {
    let skipped = s.len() - s.trim_start().trim_start_matches('(').len();
    let t = &s[skipped..];
    if let Some((offset, used)) = numeric(t) {
        return Some((fixed(&t[..used], offset), skipped + used));
    }
    let word_len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+')))
        .unwrap_or(t.len());
    let word = &t[..word_len];
    if word.contains('/') {
        let name = word.trim_end_matches(['-', '+']);
        let tz = db().get(name).ok()?;
        return Some((
            Zone {
                written: name.to_string(),
                tz,
            },
            skipped + name.len(),
        ));
    }
    let alpha_len = t
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(t.len());
    let alpha = &t[..alpha_len];
    if alpha.eq_ignore_ascii_case("utc") || alpha.eq_ignore_ascii_case("gmt") || alpha == "Z" {
        // `UTC+2`, `GMT-05:00`.
        if let Some((offset, used)) = numeric(&t[alpha_len..]) {
            let end = alpha_len + used;
            return Some((fixed(&t[..end], offset), skipped + end));
        }
        let zone = Zone {
            written: alpha.to_uppercase(),
            tz: TimeZone::UTC,
        };
        return Some((zone, skipped + alpha_len));
    }
    let &(_, iana) = ABBREVIATIONS.iter().find(|(a, _)| *a == alpha)?;
    let tz = db().get(iana).ok()?;
    Some((
        Zone {
            written: alpha.to_string(),
            tz,
        },
        skipped + alpha_len,
    ))
}

fn fixed(written: &str, seconds: i32) -> Zone {
    let tz = Offset::from_seconds(seconds)
        .map(TimeZone::fixed)
        .unwrap_or(TimeZone::UTC);
    Zone {
        written: written.to_string(),
        tz,
    }
}

/// `+02:00`, `-0500`, `+2`, `+05:30` at the start of `t` → (seconds, bytes used).
fn numeric(t: &str) -> Option<(i32, usize)> {
    let sign = match t.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &t[1..];
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let h_len = digits(body);
    let (h, m, used): (i32, i32, usize) = match h_len {
        1 | 2 => {
            let h = body[..h_len].parse().ok()?;
            match body[h_len..].strip_prefix(':') {
                Some(r) if digits(r) == 2 => (h, r[..2].parse().ok()?, h_len + 3),
                _ => (h, 0, h_len),
            }
        }
        4 => (body[..2].parse().ok()?, body[2..4].parse().ok()?, 4),
        _ => return None,
    };
    let end = 1 + used;
    let boundary = t[end..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    (h <= 14 && m < 60 && boundary).then_some((sign * (h * 3600 + m * 60), end))
}

/// The zone a post-mortem states for its times in prose: "All times in CET", "Times are
/// in PDT", "(all times UTC)", "All times are Europe/Berlin", "Timezone: UTC+2", "Time
/// zone: PST". Matched on one line; `None` when the line states none.
pub(crate) fn stated(line: &str) -> Option<Zone> {
    let lower = line.to_ascii_lowercase();
    for key in ["times", "timezone", "time zone"] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let at = from + found;
            from = at + key.len();
            let before_ok = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            if !before_ok {
                continue;
            }
            let mut rest = &line[from..];
            // A few linking words: `are`, `in`, `shown in`, `given as`, `:`.
            for _ in 0..4 {
                let trimmed = rest.trim_start_matches([' ', ':', '=', '\t']);
                let word_len = trimmed
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(trimmed.len());
                let word = trimmed[..word_len].to_ascii_lowercase();
                if matches!(
                    word.as_str(),
                    "are" | "is" | "in" | "shown" | "given" | "listed" | "as" | "written"
                ) {
                    rest = &trimmed[word_len..];
                } else {
                    rest = trimmed;
                    break;
                }
            }
            if let Some((zone, used)) = at_start(rest)
                && rest[used..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
            {
                return Some(zone);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(dt: &str, zone: &Zone) -> String {
        zone.instant(dt.parse().unwrap(), None).unwrap().to_string()
    }

    #[test]
    fn abbreviations_follow_the_regions_clock() {
        let cet = Zone::named("CET").unwrap();
        assert_eq!(cet.tz().iana_name(), Some("Europe/Paris"));
        assert_eq!(utc("2025-01-15T10:00", &cet), "2025-01-15T09:00:00Z");
        assert_eq!(utc("2025-07-15T10:00", &cet), "2025-07-15T08:00:00Z");
        let pdt = Zone::named("PDT").unwrap();
        assert_eq!(utc("2025-07-15T10:00", &pdt), "2025-07-15T17:00:00Z");
        assert_eq!(utc("2025-01-15T10:00", &pdt), "2025-01-15T18:00:00Z");
        assert_eq!(
            Zone::named("IST").unwrap().tz().iana_name(),
            Some("Asia/Kolkata")
        );
        assert_eq!(Zone::named("ist"), None);
        assert_eq!(Zone::named("Mars/Olympus"), None);
    }

    #[test]
    fn offsets_and_iana_names() {
        let plus2 = Zone::named("UTC+2").unwrap();
        assert_eq!(utc("2025-07-15T10:00", &plus2), "2025-07-15T08:00:00Z");
        assert_eq!(plus2.written(), "UTC+2");
        let minus = Zone::named("-05:30").unwrap();
        assert_eq!(utc("2025-07-15T10:00", &minus), "2025-07-15T15:30:00Z");
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(utc("2025-03-30T03:30", &berlin), "2025-03-30T01:30:00Z");
        assert!(Zone::named("utc").unwrap().is_utc());
        assert_eq!(Zone::named("+25:00"), None);
    }

    #[test]
    fn dst_gaps_and_repeats() {
        let cet = Zone::named("CET").unwrap();
        // 02:30 does not exist on 2025-03-30 in Paris: read as before the change.
        assert_eq!(utc("2025-03-30T02:30", &cet), "2025-03-30T01:30:00Z");
        // 02:30 happens twice on 2025-10-26: the first, or the second after the first.
        assert_eq!(utc("2025-10-26T02:30", &cet), "2025-10-26T00:30:00Z");
        let after: Timestamp = "2025-10-26T00:45:00Z".parse().unwrap();
        assert_eq!(
            cet.instant("2025-10-26T02:30".parse().unwrap(), Some(after))
                .unwrap()
                .to_string(),
            "2025-10-26T01:30:00Z"
        );
        let at: Timestamp = "2025-03-30T01:15:00Z".parse().unwrap();
        assert_eq!(cet.show(at), "2025-03-30 03:15 CEST");
        assert_eq!(
            Zone::named("UTC+2").unwrap().show(at),
            "2025-03-30 03:15 +02"
        );
    }

    #[test]
    fn stated_in_prose() {
        let name = |s: &str| stated(s).map(|z| z.written().to_string());
        assert_eq!(name("All times in CET."), Some("CET".into()));
        assert_eq!(name("_Times are in PDT_"), Some("PDT".into()));
        assert_eq!(name("## Timeline (all times UTC)"), Some("UTC".into()));
        assert_eq!(
            name("All times are Europe/Berlin"),
            Some("Europe/Berlin".into())
        );
        assert_eq!(name("Timezone: UTC+2"), Some("UTC+2".into()));
        assert_eq!(name("Time zone: PST"), Some("PST".into()));
        assert_eq!(name("All times in Central European Time"), None);
        assert_eq!(name("Response times improved"), None);
        assert_eq!(name("sometimes in CET"), None);
    }
}
