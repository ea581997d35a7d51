use std::process::ExitCode;

/// Bounds the memory a mail template may use ([`summit::budget`]).
#[global_allocator]
static ALLOCATOR: summit::budget::Budgeted = summit::budget::Budgeted;

fn main() -> ExitCode {
    match summit::run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.rendered() {
                // clap's own rendering: `error:`, `Usage:` and the `--help` tip.
                Some(text) => eprint!("{text}"),
                None => {
                    for line in e.lines() {
                        eprintln!("error: {line}");
                    }
                }
            }
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
