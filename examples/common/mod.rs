//! Helpers shared by the benchmark and evaluation examples (`mod common;` in each).

/// CPU time of this process so far (user + system, all threads), from /proc/self/stat on
/// Linux; 0 elsewhere. On a shared machine wall time overstates the cost, CPU time does not.
#[allow(dead_code)] // not every example times itself
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// FNV-1a (64-bit) of a string: the evaluation set's split rule.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Whether a post-mortem is in the development half of an evaluation set: the FNV-1a hash
/// of its path relative to the site root (`/` separators) is even. The other half is
/// held out: looked at only for the figures, never when tuning.
#[allow(dead_code)] // not every example splits
pub fn is_dev(rel_path: &std::path::Path) -> bool {
    fnv1a(&rel_path.to_string_lossy().replace('\\', "/")).is_multiple_of(2)
}

/// The ids of the archive's incidents in the development half ([`is_dev`]).
#[allow(dead_code)] // not every example splits
pub fn dev_ids(archive: &hindsight::model::Archive) -> std::collections::HashSet<&str> {
    archive
        .incidents
        .iter()
        .filter(|i| is_dev(&i.source))
        .map(|i| i.id.as_str())
        .collect()
}
