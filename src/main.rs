use std::process::ExitCode;

// mimalloc instead of the system allocator: a build allocates millions of small strings
// on every thread, where glibc's per-thread arenas both cost time (about a sixth of a
// build's CPU at 10,000 post-mortems) and keep freed memory as resident.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    hindsight::cli::main()
}
