//! `summit completions SHELL`: a shell completion script (`clap_complete`).

use crate::cli::printer::Printer;
use crate::error::Result;

/// The flags of `summit completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    shell: clap_complete::Shell,
}

/// `summit completions SHELL`: the script completing `command` (the whole command
/// line, from [`crate::cli::Cli`]).
///
/// # Errors
/// When the script cannot be written.
pub fn run(args: Args, mut command: clap::Command, printer: &mut Printer) -> Result<()> {
    // Generated into memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "summit", &mut script);
    printer.raw(&script)
}
