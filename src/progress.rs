//! The progress line a person at a terminal sees while a long build runs: the stage,
//! how far it is and how fast it goes (`rendering  6,120/10,042 pages  2,310/s`).
//!
//! Stages report through one process-wide line, so the loops that do the work only say
//! `progress::stage(..)` and `inc(1)` instead of carrying a handle through every
//! function. Nothing is drawn unless the command turned the line on with [`enable`]
//! (`build` does when stderr is a terminal and `--quiet` is not given), and even then
//! only once the command has run for a second: quick builds print no flicker, and
//! output read by programs never holds control characters.

use std::sync::Mutex;
use std::time::Duration;

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
pub(crate) struct Stage(Option<ProgressBar>);

/// Start the stage `name`; `unit` names what is counted (`post-mortems`, `files`).
pub(crate) fn stage(name: &str, total: Option<usize>, unit: &str) -> Stage {
    let Some(bar) = current() else {
        return Stage(None);
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
    Stage(Some(bar))
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
