//! `summit man [COMMAND]…`: the manual page (roff, `clap_mangen`) of `summit` or of one
//! of its commands, from the same definitions as `--help`.

use crate::cli::printer::Printer;
use crate::error::{Error, Result};

/// The flags of `summit man`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command whose page to print, e.g. `draft` or `ledger forget`; default: the
    /// page of `summit` itself, which lists the commands.
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
}

/// `summit man [COMMAND]…`: the page of `command` (the whole command line, from
/// [`crate::cli::Cli`]) or of the subcommand `args` names, in roff.
///
/// # Errors
/// [`Error::Usage`] for a command that does not exist; when the page cannot be written.
pub fn run(args: Args, command: clap::Command, printer: &mut Printer) -> Result<()> {
    // As clap_mangen's own `generate_to`: no page for `help`. Built, so that each
    // subcommand's page is titled `summit-draft` and its synopsis reads `summit draft`.
    let mut page = command.disable_help_subcommand(true);
    page.build();
    for name in &args.command {
        let names: Vec<String> = page
            .get_subcommands()
            .map(|c| format!("`{}`", c.get_name()))
            .collect();
        page = match page.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None if names.is_empty() => {
                return Err(Error::Usage(format!(
                    "`{}` has no command `{name}`",
                    page.get_display_name().unwrap_or(page.get_name())
                )));
            }
            None => {
                return Err(Error::Usage(format!(
                    "unknown command `{name}`, expected one of {}",
                    names.join(", ")
                )));
            }
        };
    }
    let mut roff = Vec::new();
    let source = format!("summit {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(page)
        .source(source)
        .render(&mut roff)
        .expect("writing into memory does not fail");
    printer.raw(&roff)
}
