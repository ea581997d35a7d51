//! `summit completions SHELL`: a shell completion script (`clap_complete`).

use clap::builder::PossibleValuesParser;

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::error::Result;

/// The flags of `summit completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    shell: clap_complete::Shell,
}

/// `summit completions SHELL`: the script completing `command` (the whole command
/// line, from [`crate::cli::Cli`]): the names of steps, ledger states, IANA time zones
/// (`--tz`) and, with a configuration, its channels (`--channel`; read now: a channel
/// added or renamed later needs the script made again).
///
/// # Errors
/// When the script cannot be written. A configuration that cannot be read is a warning:
/// the script then completes no channel names.
pub fn run(
    session: &Session,
    args: Args,
    command: clap::Command,
    printer: &mut Printer,
) -> Result<()> {
    let channels = match &session.flags().config {
        None => Vec::new(),
        Some(_) => match session.config_file() {
            Ok(config) => config.channels.iter().map(|c| c.name.clone()).collect(),
            Err(e) => {
                printer.warn(&format!("no channel names to complete: {e}"));
                Vec::new()
            }
        },
    };
    let zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    let mut command = offer(command, "tz", &zones);
    if !channels.is_empty() {
        // Leaked: clap's names are static, and the process ends with the script.
        let names: Vec<&'static str> = channels
            .into_iter()
            .map(String::leak)
            .map(|n| &*n)
            .collect();
        command = offer(command, "channel", &names);
    }
    // Generated into memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "summit", &mut script);
    printer.raw(&script)
}

/// `command` with `values` offered for the flag `id` wherever it is, in `command` and
/// all its subcommands. Only for the script: the parser of the real command line (which
/// takes any case of a zone, and refuses with its own message) is left alone.
fn offer(mut command: clap::Command, id: &str, values: &[&'static str]) -> clap::Command {
    if command.get_arguments().any(|a| a.get_id() == id) {
        let parser = PossibleValuesParser::new(values.iter().copied());
        command = command.mut_arg(id, |a| a.value_parser(parser));
    }
    for sub in command.get_subcommands_mut() {
        *sub = offer(std::mem::take(sub), id, values);
    }
    command
}
