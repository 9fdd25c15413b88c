//! The `normalog` command line. Everything the binary does lives here; `main.rs` only
//! calls [`run`]. This is the one module allowed to print.
//!
//! This file owns the dispatch to each command, the exit codes and [`Fatal`], the error
//! that ends a command; each command lives in its own file.

pub mod args;
pub mod bench;
mod compact_cmd;
mod compress;
mod file_stats;
pub mod gen_cmd;
mod messages;
mod normalize;
mod output;
mod progress;
#[cfg(feature = "pull")]
mod pull;
mod schema_cmd;
mod signals;
mod test_cmd;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use normalog::error::{Error, UnknownLogType};
use normalog::registry::Registry;
use normalog::SchemaErrors;

/// Exit status: every record normalized.
pub const EXIT_OK: u8 = 0;

/// Exit status: finished, some records rejected or inputs unreadable.
pub const EXIT_REJECTS: u8 = 1;

/// Exit status: fatal error.
pub const EXIT_FATAL: u8 = 2;

/// The command line as [`Cli`].
fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, clap::Error> {
    let matches = negative_numbers(Cli::command()).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// `cmd` whose options read a negative number as their value (`--max-rejects -1`), for
/// their own checks to refuse it ("must be at least 1"): clap reads it as another flag,
/// and its tip (`use '-- -1'`) does not work for an option (review s41-h4 M1).
fn negative_numbers(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|arg| {
        if !arg.is_positional() && arg.get_action().takes_values() {
            arg.allow_negative_numbers(true)
        } else {
            arg
        }
    })
    .mut_subcommands(negative_numbers)
}

/// Parse the command line and run; returns the process exit status.
#[must_use]
pub fn run() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::from(EXIT_OK);
            }
            // Prefixed as every other diagnostic (a script's log shows which tool spoke).
            messages::error(e.to_string().trim_end());
            return ExitCode::from(EXIT_FATAL);
        }
    };
    signals::survive_file_size_limit();
    // Only the commands that write files handle interrupts, to remove their temporary
    // files; the others keep the default (the process ends at once). `bench` removes the
    // directories of killed runs when it starts.
    let interrupt = match &cli.command {
        Command::Normalize(_) | Command::Pull(_) | Command::Compact(_) => true,
        Command::Gen(args) => gen_cmd::writes_a_file(args),
        _ => false,
    }
    .then(signals::Interrupt::install);
    let result = match cli.command {
        Command::Normalize(args) => normalize::run(&args, interrupt.as_ref()),
        Command::Schema(cmd) => schema_cmd::run(&cmd),
        Command::Test(args) => test_cmd::run(&args),
        Command::Gen(args) => gen_cmd::run(&args, interrupt.as_ref()),
        Command::Bench(args) => bench::run(&args),
        Command::Compact(args) => compact_cmd::run(&args, interrupt.as_ref()),
        #[cfg(feature = "pull")]
        Command::Pull(cmd) => return ExitCode::from(pull::run(&cmd, interrupt.as_ref())),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Fatal::BrokenPipe) => ExitCode::from(EXIT_OK),
        Err(Fatal::Message(m)) => {
            messages::error(&m);
            ExitCode::from(EXIT_FATAL)
        }
        Err(Fatal::Schemas(e)) => {
            for err in &e.0 {
                messages::error(&err.to_string());
            }
            ExitCode::from(EXIT_FATAL)
        }
        Err(Fatal::Interrupted(what)) => {
            let (signal, status) = interrupt
                .as_ref()
                .map_or(("a signal", 130), signals::Interrupt::status);
            messages::error(&format!("interrupted by {signal}: {what}"));
            ExitCode::from(status)
        }
    }
}

/// What ends a command with exit status 2 (or 0 for a closed pipe, or 128 + the signal's
/// number for an interrupt).
enum Fatal {
    BrokenPipe,
    Message(String),
    Schemas(SchemaErrors),
    /// Stopped by a signal; says what the output was left as.
    Interrupted(String),
}

/// What an interrupted run leaves, when it stopped before its commit.
const NOTHING_COMMITTED: &str = "stopped; no output committed, temporary files removed";

impl From<Error> for Fatal {
    fn from(e: Error) -> Fatal {
        // The message is taken first: the library keeps building an `Error` from a kind to
        // itself, and a fatal error is rendered once, so the spare string costs nothing.
        let message = e.to_string();
        match e.into_kind() {
            normalog::ErrorKind::Io(io) => Fatal::from(io),
            normalog::ErrorKind::Schema(s) => Fatal::Schemas(s),
            normalog::ErrorKind::Cancelled => Fatal::Interrupted(NOTHING_COMMITTED.into()),
            _ => Fatal::Message(message),
        }
    }
}

impl Fatal {
    /// The error of a write to `what` (a path, or [`STDOUT`]): a message says where; a
    /// closed pipe stays one.
    fn on(self, what: &dyn std::fmt::Display) -> Fatal {
        match self {
            Fatal::Message(m) => Fatal::Message(format!("{what}: {m}")),
            other => other,
        }
    }
}

/// How errors name standard output.
const STDOUT: &str = "standard output";

/// The error of a write to standard output: named as such (`standard output: No space left
/// on device`), a closed pipe staying one (review s41-h4 L4).
fn stdout_error(e: io::Error) -> Fatal {
    Fatal::from(e).on(&STDOUT)
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Fatal {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Fatal::BrokenPipe
        } else {
            Fatal::Message(e.to_string())
        }
    }
}

/// The error for a log type that no loaded schema defines: the library's message (the
/// loaded ones, and the one meant when one is close) and, when none is, a hint about this
/// command's flags: `--builtin` beside one's own schemas, or `-s` to load one's own.
fn unknown_log_type(error: &UnknownLogType, schemas_given: bool) -> Fatal {
    let name = error.name();
    let hint = if name.trim().is_empty() {
        // Not a log type of one's own to load (review s41-h4 L6).
        "; the name given is empty: give one of them".to_owned()
    } else if error.suggestion().is_some() {
        String::new()
    } else if schemas_given && Registry::builtin().get(name).is_some() {
        format!("; `{name}` is built in: add --builtin to load the built-in schemas beside yours")
    } else if schemas_given {
        String::new()
    } else {
        "; a log type of your own needs its schema: -s PATH".to_owned()
    };
    Fatal::Message(format!("{error}{hint}"))
}

/// The schemas of `paths`, and the built-in ones when `builtin` is set or no path is given.
fn load_registry(paths: &[PathBuf], builtin: bool) -> Result<Registry, Fatal> {
    if paths.is_empty() {
        return Ok(Registry::builtin());
    }
    let mut registry = if builtin {
        Registry::builtin()
    } else {
        Registry::new()
    };
    match registry.add_paths(paths) {
        Ok(()) => {
            print_warnings(&registry);
            Ok(registry)
        }
        Err(e) => Err(Fatal::Schemas(e)),
    }
}

/// Print the warnings of the loaded schemas (`normalog: warning: file:line:col: ...`): they
/// load, but part of them cannot work as written. The exit status does not change.
fn print_warnings(registry: &Registry) {
    for w in registry.warnings() {
        messages::error(&w.to_string());
    }
}
