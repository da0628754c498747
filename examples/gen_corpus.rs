//! Corpus generator for benchmarks and evaluation: writes N varied, realistic post-mortems.
//!
//! `cargo run --release --example gen_corpus -- --count N --out DIR [--seed S]
//! [--hide-causes] [--truth FILE]`
//!
//! Guarantees: the same options give byte-identical files (a self-contained splitmix64
//! PRNG, no clock, no hash-map order); timestamps are consistent (started ≤ detected ≤
//! acknowledged ≤ mitigated ≤ resolved, timeline times increasing within the day); every
//! Related Incidents entry names an earlier generated incident by date and exact title.
//! Each cause has several differently worded symptoms, root-cause sentences and five-whys
//! answers, and every document carries cause-independent boilerplate, so that finding
//! incidents of the same cause by text is realistic rather than trivial. `--hide-causes`
//! removes every cause label; `--truth FILE` writes the true labels as JSON.
//!
//! The file is also compiled as a module of the integration tests (`tests/it/corpus.rs`),
//! so everything but `main` is plain functions over values.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Command-line options of the generator.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub count: usize,
    pub out: PathBuf,
    pub seed: u64,
    pub hide_causes: bool,
    pub truth: Option<PathBuf>,
    /// References to incidents that do not exist, spread over the files (each gets a
    /// closest-match hint in `check`), to time unresolved references at scale.
    pub unresolved: usize,
}

pub const USAGE: &str = "usage: gen_corpus --count N --out DIR [--seed S] [--hide-causes] [--truth FILE] [--unresolved N]\n\
  --unresolved N   add N references to incidents that do not exist (dated, with titles\n\
                   made of the archive's words), spread over the files";

/// Parse the arguments after the program name.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut count = None;
    let mut out = None;
    let mut seed = 42u64;
    let mut hide_causes = false;
    let mut truth = None;
    let mut unresolved = 0usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--count" => {
                let v = value("--count")?;
                count = Some(
                    v.parse::<usize>()
                        .map_err(|_| format!("--count expects a whole number, got `{v}`"))?,
                );
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse::<u64>()
                    .map_err(|_| format!("--seed expects a whole number, got `{v}`"))?;
            }
            "--truth" => truth = Some(PathBuf::from(value("--truth")?)),
            "--hide-causes" => hide_causes = true,
            "--unresolved" => {
                let v = value("--unresolved")?;
                unresolved = v
                    .parse::<usize>()
                    .map_err(|_| format!("--unresolved expects a whole number, got `{v}`"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let count = count.ok_or_else(|| format!("--count is required\n{USAGE}"))?;
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    Ok(Options {
        count,
        out,
        seed,
        hide_causes,
        truth,
        unresolved,
    })
}

// ---------------------------------------------------------------------------------------
// Randomness: splitmix64, small and fully determined by the seed.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((((self.next_u64() >> 11) as u128) * (n as u128)) >> 53) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// Index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[usize]) -> usize {
        let total: usize = weights.iter().sum();
        let mut roll = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
    /// `k` distinct indices of `0..n`, in increasing order.
    pub fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut chosen = BTreeSet::new();
        while chosen.len() < k.min(n) {
            chosen.insert(self.below(n));
        }
        chosen.into_iter().collect()
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary. `{svc}` is the affected service, `{dep}` a service it depends on.

pub struct Cause {
    pub slug: &'static str,
    titles: &'static [&'static str],
    symptoms: &'static [&'static str],
    mechanisms: &'static [&'static str],
    whys: &'static [&'static str],
    fixes: &'static [&'static str],
    actions: &'static [&'static str],
}

pub const CAUSES: &[Cause] = &[
    Cause {
        slug: "connection-leak",
        titles: &[
            "{svc} ran out of database connections",
            "Requests to {svc} stalled waiting for a pooled connection",
            "{svc} pool exhaustion under normal traffic",
        ],
        symptoms: &[
            "requests to {svc} queued for several seconds and then failed with 503",
            "{svc} reported `timeout acquiring connection` on every pod",
            "latency on {svc} climbed steadily over two hours before errors began",
        ],
        mechanisms: &[
            "an error path in {svc} returned early without giving its connection back to the pool",
            "connections borrowed for a call to {dep} were never released when that call timed out",
            "a transaction was left open across a slow remote call, so pooled sessions stayed checked out indefinitely",
        ],
        whys: &[
            "Every slot in the pool was checked out but idle",
            "Connections were not returned on one failure branch",
            "The cleanup only ran on the success path",
            "The leak grew with the error rate of {dep}",
            "Tests never exercised the failing branch",
            "Pool saturation had no alert of its own",
        ],
        fixes: &[
            "restarted {svc} in batches to release the held connections",
            "shipped a fix that releases the connection in a deferred block on every path",
        ],
        actions: &[
            "Release pooled connections on every return path of {svc}",
            "Alert when pool usage stays above 80% for five minutes",
            "Enable leak detection for connections held longer than 30 s",
        ],
    },
    Cause {
        slug: "dns",
        titles: &[
            "Name resolution failures between {svc} and {dep}",
            "{svc} could not resolve internal hostnames",
            "Resolver saturation broke service discovery for {svc}",
        ],
        symptoms: &[
            "calls from {svc} to {dep} failed with `no such host` and SERVFAIL",
            "lookups took more than five seconds and callers timed out",
            "{svc} intermittently lost track of its backends",
        ],
        mechanisms: &[
            "the cluster resolvers were overloaded after their cache was shrunk, so lookups were dropped",
            "a negative answer was cached for an hour because the zone's SOA minimum TTL applied",
            "a record for {dep} was deleted by a zone sync job and resolvers returned NXDOMAIN",
        ],
        whys: &[
            "Hostnames of internal services did not resolve in time",
            "The resolvers dropped or answered queries with errors",
            "Their load tripled after a configuration change",
            "Client retries without jitter doubled the query rate again",
            "Search-domain expansion multiplied every external lookup",
            "Resolver latency was not monitored",
        ],
        fixes: &[
            "rolled the resolver configuration back and flushed caches on every node",
            "restored the deleted record and lowered negative-caching TTLs",
        ],
        actions: &[
            "Alert on resolver p99 latency and dropped queries",
            "Run a node-local DNS cache and cap negative caching at 30 s",
            "Lower ndots and use fully qualified names for internal calls",
        ],
    },
    Cause {
        slug: "expired-certificate",
        titles: &[
            "TLS handshakes to {svc} failed after a certificate expired",
            "Expired certificate on {svc}",
            "{svc} clients rejected an out-of-date certificate",
        ],
        symptoms: &[
            "clients saw `certificate has expired` and refused to connect to {svc}",
            "all HTTPS requests to {svc} failed at the handshake",
            "mutual TLS between {svc} and {dep} broke at midnight UTC",
        ],
        mechanisms: &[
            "a certificate issued by hand outside the automated pipeline reached its notAfter date",
            "the renewal job for {svc} had been failing silently for weeks and the old certificate lapsed",
            "the intermediate in the chain served by {svc} expired while the leaf was still valid",
        ],
        whys: &[
            "Clients rejected the certificate presented by {svc}",
            "Its validity period had ended",
            "Renewal was manual and the reminder went to a former employee",
            "The expiry probe only checked certificates in its inventory",
            "Nobody owned the inventory of manually issued certificates",
            "The renewal runbook needed credentials nobody on call had",
        ],
        fixes: &[
            "issued a replacement certificate and rolled it out to every node",
            "reissued the chain and reloaded {svc} without a restart",
        ],
        actions: &[
            "Move every certificate of {svc} to automated renewal",
            "Probe served certificates, not an inventory, and warn 30 days ahead",
            "Send renewal notices to a team alias",
        ],
    },
    Cause {
        slug: "bad-config-push",
        titles: &[
            "Invalid configuration pushed to {svc}",
            "{svc} misbehaved after a runtime config change",
            "Configuration typo took down {svc}",
        ],
        symptoms: &[
            "{svc} began rejecting valid requests seconds after a config push",
            "every instance of {svc} restarted in a crash loop",
            "traffic for one region was silently routed nowhere by {svc}",
        ],
        mechanisms: &[
            "a configuration value with a typo passed syntax validation and was applied to all instances at once",
            "a config change referenced a key that {svc} no longer reads, so a safe default was replaced by zero",
            "the pushed rules file was valid YAML but referenced an entity that does not exist",
        ],
        whys: &[
            "{svc} applied a configuration it could not use correctly",
            "The config was syntactically valid, so the pipeline accepted it",
            "Semantic validation against real entities does not exist",
            "The push reached 100% of instances with no canary",
            "The failure mode was a silent fallback with no alert",
            "The change was reviewed as a plain text diff",
        ],
        fixes: &[
            "restored the previous configuration version from the config repository",
            "pushed a corrected configuration and replayed the affected requests",
        ],
        actions: &[
            "Validate {svc} configuration against the live registry before pushing",
            "Stage config pushes to 5% of instances for ten minutes",
            "Alert when fallback paths of {svc} exceed their baseline",
        ],
    },
    Cause {
        slug: "capacity",
        titles: &[
            "{svc} saturated during a traffic peak",
            "Insufficient capacity on {svc} at sale start",
            "{svc} overloaded by demand above its plan",
        ],
        symptoms: &[
            "CPU on {svc} reached 100% and p99 latency passed five seconds",
            "{svc} shed load and returned 503 for a quarter of requests",
            "autoscaling of {svc} hit its node pool maximum",
        ],
        mechanisms: &[
            "traffic reached four times the planned peak and the node pool limit capped autoscaling of {svc}",
            "{svc} was sized for a warm cache, and a cold start sent every request to its backend",
            "the capacity plan for {svc} was based on last year's curve and missed a new launch format",
        ],
        whys: &[
            "{svc} could not serve the incoming request rate",
            "It could not scale out fast enough",
            "Its autoscaling ceiling was below the demand",
            "The forecast used last year's traffic shape",
            "No load test covered the new peak",
            "Capacity and marketing plans were not reviewed together",
        ],
        fixes: &[
            "raised the node pool limit and scaled {svc} out manually",
            "shed non-essential traffic and scaled {dep} to absorb the load",
        ],
        actions: &[
            "Load test {svc} at five times the previous peak before sale events",
            "Review autoscaling limits of {svc} with each launch plan",
            "Alert on autoscaler hitting its ceiling",
        ],
    },
    Cause {
        slug: "dependency-outage",
        titles: &[
            "{svc} degraded during a third-party provider outage",
            "Upstream provider failure impacted {svc}",
            "{svc} failed while an external vendor was down",
        ],
        symptoms: &[
            "calls from {svc} to the external provider timed out after 30 s",
            "{svc} queued work it could not complete and its backlog grew",
            "requests that needed the vendor failed while everything else worked",
        ],
        mechanisms: &[
            "the external provider used by {svc} had a regional outage and we had no fallback",
            "the vendor kept answering `accepted` while holding our requests, so {svc} believed they succeeded",
            "a provider's degraded API made {svc} threads block on long timeouts",
        ],
        whys: &[
            "{svc} depended on a provider that was failing",
            "There was no second provider or fallback",
            "Timeouts to the provider were far longer than our own deadlines",
            "We measured the provider by its answer, not by the outcome",
            "The provider's status page was not monitored",
            "Failover had been designed but never built",
        ],
        fixes: &[
            "switched {svc} to the secondary provider",
            "shortened timeouts and queued requests until the provider recovered",
        ],
        actions: &[
            "Automatic failover of {svc} to a second provider",
            "Measure provider delivery by receipts, not by acceptance",
            "Subscribe the on-call channel to provider status feeds",
        ],
    },
    Cause {
        slug: "deploy-regression",
        titles: &[
            "Release of {svc} introduced a regression",
            "{svc} errors after a routine deploy",
            "Bad build of {svc} rolled out to all hosts",
        ],
        symptoms: &[
            "errors on {svc} started minutes after a deploy",
            "{svc} returned wrong results without raising errors",
            "the new version of {svc} crashed on a request shape the old one handled",
        ],
        mechanisms: &[
            "a refactoring in the new {svc} release inverted a condition and passed review",
            "a dependency upgrade in {svc} changed a default behaviour the code relied on",
            "the release of {svc} skipped a test suite that had been made optional",
        ],
        whys: &[
            "The new version of {svc} behaved differently from the old one",
            "A change in the release altered behaviour nobody intended to change",
            "Tests did not cover the affected case",
            "The only test that could catch it was non-blocking",
            "The release went to every host without a canary",
            "The rollback decision waited for certainty",
        ],
        fixes: &[
            "rolled {svc} back to the previous release",
            "reverted the offending commit and redeployed {svc}",
        ],
        actions: &[
            "Canary stage for {svc} releases with automatic rollback",
            "Make the relevant test suite of {svc} blocking again",
            "Treat dependency upgrades of {svc} as behaviour changes in review",
        ],
    },
    Cause {
        slug: "data-migration",
        titles: &[
            "Schema migration blocked {svc}",
            "Data migration corrupted records in {svc}",
            "Backfill in {svc} went wrong",
        ],
        symptoms: &[
            "all reads and writes to a hot table used by {svc} queued behind a lock",
            "{svc} showed duplicated or missing records after a migration",
            "a backfill saturated the database shared by {svc} and {dep}",
        ],
        mechanisms: &[
            "a migration on {svc}'s database requested an exclusive lock and waited behind a long transaction",
            "a non-idempotent backfill step in {svc} ran twice after an automatic retry",
            "a column change rewrote a large table of {svc} under lock during business hours",
        ],
        whys: &[
            "The migration interfered with live traffic of {svc}",
            "It took a lock or rewrote data while traffic was flowing",
            "The migration runner sets no lock timeout",
            "Retries were on although the step was not idempotent",
            "Migrations run automatically with every deploy",
            "No dry run on production-sized data",
        ],
        fixes: &[
            "cancelled the migration session and reran it with a lock timeout",
            "rebuilt the damaged partitions from source and reran the step idempotently",
        ],
        actions: &[
            "Set a lock timeout in the migration runner of {svc}",
            "Lint migrations for table rewrites on hot tables",
            "Dry-run migrations of {svc} on a production-sized snapshot",
        ],
    },
    Cause {
        slug: "rate-limiting",
        titles: &[
            "{svc} throttled by {dep}",
            "Rate limit exceeded between {svc} and a provider",
            "{svc} requests rejected with HTTP 429",
        ],
        symptoms: &[
            "a growing share of calls from {svc} returned 429 Too Many Requests",
            "{svc} retried rejected calls and the rejection rate rose further",
            "batch work in {svc} stalled at the provider's quota",
        ],
        mechanisms: &[
            "{svc} exceeded the quota agreed with {dep} and retried 429 responses immediately",
            "a batch released all at once pushed {svc} far above its rate limit, and retries ignored Retry-After",
            "the per-tenant limit in {dep} was lowered without telling the owners of {svc}",
        ],
        whys: &[
            "Requests from {svc} were rejected by the rate limiter",
            "{svc} sent more requests than its quota",
            "Work was released in one burst instead of a queue",
            "Rejected requests were retried at once, multiplying load",
            "The client ignored Retry-After",
            "The quota had not been reviewed against forecast peaks",
        ],
        fixes: &[
            "paused the batch and resumed it through a rate-limited queue",
            "negotiated a temporary quota increase and added back-off to {svc}",
        ],
        actions: &[
            "Honour Retry-After with jittered back-off in {svc}",
            "Alert on 429 responses above 1% of calls",
            "Review provider quotas against forecast peaks every quarter",
        ],
    },
    Cause {
        slug: "disk-full",
        titles: &[
            "{svc} stopped writing when its volume filled up",
            "Disk full on {svc} hosts",
            "{svc} failed with ENOSPC",
        ],
        symptoms: &[
            "{svc} failed every write with `No space left on device`",
            "{svc} stopped consuming its queue and lag grew for hours",
            "temporary files could not be created and {svc} answered 500",
        ],
        mechanisms: &[
            "log rotation for {svc} was lost in an image update and logs filled the root volume",
            "snapshot clean-up for {svc} failed silently and old snapshots filled the data disk",
            "a merge in {svc} needed twice the index size in free space and the volume had far less",
        ],
        whys: &[
            "{svc} could not write to disk",
            "The volume was at 100%",
            "Files that should have been removed accumulated",
            "The clean-up job was broken and nobody knew",
            "Disk usage alerts were routed to an archived channel",
            "Volumes were sized without headroom for peaks",
        ],
        fixes: &[
            "freed space by moving old files to object storage",
            "grew the volume of {svc} and repaired the clean-up job",
        ],
        actions: &[
            "Alert on disk usage above 75% on {svc} hosts",
            "Make the clean-up job of {svc} alert on missed runs",
            "Ship logs of {svc} to the central pipeline",
        ],
    },
    Cause {
        slug: "clock-skew",
        titles: &[
            "Clock drift on {svc} hosts broke time-bound checks",
            "{svc} rejected requests because of skewed clocks",
            "Time synchronisation lost on {svc}",
        ],
        symptoms: &[
            "tokens issued by {svc} were rejected as not yet valid",
            "records written by {svc} carried timestamps in the future",
            "signature checks between {svc} and {dep} failed intermittently",
        ],
        mechanisms: &[
            "hosts of {svc} lost every NTP source and their clocks drifted ahead by over a minute",
            "{svc} started before chrony had stepped the clock after boot",
            "a firewall change blocked NTP and clocks on {svc} free-ran for days",
        ],
        whys: &[
            "Timestamps from {svc} were outside the accepted window",
            "The host clocks were wrong by seconds to minutes",
            "Time synchronisation had stopped or not yet happened",
            "Nothing monitored clock offset on those hosts",
            "The service did not wait for time sync at start",
            "Verifiers allowed almost no leeway",
        ],
        fixes: &[
            "stepped the clocks and restored NTP reachability",
            "removed the skewed hosts from the pool and re-added them after sync",
        ],
        actions: &[
            "Alert on clock offset above 100 ms fleet-wide",
            "Block {svc} start until time is synchronised",
            "Align timestamp leeway between {svc} and {dep}",
        ],
    },
    Cause {
        slug: "memory-leak",
        titles: &[
            "{svc} pods killed for running out of memory",
            "Memory growth in {svc} caused restarts",
            "{svc} OOM crash loop",
        ],
        symptoms: &[
            "pods of {svc} were OOM-killed every few hours",
            "resident memory of {svc} grew linearly until the kernel killed it",
            "garbage collection in {svc} ran constantly and latency spiked",
        ],
        mechanisms: &[
            "an unbounded in-process cache in {svc} grew with every distinct key",
            "{svc} kept references to completed requests in a listener list",
            "a native buffer in {svc} was allocated per request and never freed",
        ],
        whys: &[
            "{svc} was killed for exceeding its memory limit",
            "Its memory grew without bound",
            "Objects were retained after they were no longer needed",
            "The retention was added in a recent change",
            "Memory growth was not part of the release checks",
            "Restarts hid the trend for weeks",
        ],
        fixes: &[
            "raised memory limits temporarily and restarted {svc} on a schedule",
            "bounded the cache and deployed the fix",
        ],
        actions: &[
            "Bound every in-process cache in {svc}",
            "Alert on memory growth trend, not only on OOM kills",
            "Soak test {svc} releases for four hours",
        ],
    },
    Cause {
        slug: "retry-storm",
        titles: &[
            "Retry storm amplified a blip in {dep}",
            "{svc} overwhelmed by its own clients' retries",
            "Synchronised retries kept {svc} down",
        ],
        symptoms: &[
            "traffic to {svc} jumped to five times normal after a short error spike",
            "{svc} recovered and was knocked over again by queued retries",
            "each layer retried, and {dep} saw 27 attempts per user request",
        ],
        mechanisms: &[
            "clients of {svc} retried without jitter or budget, so a brief failure turned into sustained overload",
            "three layers each retried three times, multiplying load on {dep}",
            "mobile clients retried in lockstep after {svc} came back, re-saturating it",
        ],
        whys: &[
            "{svc} received far more requests than users sent",
            "Failed requests were retried at several layers",
            "Retries had no jitter and no budget",
            "The retry policy was copied between services",
            "No circuit breaker stopped calls to a failing backend",
            "Load tests never injected failures",
        ],
        fixes: &[
            "turned off retries at the outer layers and let {svc} recover",
            "rate limited clients at the edge until {svc} drained its queue",
        ],
        actions: &[
            "Retry budgets and jitter in the shared client of {svc}",
            "Circuit breaker between {svc} and {dep}",
            "Inject failures in load tests",
        ],
    },
    Cause {
        slug: "cache-stampede",
        titles: &[
            "Cache stampede overloaded {dep} behind {svc}",
            "Cold cache in front of {svc}",
            "{svc} cache expiry caused a thundering herd",
        ],
        symptoms: &[
            "cache hit ratio of {svc} fell from 95% to 20% in a minute",
            "{dep} CPU reached 100% as every request missed the cache",
            "popular keys expired at once and thousands of requests recomputed them",
        ],
        mechanisms: &[
            "all cache nodes in front of {svc} restarted together and came back empty",
            "keys written together with the same TTL expired together and every miss went to {dep}",
            "{svc} had no request coalescing, so each miss on a hot key became a backend call",
        ],
        whys: &[
            "{dep} received almost every request directly",
            "The cache in front of it was empty or expired",
            "Keys shared an expiry time or the nodes restarted together",
            "Request coalescing was off",
            "The backend was sized for a warm cache",
            "Cache deploys were not treated as risky",
        ],
        fixes: &[
            "enabled request coalescing and pre-warmed the hot keys",
            "scaled {dep} out until the cache recovered",
        ],
        actions: &[
            "Jitter TTLs of cache entries in {svc}",
            "Roll cache deploys node by node with warm-up",
            "Enable request coalescing by default",
        ],
    },
    Cause {
        slug: "network-partition",
        titles: &[
            "Network partition between zones degraded {svc}",
            "Packet loss isolated {svc} from {dep}",
            "{svc} split across zones during a network fault",
        ],
        symptoms: &[
            "calls from {svc} to {dep} across zones lost 20% of packets",
            "{svc} instances in one zone passed health checks but could not reach {dep}",
            "requests crossing the zone boundary took 10 s because of retransmissions",
        ],
        mechanisms: &[
            "a provider network fault caused packet loss between zones and {svc} kept routing to the isolated zone",
            "health checks of {svc} were local and did not test the path to {dep}",
            "a switch firmware bug dropped traffic between two racks hosting {svc}",
        ],
        whys: &[
            "{svc} could not reach {dep} reliably",
            "The network between zones lost packets",
            "Traffic kept flowing to the affected zone",
            "Health checks did not test cross-zone paths",
            "Draining a zone was a manual sequence of steps",
            "Call chains crossed zones unnecessarily",
        ],
        fixes: &[
            "drained the affected zone for {svc} and {dep}",
            "pinned {svc} traffic to healthy zones until the provider recovered",
        ],
        actions: &[
            "Health checks of {svc} test the path to {dep}",
            "One rehearsed command to drain a zone",
            "Keep call chains of {svc} within one zone where possible",
        ],
    },
    Cause {
        slug: "feature-flag",
        titles: &[
            "Feature flag enabled an unfinished path in {svc}",
            "{svc} broke when a flag rolled to 100%",
            "Stale feature flag flipped in {svc}",
        ],
        symptoms: &[
            "{svc} errors began when a flag reached all users",
            "a dormant code path in {svc} ran for the first time in production",
            "a flag targeting rule matched every tenant instead of one",
        ],
        mechanisms: &[
            "a flag in {svc} was rolled from 10% to 100% in one step and exposed an untested path",
            "an old flag was reused for a new feature and enabled dead code in {svc}",
            "a targeting rule for a flag in {svc} used an empty segment, which matched everyone",
        ],
        whys: &[
            "{svc} executed code that was not ready",
            "A flag exposed it to all traffic",
            "The rollout skipped intermediate steps",
            "Flags are not reviewed like code",
            "Old flags were never removed",
            "No metric was watched during the rollout",
        ],
        fixes: &[
            "turned the flag off",
            "restored the previous targeting rule",
        ],
        actions: &[
            "Staged rollouts with automatic pause for flags in {svc}",
            "Remove flags older than 90 days",
            "Review flag targeting changes like code",
        ],
    },
    Cause {
        slug: "database-failover",
        titles: &[
            "Database failover left {svc} writing to a read-only node",
            "{svc} errors during a primary database failover",
            "Slow failover of the {svc} database",
        ],
        symptoms: &[
            "{svc} failed writes with `cannot execute in a read-only transaction`",
            "{svc} kept connections to the old primary after failover",
            "writes to {svc} were refused for several minutes during failover",
        ],
        mechanisms: &[
            "{svc} cached the primary's address and did not reconnect after failover",
            "the failover of {svc}'s database took 9 minutes because replication lag had to catch up",
            "connection pools in {svc} held sockets to the demoted primary",
        ],
        whys: &[
            "Writes from {svc} failed",
            "They went to a node that was no longer primary",
            "Clients did not follow the new primary",
            "DNS TTL and pool lifetimes were long",
            "Failover was never rehearsed with live traffic",
            "Runbooks assumed instant failover",
        ],
        fixes: &[
            "restarted {svc} pools to reconnect to the new primary",
            "forced the pools to drop connections to the demoted node",
        ],
        actions: &[
            "Rehearse database failover of {svc} quarterly",
            "Pools validate role on checkout",
            "Alert on replication lag before maintenance",
        ],
    },
    Cause {
        slug: "queue-backlog",
        titles: &[
            "{svc} queue backlog delayed processing for hours",
            "Consumers of {svc} fell behind",
            "Message backlog in {svc}",
        ],
        symptoms: &[
            "consumer lag for {svc} grew to millions of messages",
            "work submitted to {svc} was processed hours late",
            "{svc} consumers restarted repeatedly on one poison message",
        ],
        mechanisms: &[
            "a poison message crashed {svc} consumers and blocked the partition",
            "consumers of {svc} were scaled down by mistake while input doubled",
            "a slow downstream call made each {svc} consumer process a tenth of its usual rate",
        ],
        whys: &[
            "Work in {svc} was delayed",
            "Consumers processed less than producers wrote",
            "Consumers were blocked, crashed or too few",
            "There was no dead-letter handling",
            "Lag was not alerted on",
            "Scaling was manual",
        ],
        fixes: &[
            "moved the poison message to a dead-letter queue and scaled consumers",
            "scaled {svc} consumers and drained the backlog",
        ],
        actions: &[
            "Dead-letter queue for messages failing three times in {svc}",
            "Alert on consumer lag over ten minutes",
            "Autoscale {svc} consumers on lag",
        ],
    },
    Cause {
        slug: "deadlock",
        titles: &[
            "Lock contention froze {svc}",
            "{svc} threads deadlocked",
            "Database deadlocks in {svc}",
        ],
        symptoms: &[
            "all worker threads of {svc} were blocked and it stopped answering",
            "{svc} logged thousands of deadlock errors per minute",
            "throughput of {svc} dropped to zero while CPU stayed idle",
        ],
        mechanisms: &[
            "two code paths in {svc} took the same locks in opposite order",
            "a new batch job updated rows of {svc} in a different order from the online path",
            "a synchronous call inside a lock in {svc} waited on a thread that needed the same lock",
        ],
        whys: &[
            "{svc} stopped making progress",
            "Its threads or transactions waited on each other",
            "Locks were acquired in inconsistent order",
            "The new code path was not reviewed for locking",
            "No test ran both paths concurrently",
            "Thread dumps were not collected automatically",
        ],
        fixes: &[
            "restarted {svc} and paused the batch job",
            "deployed a fix that orders lock acquisition consistently",
        ],
        actions: &[
            "Consistent lock ordering in {svc}",
            "Concurrency test of online and batch paths",
            "Automatic thread dumps on stalls",
        ],
    },
    Cause {
        slug: "secret-rotation",
        titles: &[
            "Credential rotation broke {svc}",
            "{svc} lost access after a secret was rotated",
            "Rotated API key not picked up by {svc}",
        ],
        symptoms: &[
            "{svc} calls to {dep} failed with 401 Unauthorized",
            "{svc} could not authenticate to its database after a password change",
            "half of the {svc} pods used the old key and failed",
        ],
        mechanisms: &[
            "a credential was rotated and the old one revoked before {svc} reloaded the new one",
            "{svc} read its secret only at start and was not restarted after rotation",
            "the rotation job updated one of two secret stores used by {svc}",
        ],
        whys: &[
            "{svc} presented an invalid credential",
            "The credential had been rotated",
            "{svc} still held the old value",
            "Rotation revoked the old credential immediately",
            "Rotation was not tested end to end",
            "Secret reload was not supported",
        ],
        fixes: &[
            "restored the previous credential for a grace period and restarted {svc}",
            "re-issued the credential and reloaded {svc}",
        ],
        actions: &[
            "Dual-credential grace period for rotations",
            "Hot reload of secrets in {svc}",
            "End-to-end rotation test in staging",
        ],
    },
    Cause {
        slug: "load-balancer-misconfig",
        titles: &[
            "Load balancer change sent traffic for {svc} to the wrong pool",
            "{svc} unreachable after a load balancer update",
            "Health check misconfiguration took {svc} out of rotation",
        ],
        symptoms: &[
            "the load balancer marked every {svc} backend unhealthy",
            "requests for {svc} were routed to an empty pool",
            "half of {svc} traffic was sent to a decommissioned pool",
        ],
        mechanisms: &[
            "a health check path for {svc} was changed to one the service does not serve",
            "a listener rule update pointed {svc} traffic at a target group with no instances",
            "a weight change in the load balancer sent traffic to an old pool of {svc}",
        ],
        whys: &[
            "Clients could not reach {svc}",
            "The load balancer had no healthy targets",
            "Its configuration pointed at the wrong place",
            "The change was applied outside infrastructure code",
            "No check compared the change with live targets",
            "Rollback took manual steps",
        ],
        fixes: &[
            "reverted the load balancer configuration",
            "re-registered {svc} instances in the correct target group",
        ],
        actions: &[
            "Manage load balancers of {svc} only through infrastructure code",
            "Pre-apply check for empty target groups",
            "Synthetic probe for {svc} through the public path",
        ],
    },
    Cause {
        slug: "os-patch",
        titles: &[
            "Kernel update destabilised {svc} hosts",
            "{svc} regressions after OS patching",
            "Host patching rebooted {svc} capacity at once",
        ],
        symptoms: &[
            "{svc} hosts rebooted in large batches during patching",
            "network throughput on {svc} hosts dropped after a kernel update",
            "{svc} processes crashed with a changed system library",
        ],
        mechanisms: &[
            "the patch window rebooted 40% of {svc} hosts at once",
            "a kernel update changed a network driver default used by {svc}",
            "a system library update on {svc} hosts broke a binary built against the old version",
        ],
        whys: &[
            "{svc} lost capacity or stability",
            "Hosts were patched or rebooted",
            "Patching ignored service-level disruption budgets",
            "The update changed behaviour {svc} relied on",
            "Patches were not canaried on {svc} hosts",
            "Host and service owners did not coordinate",
        ],
        fixes: &[
            "paused the patch rollout and restored capacity",
            "rolled back the package on {svc} hosts",
        ],
        actions: &[
            "Disruption budgets respected by the patch tool",
            "Canary patches on {svc} hosts first",
            "Pin system libraries in the {svc} image",
        ],
    },
    Cause {
        slug: "cron-overlap",
        titles: &[
            "Overlapping scheduled jobs overloaded {svc}",
            "Nightly job in {svc} ran twice",
            "Scheduled batch collided with peak traffic on {svc}",
        ],
        symptoms: &[
            "two instances of the nightly job of {svc} ran at the same time",
            "a batch on {svc} started during peak hours after a timezone change",
            "{dep} saturated every night at 02:00 when jobs stacked up",
        ],
        mechanisms: &[
            "the job scheduler of {svc} started a new run while the previous one was still going",
            "a daylight-saving change moved a batch of {svc} into business hours",
            "several teams scheduled heavy jobs on {dep} at the same minute",
        ],
        whys: &[
            "{svc} or {dep} was overloaded at a fixed time",
            "Scheduled jobs overlapped",
            "The scheduler had no concurrency guard",
            "Schedules were set in local time",
            "No one had a view of all jobs on shared systems",
            "Job duration grew with data volume",
        ],
        fixes: &[
            "killed the duplicate run and rescheduled the job",
            "staggered the jobs and added a lock",
        ],
        actions: &[
            "Single-run lock for scheduled jobs of {svc}",
            "Schedules in UTC only",
            "Shared calendar of heavy jobs on {dep}",
        ],
    },
    Cause {
        slug: "manual-operation",
        titles: &[
            "Manual command removed production data from {svc}",
            "Operator action during maintenance broke {svc}",
            "Runbook step applied to the wrong {svc} environment",
        ],
        symptoms: &[
            "{svc} lost a set of records after a maintenance command",
            "a maintenance step restarted every {svc} instance instead of one",
            "production {svc} received a command meant for staging",
        ],
        mechanisms: &[
            "an operator ran a clean-up command against production {svc} believing it was staging",
            "a runbook command for {svc} had no scope argument and applied to all instances",
            "a manual database fix for {svc} lacked a WHERE clause",
        ],
        whys: &[
            "A manual action changed production {svc}",
            "The operator believed the target was different",
            "Environments look alike in the terminal",
            "The tool had no confirmation or dry run",
            "The runbook was not automated",
            "Maintenance was done alone at night",
        ],
        fixes: &[
            "restored the records from backup and replayed the log",
            "restarted the affected {svc} instances in order",
        ],
        actions: &[
            "Automate the runbook step for {svc} with a dry run",
            "Colour-coded production prompts",
            "Two-person rule for destructive commands",
        ],
    },
    Cause {
        slug: "replication-lag",
        titles: &[
            "Replication lag served stale data from {svc}",
            "{svc} replicas fell minutes behind",
            "Read-after-write failures on {svc}",
        ],
        symptoms: &[
            "users saw stale data right after updating it in {svc}",
            "replica lag of {svc} reached 14 minutes",
            "{svc} reads returned records that had already been deleted",
        ],
        mechanisms: &[
            "a large batch update on the {svc} primary saturated replication and replicas fell behind",
            "{svc} routed reads to replicas without checking their lag",
            "a long-running query on a {svc} replica blocked replay of changes",
        ],
        whys: &[
            "{svc} returned outdated data",
            "Reads went to lagging replicas",
            "Replication could not keep up",
            "A batch or query blocked replay",
            "Reads did not check replica freshness",
            "Lag was alerted only above 30 minutes",
        ],
        fixes: &[
            "routed {svc} reads to the primary until replicas caught up",
            "throttled the batch and cancelled the blocking query",
        ],
        actions: &[
            "Lag-aware read routing in {svc}",
            "Throttle batch updates on the {svc} primary",
            "Alert on replica lag above one minute",
        ],
    },
    Cause {
        slug: "quota-exhaustion",
        titles: &[
            "Cloud quota limit blocked {svc} from scaling",
            "{svc} hit an account-level resource limit",
            "IP address exhaustion stopped {svc} pods",
        ],
        symptoms: &[
            "new {svc} instances failed to start with `quota exceeded`",
            "{svc} pods stayed pending because the subnet ran out of addresses",
            "{svc} could not create new volumes during scale-out",
        ],
        mechanisms: &[
            "the cloud account reached its instance quota and {svc} could not scale",
            "the subnet of {svc} ran out of IP addresses as pods scaled",
            "a regional volume quota was consumed by orphaned disks, leaving none for {svc}",
        ],
        whys: &[
            "{svc} could not add capacity",
            "A provider or network limit was reached",
            "Usage against quotas was not tracked",
            "Orphaned resources consumed the quota",
            "Quota increases take days to approve",
            "Capacity plans ignored account limits",
        ],
        fixes: &[
            "deleted orphaned resources and requested a quota increase",
            "moved {svc} to a larger subnet",
        ],
        actions: &[
            "Track quota usage and alert at 70%",
            "Clean up orphaned resources weekly",
            "Include account limits in capacity plans",
        ],
    },
];

/// Cause-independent boilerplate: every archive repeats it, which makes matching by text
/// realistic (shared words that say nothing about the cause).
const NOISE: &[&str] = &[
    "Communication during the incident followed the standard process: the incident commander posted updates in the incident channel every 15 minutes and the status page was updated within 10 minutes of the declaration.",
    "Customer support was briefed with a holding statement and a list of known symptoms, and was told when the incident was mitigated.",
    "This review follows our blameless format. The aim is to understand how the system and our processes allowed the failure, not to assign fault to any person.",
    "The on-call handover at the start of the shift had noted no open issues for the affected systems.",
    "Engineers from several teams joined the bridge; the incident commander kept the number of active participants small and assigned a scribe.",
    "Dashboards for the affected systems were available throughout, and the alerting pipeline itself was healthy.",
    "We reviewed the error budget for the affected service: this incident consumed a significant part of the quarterly budget and was discussed in the weekly reliability review.",
    "The timeline was reconstructed from chat logs, deploy records and alert history after the incident and reviewed by everyone who took part.",
    "No customer data was lost or exposed during this incident.",
    "Follow-up work is tracked in the team's backlog with the incident label and reviewed at the monthly action-item review.",
    "Thanks to everyone who joined the response, including engineers who were not on call and the support team who handled customer contacts.",
    "The incident was declared according to the severity guidelines, and the severity was reviewed at the post-mortem meeting.",
    "A summary of this review was shared in the engineering all-hands and in the reliability newsletter.",
    "Several of the action items below touch shared tooling; their owners have agreed them with the platform team.",
    "During the response the incident commander asked every participant to state what they were changing before changing it, which kept two engineers from applying conflicting fixes at the same time. The scribe recorded each decision with its time, which made the timeline in this document straightforward to assemble.",
    "Status page updates were drafted by the communications lead from the incident channel and approved by the incident commander. The first public update went out shortly after the declaration, followed by updates at each material change and a final notice when the service was stable.",
    "The post-mortem meeting was held within five working days, attended by the responders, the service owners and a facilitator from the reliability team. The draft was circulated a day ahead so that the meeting could focus on contributing factors and action items rather than on reconstructing events.",
    "We use a shared severity scale across Northwind engineering. Severity is set by user impact, not by technical cause, and the incident commander may raise or lower it as the picture becomes clearer during the response.",
    "Alerts in this area page the owning team's primary on-call first, with automatic escalation to the secondary after fifteen minutes and to the engineering manager after thirty. The escalation policy worked as configured during this incident.",
    "The reliability team tracks open action items from all post-mortems and reviews overdue items with engineering managers every month. Items that are no longer relevant are closed with a short explanation rather than left open.",
    "Several responders worked outside their normal hours. In line with our on-call policy, they were encouraged to take time off in lieu, and the next day's handover explicitly covered the state of the follow-up work.",
    "This document is part of the engineering post-mortem archive. Readers from other teams are encouraged to comment on the draft and to link related incidents they remember, since patterns across teams are often invisible from inside one team.",
    "Capacity and error-budget dashboards for the affected services were reviewed at the next weekly operations review, together with the trend of incidents for the same services over the previous two quarters.",
    "Support handled the customer contacts with the standard macro for service disruptions, and the customer success team contacted the largest affected accounts directly on the following business day.",
    "No rollback of unrelated changes was needed. The change calendar for the day was reviewed during the incident to rule out other recent deploys, configuration pushes and infrastructure maintenance as contributors.",
    "We considered whether the incident required notification under our contractual or regulatory obligations and concluded, with the legal team, that it did not.",
];

const QUESTIONS: &[&[&str]] = &[
    &[
        "Why were customers affected?",
        "Why did requests fail?",
        "Why did the service degrade?",
    ],
    &[
        "Why did that happen?",
        "What caused that?",
        "Why was that the case?",
    ],
    &[
        "Why was that possible?",
        "Why did it get that far?",
        "Why did nothing stop it?",
    ],
    &[
        "Why was this not caught earlier?",
        "Why did our checks miss it?",
        "Why was it not prevented?",
    ],
    &[
        "Why was there no safeguard?",
        "Why did the process allow it?",
        "What underlying gap made this possible?",
    ],
];

pub const SERVICES: &[(&str, &str)] = &[
    ("checkout-api", "payments"),
    ("payments-gateway", "payments"),
    ("ledger", "payments"),
    ("fraud-scoring", "payments"),
    ("refund-worker", "payments"),
    ("auth-service", "identity"),
    ("session-store", "identity"),
    ("user-profile", "identity"),
    ("mfa-service", "identity"),
    ("search-api", "search"),
    ("search-indexer", "search"),
    ("recommendations", "search"),
    ("order-router", "fulfillment"),
    ("inventory-service", "fulfillment"),
    ("shipping-quotes", "fulfillment"),
    ("warehouse-sync", "fulfillment"),
    ("catalog-service", "merchandising"),
    ("pricing-engine", "merchandising"),
    ("promotions", "merchandising"),
    ("edge-proxy", "edge"),
    ("media-service", "edge"),
    ("cdn-config", "edge"),
    ("notifications", "messaging"),
    ("email-sender", "messaging"),
    ("push-service", "messaging"),
    ("data-warehouse", "data"),
    ("event-pipeline", "data"),
    ("reporting", "data"),
    ("mobile-gateway", "mobile"),
    ("app-config", "mobile"),
    ("kubernetes-control-plane", "platform"),
    ("service-mesh", "platform"),
    ("ci-runners", "platform"),
    ("secrets-manager", "platform"),
    ("orders-db", "platform"),
    ("kafka", "platform"),
];

const PEOPLE: &[&str] = &[
    "Priya Raman",
    "Tomasz Nowak",
    "Aisha Bello",
    "Daniel Okafor",
    "Mei Lin",
    "Jonas Berg",
    "Carla Mendes",
    "Rahul Iyer",
    "Sofia Rossi",
    "Kenji Watanabe",
    "Fatima Zahra",
    "Liam O'Connor",
    "Grace Kim",
    "Omar Haddad",
    "Ana Souza",
    "Lisa Park",
    "Noah Fischer",
    "Elena Petrova",
    "Yusuf Demir",
    "Hannah Weiss",
];

/// Titles that say nothing about the cause, as status pages often write them.
const GENERIC_TITLES: &[&str] = &[
    "Elevated error rates on {svc}",
    "{svc} partial outage",
    "Degraded performance of {svc}",
    "Increased latency for requests to {svc}",
    "{svc} unavailable for some customers",
    "Intermittent failures in {svc}",
];

const REGIONS: &[&str] = &[
    "eu-west",
    "eu-central",
    "us-east",
    "us-west",
    "ap-south",
    "second occurrence",
    "third occurrence",
];

const SEVERITIES: &[&str] = &["SEV1", "SEV2", "SEV3", "SEV4"];
/// Realistic mix: few SEV1s, most incidents minor.
const SEVERITY_WEIGHTS: &[usize] = &[7, 23, 42, 28];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The reference template shape, no front matter.
    Template,
    /// Front matter plus a template-shaped body.
    FrontMatterTemplate,
    /// Front matter plus short sections of our own.
    FrontMatterSections,
    /// Google SRE book shape with front matter.
    GoogleSre,
    /// Status-page style: title, date, summary and details only.
    FreeProse,
}

const STYLE_WEIGHTS: &[usize] = &[40, 25, 15, 10, 10];
const STYLES: &[Style] = &[
    Style::Template,
    Style::FrontMatterTemplate,
    Style::FrontMatterSections,
    Style::GoogleSre,
    Style::FreeProse,
];

// ---------------------------------------------------------------------------------------
// Dates without a date library: days since 1970-01-01 ↔ civil date (Howard Hinnant).

pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date_str(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn hm(minute_of_day: i64) -> String {
    format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

fn ts(days: i64, minute_of_day: i64) -> String {
    format!("{}T{}:00Z", date_str(days), hm(minute_of_day))
}

/// "N minutes" / "N hours M minutes".
fn duration_words(minutes: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match (minutes / 60, minutes % 60) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// The "as of" date the generated action-item statuses are consistent with.
pub const AS_OF: (i64, u32, u32) = (2026, 11, 26);
/// First day of the generated range; incidents span about three years up to AS_OF.
const FIRST_DAY: (i64, u32, u32) = (2023, 12, 1);

// ---------------------------------------------------------------------------------------
// Planning: all metadata first (cheap, sequential), so later incidents can reference
// earlier ones by date and title; then each document is rendered from its plan.

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    pub title: String,
    pub day: i64,
    pub severity: &'static str,
    pub style: Style,
    pub causes: Vec<usize>,
    pub services: Vec<usize>,
    pub dep: usize,
    /// Index of the earlier incident this one repeats (same cause, often same service).
    pub repeat_of: Option<usize>,
    /// Whether the document names the earlier one under Related Incidents.
    pub references_repeat: bool,
    pub near_miss: bool,
    pub draft: bool,
    pub seed: u64,
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let mut slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

fn fill(template: &str, svc: &str, dep: &str) -> String {
    template.replace("{svc}", svc).replace("{dep}", dep)
}

/// Upper-case the first letter, except where the text opens with a service name, which
/// is written as it is deployed (`order-router slowed...`), as engineers write it.
fn capitalise(text: &str) -> String {
    if SERVICES.iter().any(|(name, _)| {
        text.strip_prefix(name)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
    }) {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn plan(count: usize, seed: u64) -> Vec<Plan> {
    let mut rng = Rng::new(seed);
    let first = days_from_civil(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
    let last = days_from_civil(AS_OF.0, AS_OF.1, AS_OF.2) - 3;
    let mut plans: Vec<Plan> = Vec::with_capacity(count);
    let mut ids = BTreeSet::new();
    let mut titles = BTreeSet::new();
    for index in 0..count {
        let doc_seed = rng.next_u64();
        let style = STYLES[rng.weighted(STYLE_WEIGHTS)];
        let severity = SEVERITIES[rng.weighted(SEVERITY_WEIGHTS)];
        // About a fifth of incidents repeat a recent earlier one.
        let earlier = if !plans.is_empty() && rng.chance(20) {
            let j = plans.len() - 1 - rng.below(plans.len().min(40));
            (plans[j].day + 90 <= last).then_some(j)
        } else {
            None
        };
        let (day, mut causes, mut services, dep) = match earlier {
            Some(j) => {
                let prev = &plans[j];
                let day = prev.day + rng.range(3, 85);
                let services = if rng.chance(70) {
                    vec![prev.services[0]]
                } else {
                    vec![rng.below(SERVICES.len())]
                };
                (
                    day,
                    vec![prev.causes[0]],
                    services,
                    rng.below(SERVICES.len()),
                )
            }
            None => {
                let day = rng.range(first, last);
                (
                    day,
                    vec![rng.below(CAUSES.len())],
                    vec![rng.below(SERVICES.len())],
                    rng.below(SERVICES.len()),
                )
            }
        };
        if rng.chance(15) {
            let second = rng.below(CAUSES.len());
            if second != causes[0] {
                causes.push(second);
            }
        }
        if rng.chance(45) {
            let extra = rng.below(SERVICES.len());
            if !services.contains(&extra) {
                services.push(extra);
            }
        }
        let dep = if services.contains(&dep) {
            (dep + 7) % SERVICES.len()
        } else {
            dep
        };
        let cause = &CAUSES[causes[0]];
        let title_template = if rng.chance(30) {
            rng.pick(GENERIC_TITLES)
        } else {
            rng.pick(cause.titles)
        };
        let mut title = capitalise(&fill(
            title_template,
            SERVICES[services[0]].0,
            SERVICES[dep].0,
        ));
        // Date + title must identify an incident, as Related Incidents entries rely on it.
        if !titles.insert((day, title.clone())) {
            let label = |n: usize| {
                REGIONS
                    .get(n)
                    .map_or_else(|| format!("occurrence {}", n + 2), |r| r.to_string())
            };
            let mut n = 0;
            while !titles.insert((day, format!("{title} ({})", label(n)))) {
                n += 1;
            }
            title = format!("{title} ({})", label(n));
        }
        let base = format!("{}-{}", date_str(day), slugify(&title));
        let mut id = base.clone();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let near_miss = !matches!(style, Style::Template | Style::FreeProse)
            && severity == "SEV4"
            && rng.chance(10);
        let draft = style != Style::Template && rng.chance(2);
        let references_repeat = earlier.is_some() && style != Style::FreeProse && rng.chance(60);
        let _ = index;
        plans.push(Plan {
            id,
            title,
            day,
            severity,
            style,
            causes,
            services,
            dep,
            repeat_of: earlier,
            references_repeat,
            near_miss,
            draft,
            seed: doc_seed,
        });
    }
    plans
}

// ---------------------------------------------------------------------------------------
// Rendering one document.

struct Times {
    start: i64,
    detect: i64,
    ack: i64,
    mitigate: i64,
    resolve: i64,
}

fn times(rng: &mut Rng, severity: &str) -> Times {
    let start = rng.range(30, 13 * 60);
    let detect = start + rng.pick(&[1, 2, 3, 4, 6, 9, 14, 25, 48, 95]);
    let ack = detect + rng.range(1, if severity == "SEV1" { 4 } else { 14 });
    let mitigate = ack + rng.range(8, if severity == "SEV4" { 60 } else { 180 });
    let resolve = (mitigate + rng.range(10, 420)).min(23 * 60 + 50);
    Times {
        start,
        detect,
        ack,
        mitigate,
        resolve,
    }
}

struct Action {
    text: String,
    owner: &'static str,
    priority: &'static str,
    due: i64,
    status: &'static str,
}

fn actions(rng: &mut Rng, plan: &Plan, svc: &str, dep: &str) -> Vec<Action> {
    let as_of = days_from_civil(AS_OF.0, AS_OF.1, AS_OF.2);
    let mut texts: Vec<String> = Vec::new();
    for &c in &plan.causes {
        for a in CAUSES[c].actions {
            texts.push(fill(a, svc, dep));
        }
    }
    texts.push(format!("Write a runbook for this failure mode of {svc}"));
    texts.push(format!(
        "Add a synthetic probe covering the user path through {svc}"
    ));
    let k = rng.range(3, 6) as usize;
    rng.sample(texts.len(), k)
        .into_iter()
        .map(|i| {
            let due = plan.day + rng.range(1, 100);
            let status = if due < as_of {
                [
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "in-progress",
                    "planned",
                    "delayed",
                    "not-doing",
                ][rng.below(9)]
            } else {
                ["planned", "planned", "in-progress", "done"][rng.below(4)]
            };
            Action {
                text: texts[i].clone(),
                owner: rng.pick(PEOPLE),
                priority: rng.pick(&["P1", "P2", "P2", "P3"]),
                due,
                status,
            }
        })
        .collect()
}

fn status_cell(status: &str) -> &'static str {
    match status {
        "done" => "✅ Done",
        "in-progress" => "⏳ In Progress",
        "planned" => "📅 Planned",
        "delayed" => "Delayed",
        _ => "Won't do",
    }
}

fn status_word(status: &str) -> &'static str {
    match status {
        "done" => "Done",
        "in-progress" => "In progress",
        "planned" => "Planned",
        "delayed" => "Delayed",
        _ => "Not doing",
    }
}

struct Doc<'a> {
    plan: &'a Plan,
    svc: &'static str,
    dep: &'static str,
    t: Times,
    symptom: String,
    mechanism: String,
    second_mechanism: Option<String>,
    whys: Vec<(String, String)>,
    fix: String,
    actions: Vec<Action>,
    noise: Vec<&'static str>,
    author: &'static str,
    reviewers: Vec<&'static str>,
    users: i64,
    related: Option<(String, String, String)>,
}

fn prepare<'a>(plan: &'a Plan, plans: &[Plan]) -> Doc<'a> {
    let mut rng = Rng::new(plan.seed);
    let svc = SERVICES[plan.services[0]].0;
    let dep = SERVICES[plan.dep].0;
    let cause = &CAUSES[plan.causes[0]];
    let t = times(&mut rng, plan.severity);
    let symptom = fill(rng.pick(cause.symptoms), svc, dep);
    let mechanism = fill(rng.pick(cause.mechanisms), svc, dep);
    let second_mechanism = plan
        .causes
        .get(1)
        .map(|&c| fill(rng.pick(CAUSES[c].mechanisms), svc, dep));
    // Five of the six answers, in order: the chain reads differently from doc to doc.
    let skip = 1 + rng.below(5);
    let answers: Vec<&str> = cause
        .whys
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != skip)
        .map(|(_, a)| *a)
        .collect();
    let whys = answers
        .iter()
        .enumerate()
        .map(|(i, a)| (rng.pick(QUESTIONS[i]).to_string(), fill(a, svc, dep)))
        .collect();
    let fix = fill(rng.pick(cause.fixes), svc, dep);
    let actions = actions(&mut rng, plan, svc, dep);
    let noise = rng
        .sample(NOISE.len(), 16)
        .into_iter()
        .map(|i| NOISE[i])
        .collect();
    let author = rng.pick(PEOPLE);
    let reviewers = rng
        .sample(PEOPLE.len(), 2)
        .into_iter()
        .map(|i| PEOPLE[i])
        .collect();
    let users = rng.range(3, 900) * 100;
    let related = match (plan.repeat_of, plan.references_repeat) {
        (Some(j), true) => Some((
            date_str(plans[j].day),
            plans[j].title.clone(),
            plans[j].id.clone(),
        )),
        _ => None,
    };
    Doc {
        plan,
        svc,
        dep,
        t,
        symptom,
        mechanism,
        second_mechanism,
        whys,
        fix,
        actions,
        noise,
        author,
        reviewers,
        users,
        related,
    }
}

fn handle(name: &str) -> String {
    name.to_ascii_lowercase()
        .replace(' ', ".")
        .replace('\'', "")
}

fn front_matter(out: &mut String, doc: &Doc, hide_causes: bool, full: bool) {
    let p = doc.plan;
    let list = |items: Vec<&str>| {
        items
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str("---\n");
    let _ = writeln!(out, "title: \"{}\"", p.title.replace('"', "'"));
    let _ = writeln!(out, "date: {}", date_str(p.day));
    if !full {
        out.push_str("---\n\n");
        return;
    }
    if p.near_miss {
        out.push_str("kind: near-miss\n");
    }
    let _ = writeln!(out, "severity: {}", p.severity);
    let _ = writeln!(out, "status: {}", if p.draft { "draft" } else { "final" });
    let _ = writeln!(
        out,
        "services: [{}]",
        list(p.services.iter().map(|&s| SERVICES[s].0).collect())
    );
    let mut teams: Vec<&str> = Vec::new();
    for &s in &p.services {
        if !teams.contains(&SERVICES[s].1) {
            teams.push(SERVICES[s].1);
        }
    }
    let _ = writeln!(out, "teams: [{}]", list(teams));
    let _ = writeln!(out, "authors: [{}]", handle(doc.author));
    if !hide_causes {
        let _ = writeln!(
            out,
            "causes: [{}]",
            list(p.causes.iter().map(|&c| CAUSES[c].slug).collect())
        );
    }
    let _ = writeln!(
        out,
        "tags: [{}]",
        list(vec![
            SERVICES[p.services[0]].1,
            if p.severity == "SEV1" {
                "major"
            } else {
                "routine"
            }
        ])
    );
    if !p.near_miss {
        let t = &doc.t;
        let _ = writeln!(out, "started_at: {}", ts(p.day, t.start));
        let _ = writeln!(out, "detected_at: {}", ts(p.day, t.detect));
        let _ = writeln!(out, "acknowledged_at: {}", ts(p.day, t.ack));
        let _ = writeln!(out, "mitigated_at: {}", ts(p.day, t.mitigate));
        let _ = writeln!(out, "resolved_at: {}", ts(p.day, t.resolve));
    }
    if let Some((_, _, id)) = &doc.related {
        let _ = writeln!(out, "related: [{id}]");
    }
    out.push_str("---\n\n");
}

/// Timeline rows (minute of day, event, actor), strictly increasing in time.
fn timeline(doc: &Doc) -> Vec<(i64, String, String)> {
    let t = &doc.t;
    let oncall = format!(
        "SRE ({})",
        doc.author.split(' ').next().unwrap_or("on-call")
    );
    let mut rows = vec![
        (t.start, capitalise(&doc.symptom), doc.svc.to_string()),
        (
            t.detect,
            format!("Alert: \"{} error ratio above threshold\"", doc.svc),
            "Monitoring".to_string(),
        ),
        (
            t.ack,
            "On-call engineer acknowledged the page".to_string(),
            oncall.clone(),
        ),
    ];
    let span = t.mitigate - t.ack;
    let steps = [
        format!("Checked dashboards for {} and {}", doc.svc, doc.dep),
        "Incident channel opened; incident commander assigned".to_string(),
        format!("Recent changes to {} reviewed", doc.svc),
        format!("Identified likely cause: {}", doc.mechanism),
        format!("Decision: {}", doc.fix),
    ];
    let n = steps.len() as i64;
    for (i, step) in steps.into_iter().enumerate() {
        let at = t.ack + span * (i as i64 + 1) / (n + 1);
        if at > rows.last().map(|r| r.0).unwrap_or(0) && at < t.mitigate {
            rows.push((at, step, oncall.clone()));
        }
    }
    rows.push((
        t.mitigate,
        "Error rates back to baseline; mitigated".to_string(),
        oncall.clone(),
    ));
    if t.resolve > t.mitigate {
        let watch = t.mitigate + (t.resolve - t.mitigate) / 2;
        if watch > t.mitigate && watch < t.resolve {
            rows.push((
                watch,
                "Monitoring for recurrence".to_string(),
                oncall.clone(),
            ));
        }
        rows.push((t.resolve, "Incident declared resolved".to_string(), oncall));
    }
    rows
}

/// A paragraph about the affected service: the context a reader from another team needs.
fn background(doc: &Doc) -> String {
    let p = doc.plan;
    let team = SERVICES[p.services[0]].1;
    let mut rng = Rng::new(p.seed ^ 0xB4C6);
    let replicas = rng.range(3, 48);
    let rps = rng.range(2, 90) * 100;
    let kind = rng.pick(&[
        "a stateless HTTP service",
        "a gRPC service",
        "a queue consumer with an HTTP API",
        "a service backed by its own Postgres cluster",
    ]);
    format!(
        "{svc} is {kind} owned by the {team} team. It runs as {replicas} replicas across three zones and handles about {rps} requests per second at peak. \
         It depends on {dep} for part of its work and is itself called by several customer-facing services. Its service level objective is 99.9% of requests \
         succeeding within 500 ms over 28 days, and it has a primary and a secondary on-call rotation in the {team} team.",
        svc = doc.svc,
        dep = doc.dep
    )
}

/// The investigation told as prose, built from this document's own symptom, whys and fix.
fn investigation(doc: &Doc) -> String {
    let t = &doc.t;
    let mut text = format!(
        "The on-call engineer started from the alert at {} and confirmed the symptom: {}. The first hypothesis, a problem in {}, was ruled out by comparing its dashboards with the previous day. \
         By {} the responders had narrowed the problem down. {}. {}. ",
        hm(t.ack),
        doc.symptom,
        doc.dep,
        hm(t.ack + (t.mitigate - t.ack) * 2 / 3),
        capitalise(&doc.whys[1].1),
        capitalise(&doc.whys[2].1)
    );
    if let Some(second) = &doc.second_mechanism {
        let _ = write!(
            text,
            "At the same time it became clear that {second}, which made the impact worse. "
        );
    }
    let _ = write!(
        text,
        "Once the picture was clear, the team {} and watched the error rate until {}.",
        doc.fix,
        hm(t.mitigate)
    );
    text
}

fn render_template_body(out: &mut String, doc: &Doc) {
    let p = doc.plan;
    let t = &doc.t;
    let _ = writeln!(out, "# Post-Mortem: {}\n", p.title);
    let _ = writeln!(out, "**Date of Incident**: {}", date_str(p.day));
    let _ = writeln!(out, "**Date of Post-Mortem**: {}", date_str(p.day + 3));
    let _ = writeln!(out, "**Author**: {}", doc.author);
    let _ = writeln!(out, "**Reviewers**: {}", doc.reviewers.join(", "));
    let _ = writeln!(out, "**Severity**: {}\n\n---\n", p.severity);
    out.push_str("## Executive Summary\n\n");
    let _ = writeln!(
        out,
        "**What Happened**: On {}, {} for {}. {}\n",
        date_str(p.day),
        doc.symptom,
        duration_words(t.mitigate - t.start),
        doc.noise[0]
    );
    let _ = writeln!(
        out,
        "**Impact**: About {} users were affected between {} and {} UTC.\n",
        doc.users,
        hm(t.start),
        hm(t.mitigate)
    );
    let _ = writeln!(out, "**Root Cause**: {}.\n", capitalise(&doc.mechanism));
    let _ = writeln!(out, "**Resolution**: The team {}.\n\n---\n", doc.fix);
    let _ = writeln!(out, "## Background\n\n{}\n\n---\n", background(doc));
    out.push_str("## Incident Details\n\n### Timeline\n\n| Time (UTC) | Event | Actor |\n|------------|-------|-------|\n");
    for (at, event, actor) in timeline(doc) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            hm(at),
            event.replace('|', "/"),
            actor
        );
    }
    let _ = writeln!(
        out,
        "\n**Total Duration**: {} (impact) + {} (full resolution)\n\n---\n",
        duration_words(t.mitigate - t.start),
        duration_words(t.resolve - t.mitigate)
    );
    let _ = writeln!(out, "### Investigation\n\n{}\n", investigation(doc));
    out.push_str("### Impact\n\n**Users Affected**:\n");
    let _ = writeln!(
        out,
        "- **Count**: ~{} users\n- **Duration**: {}\n",
        doc.users,
        duration_words(t.mitigate - t.start)
    );
    out.push_str("**Services Affected**:\n");
    for &s in &p.services {
        let _ = writeln!(out, "- ✅ {} (degraded)", SERVICES[s].0);
    }
    let _ = writeln!(out, "- ❌ {} (not affected)\n", doc.dep);
    let minutes = t.mitigate - t.start;
    let _ = writeln!(
        out,
        "**Business Impact**:\n- **Revenue Lost**: ${} (estimated from {} of degraded service)\n- **SLA Breach**: {}\n- **Customer Complaints**: {} support tickets\n- **Reputation**: {}\n",
        doc.users / 10 * minutes / 4 + 500,
        duration_words(minutes),
        if minutes > 43 {
            "Yes - monthly budget of 43.2 minutes for 99.9% exceeded"
        } else {
            "No - within the monthly error budget"
        },
        doc.users / 200 + 3,
        if p.severity == "SEV1" {
            "Noticeable; covered on social media"
        } else {
            "Minor"
        }
    );
    let _ = writeln!(out, "{}\n\n---\n", doc.noise[9]);
    out.push_str("## Root Cause Analysis\n\n### The Five Whys\n\n");
    for (i, (q, a)) in doc.whys.iter().enumerate() {
        let _ = writeln!(out, "**{}. {}**\n→ {}\n", i + 1, q, a);
    }
    let _ = writeln!(
        out,
        "**Root Cause**: {}.\n\n---\n",
        capitalise(&doc.mechanism)
    );
    out.push_str("### Contributing Factors\n\n**Technical Factors**:\n");
    let _ = writeln!(out, "1. {}", capitalise(&doc.symptom));
    if let Some(second) = &doc.second_mechanism {
        let _ = writeln!(out, "2. {}", capitalise(second));
    }
    let _ = writeln!(
        out,
        "\n**Process Factors**:\n1. {}\n2. {}\n",
        doc.whys[3].1, doc.whys[4].1
    );
    out.push_str("---\n\n## Detection and Response\n\n### Detection\n\n**How Detected**: Automated monitoring alert\n\n");
    let _ = writeln!(
        out,
        "**Alert**: \"{} error ratio above threshold\"",
        doc.svc
    );
    let _ = writeln!(
        out,
        "- **Trigger**: error ratio on {} above 5% for 2 minutes",
        doc.svc
    );
    let _ = writeln!(
        out,
        "- **Alert latency**: {} after the first errors\n",
        duration_words(t.detect - t.start)
    );
    out.push_str("**Detection Quality**:\n");
    if t.detect - t.start <= 5 {
        out.push_str("- ✅ **Good**: the alert fired within minutes of the first errors\n");
    } else {
        out.push_str("- ❌ **To Improve**: the alert fired long after users were affected\n");
    }
    let _ = writeln!(
        out,
        "- ❌ **To Improve**: no earlier signal for this failure mode ({})\n",
        doc.whys[4].1.to_lowercase()
    );
    let _ = writeln!(out, "{}\n", doc.noise[1]);
    out.push_str("### Response\n\n**Response Timeline**:\n");
    let _ = writeln!(
        out,
        "- **Time to acknowledge**: {}",
        duration_words(t.ack - t.detect)
    );
    let _ = writeln!(
        out,
        "- **Time to mitigate**: {}",
        duration_words(t.mitigate - t.start)
    );
    let _ = writeln!(
        out,
        "- **Time to resolve**: {}\n",
        duration_words(t.resolve - t.start)
    );
    out.push_str("**What Worked Well**:\n- ✅ Clear escalation path; the on-call engineer responded quickly\n- ✅ Updates in the incident channel at a steady cadence\n\n");
    let _ = writeln!(
        out,
        "**What Could Be Improved**:\n- ❌ No runbook for this scenario\n- ❌ {}\n",
        doc.whys[3].1
    );
    let _ = writeln!(out, "{}\n\n{}\n\n---\n", doc.noise[2], doc.noise[3]);
    out.push_str("## Resolution\n\n### Short-term Fix\n\n");
    let _ = writeln!(
        out,
        "**Immediate** (restore service): the team {}. Error rates were back to baseline at {} UTC.\n",
        doc.fix,
        hm(t.mitigate)
    );
    let _ = writeln!(
        out,
        "**Short-term** (prevent immediate recurrence): {}. {}\n",
        doc.actions[0].text, doc.noise[5]
    );
    out.push_str("### Long-term Prevention\n\n**Action Items** (with owners and deadlines):\n\n");
    out.push_str("### Action Items\n\n| # | Action | Priority | Owner | Due Date | Status |\n|---|--------|----------|-------|----------|--------|\n");
    for (i, a) in doc.actions.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            a.text,
            a.priority,
            a.owner,
            date_str(a.due),
            status_cell(a.status)
        );
    }
    out.push_str("\n---\n\n## Lessons Learned\n\n### What Went Well\n\n");
    let _ = writeln!(
        out,
        "1. **Response was organised**\n   - {}\n",
        doc.noise[4]
    );
    out.push_str("### What Went Wrong\n\n");
    let _ = writeln!(
        out,
        "1. **{}**\n   - {}\n",
        capitalise(&doc.whys[2].1),
        doc.whys[3].1
    );
    let _ = writeln!(out, "2. **Detection**\n   - {}\n", doc.whys[4].1);
    out.push_str("### Preventable?\n\n");
    let _ = writeln!(
        out,
        "**{}** - {}.\n\n---\n",
        if doc.plan.seed.is_multiple_of(3) {
            "PARTLY"
        } else {
            "YES"
        },
        capitalise(&doc.whys[4].1.to_lowercase())
    );
    out.push_str("## Prevention Strategies\n\n### Technical Improvements\n\n");
    for a in &doc.actions {
        let _ = writeln!(
            out,
            "- {} {}",
            if a.status == "done" { "✅" } else { "⏳" },
            a.text
        );
    }
    let _ = writeln!(
        out,
        "\n### Process Improvements\n\n{}\n\n{}\n\n---\n",
        doc.noise[6], doc.noise[7]
    );
    out.push_str("## Recommendations\n\n");
    for a in &doc.actions {
        let _ = writeln!(
            out,
            "- [{}] {}",
            if a.status == "done" { "x" } else { " " },
            a.text
        );
    }
    let _ = writeln!(out, "\n---\n\n## Supporting Information\n\n### Metrics\n");
    let _ = writeln!(
        out,
        "**Availability**:\n- Monthly uptime target: 99.9% (43.2 min downtime allowed)\n- This incident: {} of degraded service\n\n**MTTR**:\n- This incident: {}\n- Team median over the last quarter: {}\n",
        duration_words(minutes),
        duration_words(t.resolve - t.start),
        duration_words(30 + (p.seed % 90) as i64)
    );
    let _ = writeln!(
        out,
        "### Related Documentation\n\n- Runbook index for {} (internal wiki)\n- Service overview and dependency map for {} and {}\n- Incident response process\n",
        doc.svc, doc.svc, doc.dep
    );
    let _ = writeln!(
        out,
        "### Communication\n\n{}\n\n{}\n\n{}\n",
        doc.noise[10], doc.noise[11], doc.noise[12]
    );
    let _ = writeln!(
        out,
        "### Cultural Improvements\n\n{}\n\n{}\n",
        doc.noise[13], doc.noise[14]
    );
    let _ = writeln!(out, "---\n\n## Acknowledgments\n\n{}\n", doc.noise[8]);
    let _ = writeln!(
        out,
        "## Sign-off\n\n- [x] Author: {} - {}\n- [x] Reviewer: {} - {}\n- [x] Reviewer: {} - {}\n",
        doc.author,
        date_str(p.day + 3),
        doc.reviewers[0],
        date_str(p.day + 4),
        doc.reviewers[1],
        date_str(p.day + 5)
    );
    if let Some((date, title, _)) = &doc.related {
        out.push_str("---\n\n## Supporting Information\n\n### Related Incidents\n\n");
        let _ = writeln!(
            out,
            "- **{date}**: {title}\n  - Same root cause; this is a repeat\n"
        );
    }
}

fn render_sections_body(out: &mut String, doc: &Doc) {
    let t = &doc.t;
    let _ = writeln!(
        out,
        "## Summary\n\n{} for {}. {}\n",
        capitalise(&doc.symptom),
        duration_words(t.mitigate - t.start),
        doc.noise[0]
    );
    let _ = writeln!(out, "## Background\n\n{}\n", background(doc));
    let _ = writeln!(
        out,
        "## Impact\n\nAbout {} users were affected for {}, and support received {} tickets. {}\n",
        doc.users,
        duration_words(t.mitigate - t.start),
        doc.users / 200 + 3,
        doc.noise[1]
    );
    let _ = writeln!(out, "## Investigation\n\n{}\n", investigation(doc));
    out.push_str("## Timeline\n\n| Time (UTC) | Event | Actor |\n|------------|-------|-------|\n");
    for (at, event, actor) in timeline(doc) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            hm(at),
            event.replace('|', "/"),
            actor
        );
    }
    let _ = writeln!(out, "\n## Five whys\n");
    for (i, (q, a)) in doc.whys.iter().enumerate() {
        let _ = writeln!(out, "{}. {} {}.", i + 1, q, a);
    }
    let _ = writeln!(
        out,
        "\n## Root cause\n\n{}. {}.\n",
        capitalise(&doc.mechanism),
        doc.whys[2].1
    );
    if let Some(second) = &doc.second_mechanism {
        let _ = writeln!(out, "A second factor contributed: {second}.\n");
    }
    let _ = writeln!(out, "{}\n\n{}\n", doc.noise[2], doc.noise[3]);
    let _ = writeln!(
        out,
        "## Contributing factors\n\n- Technical: {}.\n- Technical: {}.\n- Process: {}.\n- Process: {}.\n\n{}\n",
        doc.symptom,
        doc.whys[1].1.to_lowercase(),
        doc.whys[3].1.to_lowercase(),
        doc.whys[4].1.to_lowercase(),
        doc.noise[13]
    );
    out.push_str("## Action items\n\n| Action | Owner | Due Date | Status |\n|--------|-------|----------|--------|\n");
    for a in &doc.actions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            a.text,
            a.owner,
            date_str(a.due),
            status_word(a.status)
        );
    }
    let _ = writeln!(out, "\n{}\n", doc.noise[4]);
    let _ = writeln!(
        out,
        "## Detection and response\n\nThe first alert fired {} after the problem began and was acknowledged {} later. {} {}\n",
        duration_words(t.detect - t.start),
        duration_words(t.ack - t.detect),
        doc.noise[5],
        doc.noise[6]
    );
    let _ = writeln!(
        out,
        "## Lessons\n\n- {}\n- {}\n\n{}\n",
        capitalise(&doc.whys[3].1),
        doc.whys[4].1,
        doc.noise[7]
    );
    let _ = writeln!(
        out,
        "## Communication and follow-up\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n",
        doc.noise[8],
        doc.noise[9],
        doc.noise[10],
        doc.noise[11],
        doc.noise[12],
        doc.noise[14],
        doc.noise[15]
    );
    if let Some((date, title, _)) = &doc.related {
        let _ = writeln!(out, "## Related Incidents\n\n- **{date}**: {title}\n");
    }
}

fn render_google_body(out: &mut String, doc: &Doc) {
    let p = doc.plan;
    let t = &doc.t;
    let _ = writeln!(
        out,
        "# {} (incident #{})\n",
        p.title,
        1000 + (p.seed % 9000)
    );
    let _ = writeln!(
        out,
        "### Date\n{}\n\n### Authors\n{}\n\n### Status\nComplete, action items in progress\n",
        date_str(p.day),
        doc.author
    );
    let _ = writeln!(
        out,
        "### Summary\n{} for {}.\n",
        capitalise(&doc.symptom),
        duration_words(t.mitigate - t.start)
    );
    let _ = writeln!(
        out,
        "### Impact\nAbout {} users were affected for {}; support received {} tickets. {}\n\n{}\n",
        doc.users,
        duration_words(t.mitigate - t.start),
        doc.users / 200 + 3,
        doc.noise[0],
        background(doc)
    );
    let _ = writeln!(
        out,
        "### Root Causes\n{}. {}.",
        capitalise(&doc.mechanism),
        doc.whys[3].1
    );
    if let Some(second) = &doc.second_mechanism {
        let _ = writeln!(out, "In addition, {second}.");
    }
    let _ = writeln!(
        out,
        "\nContributing factors: {}; {}; {}.\n",
        doc.whys[2].1.to_lowercase(),
        doc.whys[4].1.to_lowercase(),
        doc.symptom
    );
    let _ = writeln!(out, "### Trigger\n{}.\n", capitalise(&doc.whys[1].1));
    let _ = writeln!(
        out,
        "### Resolution\nThe team {}.\n\n{}\n",
        doc.fix,
        investigation(doc)
    );
    let _ = writeln!(
        out,
        "### Detection\nAn automated alert fired {} after the start. {}\n",
        duration_words(t.detect - t.start),
        doc.noise[1]
    );
    out.push_str("## Action Items\n\n| Action Item | Type | Owner | Due Date | Status |\n|-------------|------|-------|----------|--------|\n");
    for (i, a) in doc.actions.iter().enumerate() {
        let kind = ["prevent", "mitigate", "detect", "process"][i % 4];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            a.text,
            kind,
            a.owner,
            date_str(a.due),
            status_word(a.status).to_lowercase()
        );
    }
    let _ = writeln!(
        out,
        "\n## Lessons Learned\n\n### What went well\n- {}\n\n### What went wrong\n- {}\n\n### Where we got lucky\n- {}\n",
        doc.noise[2],
        capitalise(&doc.whys[2].1),
        doc.noise[3]
    );
    let _ = writeln!(out, "## Timeline\n\n{} (all times UTC)\n", date_str(p.day));
    for (at, event, _) in timeline(doc) {
        let _ = writeln!(out, "- {} {}", hm(at), event);
    }
    let _ = writeln!(
        out,
        "\n## Supporting information\n\n{}\n\n{}\n\n{}\n\n{}\n",
        doc.noise[4], doc.noise[5], doc.noise[6], doc.noise[7]
    );
    let _ = writeln!(
        out,
        "### Communication\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n",
        doc.noise[8], doc.noise[9], doc.noise[10], doc.noise[11], doc.noise[12], doc.noise[13]
    );
    let _ = writeln!(out, "{}\n\n{}\n", doc.noise[14], doc.noise[15]);
    if let Some((date, title, _)) = &doc.related {
        let _ = writeln!(out, "## Related Incidents\n\n- **{date}**: {title}\n");
    }
}

fn render_prose_body(out: &mut String, doc: &Doc) {
    let t = &doc.t;
    let _ = writeln!(
        out,
        "## Summary\n\nOn {}, between {} and {} UTC, {}. We are sorry for the disruption this caused.\n",
        date_str(doc.plan.day),
        hm(t.start),
        hm(t.mitigate),
        doc.symptom
    );
    let _ = writeln!(
        out,
        "## Details\n\nThe problem began at {}. Our monitoring alerted the on-call engineer at {}, who started investigating at {}. {} The team found that {}.",
        hm(t.start),
        hm(t.detect),
        hm(t.ack),
        doc.noise[0],
        doc.mechanism
    );
    if let Some(second) = &doc.second_mechanism {
        let _ = write!(out, " A second problem made things worse: {second}.");
    }
    let _ = writeln!(
        out,
        "\n\nTo restore service, the team {}. Service was back to normal at {}, and we confirmed the fix held by {}. About {} customers were affected.\n",
        doc.fix,
        hm(t.mitigate),
        hm(t.resolve),
        doc.users
    );
    let changes: Vec<String> = doc
        .actions
        .iter()
        .take(3)
        .map(|a| a.text.to_lowercase())
        .collect();
    let _ = writeln!(
        out,
        "What we are changing: {}. {}\n\n{}\n\n{}\n\n{}\n\n{}",
        changes.join("; "),
        doc.noise[1],
        doc.noise[2],
        doc.noise[3],
        doc.noise[4],
        doc.noise[5]
    );
    let _ = writeln!(
        out,
        "\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}",
        doc.noise[6], doc.noise[7], doc.noise[8], doc.noise[9], doc.noise[10], doc.noise[11]
    );
}

/// Render one post-mortem to Markdown.
pub fn render(plan: &Plan, plans: &[Plan], hide_causes: bool) -> String {
    let doc = prepare(plan, plans);
    let mut out = String::with_capacity(12 * 1024);
    match plan.style {
        Style::Template => render_template_body(&mut out, &doc),
        Style::FrontMatterTemplate => {
            front_matter(&mut out, &doc, hide_causes, true);
            render_template_body(&mut out, &doc);
        }
        Style::FrontMatterSections => {
            front_matter(&mut out, &doc, hide_causes, true);
            render_sections_body(&mut out, &doc);
        }
        Style::GoogleSre => {
            front_matter(&mut out, &doc, hide_causes, true);
            render_google_body(&mut out, &doc);
        }
        Style::FreeProse => {
            front_matter(&mut out, &doc, hide_causes, false);
            render_prose_body(&mut out, &doc);
        }
    }
    out
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub files: usize,
    pub bytes: u64,
}

/// JSON of the true labels: `{"<id>": {"causes": [...], "services": [...], "title": ...}}`.
pub fn truth_json(plans: &[Plan]) -> String {
    let mut map = BTreeMap::new();
    for p in plans {
        let causes: Vec<&str> = p.causes.iter().map(|&c| CAUSES[c].slug).collect();
        let services: Vec<&str> = p.services.iter().map(|&s| SERVICES[s].0).collect();
        map.insert(
            p.id.clone(),
            serde_json::json!({"causes": causes, "services": services, "title": p.title}),
        );
    }
    serde_json::to_string_pretty(&map).expect("plain JSON values serialise")
}

pub fn site_toml(seed: u64) -> String {
    format!(
        "title = \"Generated post-mortems (seed {seed})\"\n\
         description = \"A synthetic archive written by examples/gen_corpus.rs for benchmarks and evaluation.\"\n\
         content_dir = \"content\"\noutput_dir = \"public\"\n"
    )
}

/// Write the corpus: DIR/site.toml and DIR/content/YYYY/<id>.md, plus the truth file.
pub fn generate(opts: &Options) -> std::io::Result<Summary> {
    let plans = plan(opts.count, opts.seed);
    std::fs::create_dir_all(opts.out.join("content"))?;
    std::fs::write(opts.out.join("site.toml"), site_toml(opts.seed))?;
    let mut bytes = 0u64;
    let mut years = BTreeSet::new();
    for (index, p) in plans.iter().enumerate() {
        let year = &p.id[..4];
        let dir = opts.out.join("content").join(year);
        if years.insert(year.to_string()) {
            std::fs::create_dir_all(&dir)?;
        }
        let mut text = render(p, &plans, opts.hide_causes);
        text.push_str(&unresolved_refs(opts, &plans, index));
        bytes += text.len() as u64;
        std::fs::write(dir.join(format!("{}.md", p.id)), text)?;
    }
    if let Some(truth) = &opts.truth {
        if let Some(parent) = truth.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(truth, truth_json(&plans))?;
    }
    Ok(Summary {
        files: plans.len(),
        bytes,
    })
}

/// The made-up references of `--unresolved` that fall to plan `p`: a Related Incidents
/// list of dated references whose titles mix words of real titles, so each one needs a
/// closest-match hint.
fn unresolved_refs(opts: &Options, plans: &[Plan], index: usize) -> String {
    let count = plans.len().max(1);
    let mine = opts.unresolved / count + usize::from(index < opts.unresolved % count);
    if mine == 0 {
        return String::new();
    }
    let mut rng = Rng::new(opts.seed ^ (index as u64).wrapping_mul(0x5851_F42D_4C95_7F2D));
    let mut out = String::from("\n## Related Incidents\n\n");
    for _ in 0..mine {
        let a = &plans[rng.below(count)];
        let b = &plans[rng.below(count)];
        let words: Vec<&str> =
            a.id.split('-')
                .skip(3)
                .chain(b.id.split('-').skip(3))
                .filter(|w| w.len() > 2)
                .collect();
        let title = if words.is_empty() {
            "unrelated outage".to_string()
        } else {
            words.join(" ")
        };
        let year = 1990 + rng.below(9);
        let _ = writeln!(
            out,
            "- **{year}-0{}-1{}**: {title} (made up)",
            1 + rng.below(9),
            rng.below(9)
        );
    }
    out
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    match generate(&opts) {
        Ok(summary) => {
            println!(
                "wrote {} post-mortems ({} bytes) to {}",
                summary.files,
                summary.bytes,
                Path::new(&opts.out).display()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
