//! `normalog gen`: write generated records as NDJSON.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::output::OutputFile;
use super::{load_registry, messages, Fatal, EXIT_OK};
use normalog::gen::{GenError, GenOptions, GenSummary, Generator};
use normalog::Registry;

/// `normalog gen`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct GenArgs {
    /// Generate records of this log type. Repeatable: records of several types are mixed
    /// at random with equal shares. Default: every loaded log type.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Number of records.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 1000)]
    pub records: u64,

    /// Seed: the same seed, log types and options give the same output.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Share of records made invalid on purpose (missing required field, required number,
    /// boolean or timestamp given as "", bad timestamp, truncated JSON), from 0 to 1.
    #[arg(long, value_name = "R", default_value_t = 0.0)]
    pub invalid_rate: f64,

    /// Write to this file instead of standard output ('-' is standard output). The file
    /// appears only when complete.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Schema file or directory. Repeatable. Default: the built-in schemas.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Print a summary (records, invalid, bytes, per log type with how many are valid) to
    /// stderr.
    #[arg(long)]
    pub stats: bool,
}

/// What `gen` and `bench` both start from: the schemas, the log types asked for (every
/// loaded one by default) and a generator for them. Only an unknown log type's error lists
/// the loaded ones.
pub(super) fn generator(
    schemas: &[PathBuf],
    log_types: &[String],
    opts: &GenOptions,
) -> Result<(Registry, Vec<String>, Generator), Fatal> {
    let registry = load_registry(schemas)?;
    // By default every loaded JSON log type: the generator does not write text lines.
    let names: Vec<String> = if log_types.is_empty() {
        registry
            .plans()
            .iter()
            .filter(|p| !p.is_text())
            .map(|p| p.log_type().to_owned())
            .collect()
    } else {
        log_types.to_vec()
    };
    let generator = Generator::new(&registry, &names, opts).map_err(|e| match e {
        GenError::UnknownLogType(_) => {
            let known: Vec<&str> = registry.log_types().collect();
            Fatal::Message(format!("{e} (loaded log types: {})", known.join(", ")))
        }
        e => Fatal::Message(e.to_string()),
    })?;
    Ok((registry, names, generator))
}

pub(super) fn run(args: &GenArgs) -> Result<u8, Fatal> {
    let opts = GenOptions {
        seed: args.seed,
        invalid_rate: args.invalid_rate,
    };
    let (_, _, mut generator) = generator(&args.schemas, &args.log_types, &opts)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    let summary = match path {
        Some(p) => {
            let mut file = OutputFile::create(p)?;
            let s = write(&mut generator, args.records, file.file())?;
            file.commit()?;
            s
        }
        None => write(&mut generator, args.records, io::stdout().lock())?,
    };
    if args.stats {
        messages::plain(&format!(
            "generated {} records ({} invalid), {} bytes",
            summary.records, summary.invalid, summary.bytes
        ));
        let counts = summary.per_log_type.iter().zip(&summary.valid_per_log_type);
        for (name, (n, valid)) in generator.log_types().zip(counts) {
            messages::plain(&format!("  {name}: {n} ({valid} valid)"));
        }
    }
    Ok(EXIT_OK)
}

fn write(generator: &mut Generator, records: u64, out: impl Write) -> io::Result<GenSummary> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let summary = generator.write_to(records, &mut w)?;
    w.flush()?;
    Ok(summary)
}
