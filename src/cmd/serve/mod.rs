//! `hindsight serve [--watch]`: a local preview of the site, with live reload.
//!
//! The site is parsed and analysed once with the same stages as `build` and kept in
//! memory (nothing is written to disk); pages are rendered on request from the same
//! render plan and kept until the next change (`live`). With `--watch`, a watcher
//! thread turns file events into incremental rebuilds (`rebuild`) and tells browsers to
//! reload over server-sent events (`reload`); the whole-archive analysis then catches up
//! on its own thread (`analyst`). Content, config or template errors never stop the
//! server: the last good version stays up, with an overlay listing the errors
//! (`overlay`).
//!
//! Threads: a few workers answer page requests (`http`); each event stream has its own
//! thread; one thread watches and rebuilds; one analyses; the main thread waits for
//! Ctrl-C (SIGINT or SIGTERM) and then stops the others.

pub(crate) mod analyst;

pub(crate) mod http;
pub(crate) mod live;
pub(crate) mod overlay;
pub(crate) mod rebuild;
pub(crate) mod reload;
pub(crate) mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::Instant;

use super::{Failure, report as print_diagnostics};
use crate::diagnostics::{Diagnostics, Level};
use crate::site::Site;
use crate::words::s;
use analyst::Analyst;
use live::Live;
use rebuild::{Analysis, Builder, Outcome, Problem};
use watch::Changes;

/// Threads answering page requests (event streams get their own).
const WORKERS: usize = 4;

/// Flags of `hindsight serve`.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) watch: bool,
    pub(crate) port: u16,
    pub(crate) bind: IpAddr,
    pub(crate) open: bool,
}

/// State shared by the HTTP threads, the watcher and the analysis thread.
pub(crate) struct Shared {
    pub(crate) live: Arc<Live>,
    pub(crate) reload: reload::Broadcaster,
}

/// Run `hindsight serve` until Ctrl-C.
pub(crate) fn run(mut site: Site, options: Options) -> Result<(), Failure> {
    // Absolute, so that watcher paths and site paths compare equal.
    site.root = site
        .root
        .canonicalize()
        .map_err(|e| Failure::Usage(format!("site folder {}: {e}", site.root.display())))?;
    super::require_content(&site)?;

    let started = Instant::now();
    let live = Arc::new(Live::new(site.clone()));
    let analyst = Arc::new(Analyst::new(Arc::clone(&live)));
    let (jobs_tx, jobs_rx) = mpsc::channel();
    let mut builder = Builder::new(
        site,
        Arc::clone(&live),
        Arc::clone(&analyst),
        Analysis::Background(jobs_tx),
    );
    let outcome = builder.rebuild_all();
    report(&outcome);
    eprintln!(
        "loaded {} post-mortems in {:.2?}; pages are rendered when asked for{}",
        builder.source_count(),
        started.elapsed(),
        if builder.problem().is_some() {
            "; errors are shown on every page until fixed"
        } else {
            ""
        }
    );
    let shared = Arc::new(Shared {
        live,
        reload: reload::Broadcaster::new(),
    });
    {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("hindsight-analyse".into())
            .spawn(move || {
                analyst.work(jobs_rx, |applied| {
                    let browsers = shared.reload.notify(applied.generation);
                    eprintln!(
                        "analysis caught up: related incidents, repeats or suggestions of {} incident{} changed; reload sent to {browsers} browser{} ({:.1} ms)",
                        applied.incidents,
                        s(applied.incidents),
                        s(browsers),
                        applied.elapsed.as_secs_f64() * 1000.0
                    );
                })
            })
            .map_err(anyhow::Error::from)?;
    }

    let requested = SocketAddr::new(options.bind, options.port);
    let server = tiny_http::Server::http(requested)
        .map_err(|e| Failure::Usage(format!("cannot listen on {requested}: {e}")))?;
    let address = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Failure::Usage(format!("cannot listen on {requested}")))?;
    let server = Arc::new(server);
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| {
            let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
            std::thread::Builder::new()
                .name(format!("hindsight-http-{n}"))
                .spawn(move || {
                    // `recv` fails only once `unblock` is called at shutdown.
                    while let Ok(request) = server.recv() {
                        http::handle(request, &shared);
                    }
                })
                .map_err(anyhow::Error::from)
        })
        .collect::<Result<_, _>>()?;

    let (events_tx, events_rx) = mpsc::channel();
    let watcher = if options.watch {
        let mut watcher = watch::Watcher::new(events_tx.clone())?;
        let layout = watch::Layout::of(builder.site());
        watcher.sync(&layout)?;
        let shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("hindsight-watch".into())
            .spawn(move || watch_loop(builder, watcher, events_rx, &shared))
            .map_err(anyhow::Error::from)?;
        Some(thread)
    } else {
        None
    };

    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| anyhow::anyhow!("installing the Ctrl-C handler: {e}"))?;

    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, so anyone who can reach this machine can read the archive",
            address.ip()
        );
    }
    let url = format!("http://{address}/");
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "serving {url}");
        let _ = stdout.flush();
    }
    eprintln!(
        "{}; press Ctrl-C to stop",
        if options.watch {
            "watching for changes"
        } else {
            "not watching (add --watch to rebuild on changes)"
        }
    );
    if options.open {
        open_browser(&url);
    }

    let _ = stop_rx.recv();
    eprintln!("stopping");
    let _ = events_tx.send(watch::Message::Stop);
    shared.reload.close();
    for _ in &workers {
        server.unblock();
    }
    for worker in workers {
        let _ = worker.join();
    }
    if let Some(thread) = watcher {
        // A rebuild in progress finishes first; nothing is written, so this is only tidy.
        let _ = thread.join();
    }
    Ok(())
}

/// Rebuild on each batch of changes and tell the browsers.
fn watch_loop(
    mut builder: Builder,
    mut watcher: watch::Watcher,
    events: Receiver<watch::Message>,
    shared: &Shared,
) {
    let mut layout = watch::Layout::of(builder.site());
    let mut rescan_next = false;
    while let Some((first_event, mut changes)) = watch::next_batch(&events, &layout) {
        // After a crash the cache may be half-updated: re-read everything once.
        let after_crash = std::mem::take(&mut rescan_next);
        changes.rescan |= after_crash;
        let had_problem = builder.problem().is_some();
        // A bug in a later stage must not end live reload: report it on the pages and
        // start over from the disk on the next change.
        let applied =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.apply(&changes)));
        let outcome = match applied {
            Ok(outcome) => outcome,
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                eprintln!("error: the rebuild crashed: {message}");
                let overlay = Problem::Render(format!(
                    "the rebuild crashed (a bug in hindsight): {message}"
                ))
                .overlay();
                let (_, generation) = shared.live.update(|state| state.overlay = Some(overlay));
                shared.reload.notify(generation);
                rescan_next = true;
                continue;
            }
        };
        let new_layout = watch::Layout::of(builder.site());
        // Folders may have appeared (templates/) or moved (content_dir in site.toml).
        if let Err(e) = watcher.sync(&new_layout) {
            eprintln!("warning: {e:#}");
        }
        layout = new_layout;
        let what = describe(&changes, &layout);
        // After a crash the crash overlay is up: replace it whatever the rebuild found.
        if outcome.changed || after_crash {
            let generation = if after_crash {
                let overlay = builder.problem().map(Problem::overlay);
                shared.live.update(|state| state.overlay = overlay).1
            } else {
                shared.live.view().generation()
            };
            let browsers = shared.reload.notify(generation);
            let latency = first_event.elapsed();
            eprintln!(
                "{what}: {} re-parsed, {} removed; reload sent to {browsers} browser{} {:.1} ms after the first event (rebuild {:.1} ms: {})",
                outcome.reparsed,
                outcome.removed,
                s(browsers),
                latency.as_secs_f64() * 1000.0,
                outcome.timings.total().as_secs_f64() * 1000.0,
                outcome.timings
            );
            match builder.problem() {
                Some(problem) => report_problem(problem),
                None if had_problem => eprintln!("fixed: the site builds again"),
                None => {}
            }
        } else {
            eprintln!(
                "{what}: nothing changed (rebuild {:.1} ms)",
                outcome.timings.total().as_secs_f64() * 1000.0
            );
        }
    }
}

/// An error with its causes, one per line, for the terminal and the overlay.
pub(crate) fn error_text(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("\n  caused by: ")
}

/// The text a panic was raised with.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic")
}

fn describe(changes: &Changes, layout: &watch::Layout) -> String {
    let mut parts = Vec::new();
    if changes.rescan {
        parts.push("rescan".to_string());
    }
    if changes.config {
        parts.push("site.toml".to_string());
    }
    match changes.content.len() {
        0 => {}
        1 => parts.push(
            changes
                .content
                .iter()
                .next()
                .map(|p| {
                    p.strip_prefix(&layout.root)
                        .unwrap_or(p)
                        .display()
                        .to_string()
                })
                .unwrap_or_default(),
        ),
        n => parts.push(format!("{n} content paths")),
    }
    if changes.templates {
        parts.push("templates".into());
    }
    if changes.statics {
        parts.push("static files".into());
    }
    parts.join(", ")
}

fn report(outcome: &Outcome) {
    print_diagnostics(
        &Diagnostics {
            items: outcome.diagnostics.clone(),
        },
        false,
    );
}

fn report_problem(problem: &Problem) {
    match problem {
        Problem::Content(ds) => {
            let errors: Vec<_> = ds
                .iter()
                .filter(|d| d.level == Level::Error)
                .cloned()
                .collect();
            print_diagnostics(&Diagnostics { items: errors }, false);
            eprintln!("still serving the last good version, with the errors shown on every page");
        }
        Problem::Config(message) => {
            eprintln!("error: {message}\nstill serving with the previous site.toml")
        }
        Problem::Render(message) => {
            eprintln!("error: {message}\nstill serving the last good version")
        }
    }
}

/// Best effort: a missing browser opener is not worth failing the preview for.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        eprintln!("warning: could not open a browser ({e}); open {url} yourself");
    }
}
