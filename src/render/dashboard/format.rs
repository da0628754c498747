//! Numbers and counts as the dashboards write them.

use crate::analysis::trends::Stats;

/// `12.5`, `15`: one decimal at most, none when whole.
pub(crate) fn fmt_num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Minutes for people, by the site's one rule (`words::duration`): `15 min`,
/// `2 h 30 min`, `3 d 2 h`.
pub(crate) fn fmt_minutes(m: f64) -> String {
    crate::words::duration(m)
}

/// A rate 0..=1 as a percentage: `33.3%`.
pub(crate) fn fmt_pct(rate: f64) -> String {
    format!("{}%", fmt_num(rate * 100.0))
}

/// `1 incident`, `3 incidents` (the one counted-noun rule of `words`).
pub(crate) use crate::words::plural;

/// A change in a count: `+2`, `−1` (a minus sign), `no change`.
pub(crate) fn signed(v: i64) -> String {
    match v {
        0 => "no change".into(),
        v if v > 0 => format!("+{v}"),
        v => format!("−{}", -v),
    }
}

/// `median 15 min, IQR 10–20 min, p90 28 min (n=4, 1 missing)`.
pub(crate) fn describe_stats(s: &Stats) -> String {
    match (s.median, s.p25, s.p75, s.p90) {
        (Some(m), Some(p25), Some(p75), Some(p90)) => format!(
            "median {}, IQR {}–{}, p90 {} (n={}, {} missing)",
            fmt_minutes(m),
            fmt_minutes(p25),
            fmt_minutes(p75),
            fmt_minutes(p90),
            s.n,
            s.missing
        ),
        _ => format!("no data (n=0, {} missing)", s.missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_one_decimal_at_most() {
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(12.46), "12.5");
        assert_eq!(fmt_minutes(15.0), "15 min");
        assert_eq!(fmt_minutes(150.0), "2 h 30 min");
        assert_eq!(fmt_minutes(4464.0), "3 d 2 h");
        assert_eq!(fmt_pct(1.0 / 3.0), "33.3%");
        assert_eq!(signed(-2), "−2");
        assert_eq!(plural(1, "item", "items"), "1 item");
    }
}
