//! `normalog schema`: list, check and describe schemas.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Subcommand;

use super::{load_registry, stdout_error, Fatal, EXIT_OK};

/// `normalog schema ...`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// List the loaded log types (built-in, or from the given schemas).
    List {
        /// Schema file or directory. Repeatable. Default: the built-in schemas.
        #[arg(short = 's', long = "schemas", value_name = "PATH")]
        schemas: Vec<PathBuf>,
        /// Schema files or directories (as -s).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// List the built-in schemas too, beside those given (as normalize --builtin).
        #[arg(long)]
        builtin: bool,
    },
    /// Load and compile schemas, reporting every problem with file:line:col. Without PATH,
    /// checks the built-in schemas. Exit status 0 when all are valid, 2 otherwise. Warnings
    /// (a schema that loads but cannot work as written) go to stderr and leave the status 0.
    Check {
        /// Schema files or directories.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Schema file or directory, the same as giving it as PATH (normalize's flag, accepted
        /// here too). Repeatable.
        #[arg(short = 's', long = "schemas", value_name = "PATH")]
        schemas: Vec<PathBuf>,
        /// Check the given schemas loaded beside the built-in ones (as normalize --builtin):
        /// a log type or table name defined by both is reported.
        #[arg(long)]
        builtin: bool,
    },
    /// Print a JSON Schema of the schema file format, for editors (e.g. the YAML language
    /// server's `# yaml-language-server: $schema=<file>` comment).
    JsonSchema,
}

pub(super) fn run(cmd: &SchemaCommand) -> Result<u8, Fatal> {
    let mut stdout = io::stdout().lock();
    match cmd {
        SchemaCommand::List {
            schemas,
            paths,
            builtin,
        } => {
            let registry = load_registry(&[&schemas[..], paths].concat(), *builtin)?;
            for plan in registry.plans() {
                let s = plan.schema();
                let n = s.fields.len();
                writeln!(
                    stdout,
                    "{}\t{n} {}\t{}",
                    s.schema,
                    if n == 1 { "field" } else { "fields" },
                    s.origin.as_deref().unwrap_or("")
                )
                .map_err(stdout_error)?;
            }
        }
        SchemaCommand::Check {
            paths,
            schemas,
            builtin,
        } => {
            let registry = load_registry(&[&paths[..], schemas].concat(), *builtin)?;
            let names: Vec<&str> = registry.log_types().collect();
            writeln!(
                stdout,
                "ok: {} schema{} ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            )
            .map_err(stdout_error)?;
        }
        SchemaCommand::JsonSchema => {
            let schema = schemars::schema_for!(normalog::schema::Schema);
            let text =
                serde_json::to_string_pretty(&schema).map_err(|e| Fatal::Message(e.to_string()))?;
            writeln!(stdout, "{text}").map_err(stdout_error)?;
        }
    }
    stdout.flush().map_err(stdout_error)?;
    Ok(EXIT_OK)
}
