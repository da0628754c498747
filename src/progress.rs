//! The progress line a person at a terminal sees while a long build runs: the stage,
//! how far it is and how fast it goes (`rendering  6,120/10,042 pages  2,310/s`).
//!
//! Stages report through one process-wide line, so the loops that do the work only say
//! `progress::stage(..)` and `inc(1)` instead of carrying a handle through every
//! function. Nothing is drawn unless the command turned the line on with [`enable`]
//! (`build` does when stderr is a terminal and `--quiet` is not given), and even then
//! only once the command has run for a second: quick builds print no flicker, and
//! output read by programs never holds control characters.
//!
//! With `HINDSIGHT_TIMINGS` set in the environment, every stage also prints one line to
//! stderr when it ends: its wall time, the process's CPU time over it (all threads) and
//! the resident memory, now and at its peak so far (`timing: parsing 2.41 s wall,
//! 4.60 s CPU, RSS 512 MB, peak 530 MB`). That is how the figures of the README's
//! Performance section are split by stage; it reads `/proc` and says less elsewhere.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a command runs before the line appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

static LINE: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn current() -> Option<ProgressBar> {
    LINE.lock().ok().and_then(|line| line.clone())
}

/// Turn the progress line on until [`finish`]; it appears after [`SHOW_AFTER`].
pub(crate) fn enable() {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(mut line) = LINE.lock() {
        *line = Some(bar.clone());
    }
    std::thread::spawn(move || {
        std::thread::sleep(SHOW_AFTER);
        if !bar.is_finished() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    });
}

/// A stage of work, counted when `total` is known (a spinner otherwise).
pub(crate) struct Stage(Option<ProgressBar>, Option<Timing>);

/// When and at what CPU time a timed stage began.
struct Timing {
    name: String,
    started: Instant,
    cpu: f64,
}

/// Whether `HINDSIGHT_TIMINGS` asks for stage timings.
fn timings() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("HINDSIGHT_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// CPU time of the process so far (user + system, every thread), in seconds: 0 where
/// `/proc/self/stat` cannot be read.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // After the parenthesised command name, utime and stime are the 12th and 13th fields.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let ticks: f64 = rest
        .split_whitespace()
        .enumerate()
        .filter(|(i, _)| matches!(i, 11 | 12))
        .filter_map(|(_, f)| f.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// Resident memory now and at its peak, in MB, from `/proc/self/status`.
fn memory_mb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((kb("VmRSS:")? / 1024, kb("VmHWM:")? / 1024))
}

impl Drop for Stage {
    fn drop(&mut self) {
        let Some(t) = self.1.take() else { return };
        let wall = t.started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - t.cpu;
        let memory = memory_mb()
            .map(|(now, peak)| format!(", RSS {now} MB, peak {peak} MB"))
            .unwrap_or_default();
        eprintln!(
            "timing: {} {wall:.2} s wall, {cpu:.2} s CPU{memory}",
            t.name
        );
    }
}

/// Start the stage `name`; `unit` names what is counted (`post-mortems`, `files`).
pub(crate) fn stage(name: &str, total: Option<usize>, unit: &str) -> Stage {
    let timing = timings().then(|| Timing {
        name: name.to_string(),
        started: Instant::now(),
        cpu: cpu_seconds(),
    });
    let Some(bar) = current() else {
        return Stage(None, timing);
    };
    let template = match total {
        Some(_) => {
            format!("{{spinner}} {name:<10} {{human_pos}}/{{human_len}} {unit}  {{rate}}")
        }
        None => format!("{{spinner}} {name}… {{elapsed}}"),
    };
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        // A whole number a second: indicatif's own `per_sec` prints four decimals.
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        );
    bar.set_style(style);
    bar.set_length(total.unwrap_or(0) as u64);
    bar.set_position(0);
    bar.reset_eta();
    Stage(Some(bar), timing)
}

/// Time `name` (with `HINDSIGHT_TIMINGS`) without touching the progress line: for work
/// that runs beside a stage, like the CLI's search index beside rendering.
pub(crate) fn timed(name: &str) -> Stage {
    Stage(
        None,
        timings().then(|| Timing {
            name: name.to_string(),
            started: Instant::now(),
            cpu: cpu_seconds(),
        }),
    )
}

impl Stage {
    /// `n` more done.
    pub(crate) fn inc(&self, n: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(n as u64);
        }
    }
}

/// Clear the line and turn it off (before the command prints its report).
pub(crate) fn finish() {
    let bar = LINE.lock().ok().and_then(|mut line| line.take());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// Time spent per kind of work inside a parallel stage (with `HINDSIGHT_TIMINGS`):
/// each task adds its wall time under its kind, and the totals are printed, largest
/// first, when the tally is dropped. On 2 threads the sum is about the stage's CPU.
#[derive(Default)]
pub(crate) struct Tally(std::sync::Mutex<Vec<(&'static str, f64, usize)>>);

impl Tally {
    /// Time `f` under `kind`; only measured when timings are on.
    pub(crate) fn time<T>(&self, kind: &'static str, f: impl FnOnce() -> T) -> T {
        if !timings() {
            return f();
        }
        let started = Instant::now();
        let out = f();
        let secs = started.elapsed().as_secs_f64();
        if let Ok(mut kinds) = self.0.lock() {
            match kinds.iter_mut().find(|(k, ..)| *k == kind) {
                Some(entry) => {
                    entry.1 += secs;
                    entry.2 += 1;
                }
                None => kinds.push((kind, secs, 1)),
            }
        }
        out
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        let Ok(kinds) = self.0.get_mut() else { return };
        kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (kind, secs, n) in kinds.iter() {
            eprintln!("timing:   {kind}: {secs:.2} s in {n} task(s)");
        }
    }
}
