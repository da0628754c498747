use std::process::ExitCode;

// mimalloc instead of the system allocator: a build allocates millions of small strings
// on every thread, where glibc's per-thread arenas both cost time (about a sixth of a
// build's CPU at 10,000 post-mortems) and keep freed memory as resident.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
    hindsight::cli::main()
}

/// Turns transparent huge pages off for this process. mimalloc gives freed memory back
/// to the kernel and takes it again as a build moves from stage to stage; with huge
/// pages, each of those faults zeroes 2 MiB, and at 10,000 post-mortems that zeroing
/// was about 40% of a one-file rebuild's CPU samples (7 s of system time, against 2 s
/// without huge pages), for no gain in user time. Only the kernel's page size changes:
/// nothing the build computes or writes depends on it.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of
    // ours; a kernel without it returns an error, which leaves the default in place.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}
