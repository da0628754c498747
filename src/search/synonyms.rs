//! Words that mean the same thing in post-mortems, so a query in an on-call engineer's
//! words finds a post-mortem written in other words ("tls cert lapsed" → "certificate
//! expired", "name lookups" → "dns"). General operations vocabulary, not drawn from any
//! archive; a synonym counts for less than the word itself
//! ([`weights::SYNONYM`](super::weights::SYNONYM)).
//!
//! Groups are matched on stems (the shared tokenizer, [`crate::text`]), so "certificates"
//! and "certificate" share a group. An entry of several words is a phrase.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::text;

/// Each line one group of interchangeable words or phrases, comma-separated.
const GROUPS: &str = "\
certificate, cert, tls, ssl, x509
expired, expiry, expiration, lapsed
dns, resolver, nameserver, nxdomain, name resolution, name lookup
database, db, postgres, postgresql, mysql
disk, volume, enospc
memory, oom, ram, heap
latency, slow, slowness, sluggish
outage, downtime, unavailable, unavailability
deploy, deployment, release, rollout
config, configuration, misconfiguration, settings
throttled, throttling, rate limit, rate limited, rate limiting, 429
clock, ntp, chrony, time sync
skew, drift
capacity, saturation, saturated, overload, overloaded
timeout, timed out
connection, socket
queue, backlog
login, sign in, signin, authentication
network, connectivity
rollback, revert, rolled back
alert, alarm
duplicate, duplicated, double
";

/// stem of a word → the other members of its group, each as stems.
fn table() -> &'static BTreeMap<String, Vec<Vec<String>>> {
    static TABLE: OnceLock<BTreeMap<String, Vec<Vec<String>>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
        for line in GROUPS.lines() {
            let members: Vec<Vec<String>> = line
                .split(',')
                .map(text::terms)
                .filter(|m| !m.is_empty())
                .collect();
            for member in members.iter().filter(|m| m.len() == 1) {
                let others = table.entry(member[0].clone()).or_default();
                for other in &members {
                    if other != member && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        table
    })
}

/// The synonyms of a stem (each a list of stems: one word, or a phrase).
pub(crate) fn of(stem: &str) -> &'static [Vec<String>] {
    table().get(stem).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_link_every_member_to_the_others_by_stem() {
        let cert = of(&text::stem("certificates"));
        assert!(cert.contains(&vec!["tls".to_string()]), "{cert:?}");
        assert!(cert.contains(&vec!["cert".to_string()]));
        assert!(
            !cert.contains(&vec!["certificat".to_string()]),
            "not itself"
        );
        let dns = of("dns");
        assert!(dns.contains(&text::terms("name resolution")));
        // A phrase member leads to the single words of its group, not the other way.
        assert!(of("name").is_empty());
        assert!(of("throttl").contains(&text::terms("rate limit")));
        assert!(of("unknownword").is_empty());
    }
}
