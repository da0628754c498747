use std::process::ExitCode;

fn main() -> ExitCode {
    hindsight::cli::main()
}
