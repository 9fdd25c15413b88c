//! The `normalog` command line. Everything the binary does lives here; `main.rs` only
//! calls [`run`]. This is the one module allowed to print.

pub mod args;
pub mod bench;
pub mod gen_cmd;
mod messages;
mod progress;
mod test_cmd;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::error::Error;
use crate::pipeline::{self, Batch, Input, Observer, Progress, Reject};
use crate::registry::Registry;
use crate::sink::layout::Partition;
use crate::sink::ndjson::{self, TimeLayout};
use crate::sink::ndjson_dir::NdjsonDirWriter;
use crate::sink::parquet::{self, ParquetWriter};
use crate::sink::Summary;
use crate::{NormalizerBuilder, SchemaErrors};
use args::{
    Cli, Command, CompressionArg, FormatArg, NormalizeArgs, PartitionArg, SchemaCommand,
    TimeFormatArg,
};

/// Exit status: every record normalized.
pub const EXIT_OK: u8 = 0;
/// Exit status: finished, some records rejected or inputs unreadable.
pub const EXIT_REJECTS: u8 = 1;
/// Exit status: fatal error.
pub const EXIT_FATAL: u8 = 2;

/// Parse the command line and run; returns the process exit status.
#[must_use]
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            let code = if e.use_stderr() { EXIT_FATAL } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Normalize(args) => normalize(&args),
        Command::Schema(cmd) => schema(&cmd),
        Command::Test(args) => test_cmd::run(&args),
        Command::Gen(args) => gen_cmd::run(&args),
        Command::Bench(args) => bench::run(&args),
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
    }
}

/// What ends a command with exit status 2 (or 0 for a closed pipe).
enum Fatal {
    BrokenPipe,
    Message(String),
    Schemas(SchemaErrors),
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Fatal {
        match e.into_kind() {
            crate::ErrorKind::Io(io) => Fatal::from(io),
            crate::ErrorKind::Schema(s) => Fatal::Schemas(s),
            kind => Fatal::Message(Error::new(kind).to_string()),
        }
    }
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

fn load_registry(paths: &[PathBuf]) -> Result<Registry, Fatal> {
    if paths.is_empty() {
        return Ok(Registry::builtin());
    }
    let mut registry = Registry::new();
    let mut errors = Vec::new();
    for p in paths {
        if let Err(e) = registry.add_path(p) {
            errors.extend(e.0);
        }
    }
    if errors.is_empty() {
        Ok(registry)
    } else {
        Err(Fatal::Schemas(SchemaErrors(errors)))
    }
}

fn normalize(args: &NormalizeArgs) -> Result<u8, Fatal> {
    let registry = load_registry(&args.schemas)?;
    let mut builder = NormalizerBuilder::new();
    builder
        .log_types(args.log_types.iter().cloned())
        .source_id(args.source_id.clone())
        .source_label(args.source_label.clone())
        .max_record_bytes(args.max_record_bytes);
    // Check the log types now, for a clear message; the workers build their own.
    builder.build(&registry).map_err(|e| {
        let known: Vec<&str> = registry.log_types().collect();
        Fatal::Message(format!("{e} (loaded log types: {})", known.join(", ")))
    })?;

    let inputs: Vec<Input> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        pipeline::expand(&args.inputs)
    };

    let opts = ndjson_options(args);
    let mut batch = Batch::new();
    batch
        .max_record_bytes(args.max_record_bytes)
        .max_document_bytes(args.max_document_bytes)
        .envelope(args.envelope.clone())
        .max_rejects(args.max_rejects);
    if let Some(n) = args.threads {
        if n == 0 {
            return Err(Fatal::Message("--threads must be at least 1".into()));
        }
        batch.threads(n);
    }
    let mut output = Output::open(args)?;
    let mut rejects = match &args.rejects {
        Some(p) if p.as_os_str() == "-" => {
            return Err(Fatal::Message(
                "--rejects needs a file: standard output carries the events".into(),
            ))
        }
        Some(p) => Some(OutputFile::create(p)?),
        None => None,
    };
    let mut observer = CliObserver {
        rejects: rejects.as_mut().map(|f| BufWriter::new(&mut f.file)),
        quiet: args.quiet,
        buf: Vec::new(),
        bar: progress::Bar::new(inputs.len(), args.quiet),
    };

    let started = Instant::now();
    let run = match &mut output {
        Output::Parquet(w) => batch.run_parquet(&builder, &registry, &inputs, w, &mut observer)?,
        Output::NdjsonDir(w) => {
            batch.run_ndjson_dir(&builder, &registry, &inputs, w, &mut observer)?
        }
        Output::Stdout(_) | Output::File(_) => {
            let mut writer = BufWriter::with_capacity(1 << 20, output.writer());
            let run = batch.run_ndjson(
                &builder,
                &registry,
                &inputs,
                &mut writer,
                opts,
                &mut observer,
            )?;
            writer.flush()?;
            run
        }
    };
    observer.bar.finish();
    if let Some(w) = observer.rejects.take() {
        w.into_inner().map_err(io::IntoInnerError::into_error)?;
    }
    drop(observer);
    // The rejects file is kept even when the run stops on --max-rejects: it says why.
    if let Some(r) = rejects {
        r.commit()?;
    }
    if args.stats {
        print_stats(
            &run.summary,
            run.failed_inputs,
            started.elapsed().as_secs_f64(),
        );
    }
    if run.too_many_rejects {
        // The output is incomplete: its temporary files are removed, not renamed. Standard
        // output cannot be taken back: say so.
        let what = if matches!(output, Output::Stdout(_)) {
            "the events written to standard output so far are incomplete"
        } else {
            "no output written"
        };
        drop(output);
        return Err(Fatal::Message(format!(
            "stopped: more than {} records rejected (--max-rejects); {what}",
            args.max_rejects.unwrap_or_default()
        )));
    }
    output.commit()?;
    Ok(if run.summary.rejected > 0 || run.failed_inputs > 0 {
        EXIT_REJECTS
    } else {
        EXIT_OK
    })
}

/// `1 input`, `2 inputs`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_stats(s: &Summary, failed_inputs: u64, secs: f64) {
    messages::plain(&format!(
        "records: {} in, {} normalized, {} rejected ({} skipped{})",
        s.records,
        s.normalized,
        s.rejected,
        count(s.blank_lines, "blank line", "blank lines"),
        if failed_inputs > 0 {
            format!(", {} failed", count(failed_inputs, "input", "inputs"))
        } else {
            String::new()
        }
    ));
    for (lt, n) in &s.by_log_type {
        messages::plain(&format!("  normalized {lt}: {n}"));
    }
    for (reason, n) in &s.rejects_by_reason {
        messages::plain(&format!("  rejected {reason}: {n}"));
    }
    #[allow(clippy::cast_precision_loss)]
    let (mb, recs) = (s.bytes as f64 / 1e6, s.records as f64);
    let secs = secs.max(1e-9);
    messages::plain(&format!(
        "bytes: {}, elapsed: {:.3} s, {:.1} MB/s, {:.0} records/s",
        s.bytes,
        secs,
        mb / secs,
        recs / secs
    ));
}

/// Reports rejects on stderr or into the rejects file.
struct CliObserver<'f> {
    rejects: Option<BufWriter<&'f mut File>>,
    quiet: bool,
    buf: Vec<u8>,
    bar: progress::Bar,
}

impl Observer for CliObserver<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            self.buf.clear();
            pipeline::rejects::write_reject(&mut self.buf, reject);
            w.write_all(&self.buf)?;
        } else if !self.quiet {
            let line = match reject.index {
                Some(i) => format!("{}: page element {i}: {}", reject.source, reject.error),
                None => format!("{}: {}", reject.source, reject.error),
            };
            self.bar.suspend(|| messages::error(&line));
        }
        Ok(())
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let line =
            format!("{source}: {err} (after {records} records; going on with the next input)");
        self.bar.suspend(|| messages::error(&line));
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

/// Standard output, a file written under a temporary name and renamed when complete, or a
/// directory layout (NDJSON or Parquet) whose files are renamed when complete.
enum Output {
    Stdout(io::Stdout),
    File(OutputFile),
    NdjsonDir(NdjsonDirWriter),
    Parquet(ParquetWriter),
}

/// An `-o` path names a directory layout when it is an existing directory or ends in '/'.
fn is_dir_path(p: &Path) -> bool {
    p.is_dir() || p.as_os_str().as_encoded_bytes().ends_with(b"/")
}

impl Output {
    fn open(args: &NormalizeArgs) -> Result<Output, Fatal> {
        let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
        let dir = match (args.format, path) {
            (FormatArg::Parquet, None) => {
                return Err(Fatal::Message(
                    "--format parquet writes a directory: give one with -o DIR".into(),
                ))
            }
            (FormatArg::Parquet, Some(p)) if p.is_file() => {
                return Err(Fatal::Message(format!(
                    "{}: --format parquet writes a directory, and this is a file",
                    p.display()
                )))
            }
            (FormatArg::Parquet, Some(p)) => Some(p),
            (FormatArg::Ndjson, Some(p)) if is_dir_path(p) => Some(p),
            (FormatArg::Ndjson, _) => None,
        };
        let Some(dir) = dir else {
            if args.partition.is_some() {
                return Err(Fatal::Message(
                    "--partition applies to a directory output: give -o DIR/ (an existing \
                     directory or a path ending in '/')"
                        .into(),
                ));
            }
            return Ok(match path {
                None => Output::Stdout(io::stdout()),
                Some(p) => Output::File(OutputFile::create(p)?),
            });
        };
        if args.max_open_files == 0 || args.row_group_rows == 0 {
            return Err(Fatal::Message(
                "--max-open-files and --row-group-rows must be at least 1".into(),
            ));
        }
        // Created now, so that an unusable output fails before any input is read.
        std::fs::create_dir_all(dir)
            .map_err(|e| Fatal::Message(format!("{}: {e}", dir.display())))?;
        let partition = match args.partition.unwrap_or(PartitionArg::Hour) {
            PartitionArg::None => Partition::None,
            PartitionArg::Day => Partition::Day,
            PartitionArg::Hour => Partition::Hour,
        };
        Ok(match args.format {
            FormatArg::Parquet => Output::Parquet(ParquetWriter::new(
                dir,
                parquet::Options {
                    partition,
                    compression: match args.compression {
                        CompressionArg::Zstd => parquet::Compression::Zstd,
                        CompressionArg::Snappy => parquet::Compression::Snappy,
                        CompressionArg::Gzip => parquet::Compression::Gzip,
                        CompressionArg::None => parquet::Compression::None,
                    },
                    row_group_rows: args.row_group_rows,
                    max_open_files: args.max_open_files,
                    ..parquet::Options::default()
                },
            )),
            FormatArg::Ndjson => Output::NdjsonDir(NdjsonDirWriter::new(
                dir,
                partition,
                args.max_open_files,
                ndjson_options(args),
            )),
        })
    }

    fn writer(&mut self) -> Box<dyn Write + '_> {
        match self {
            Output::Stdout(s) => Box::new(s.lock()),
            Output::File(f) => Box::new(&mut f.file),
            // Directory outputs are written by their own run; nothing goes through here.
            Output::NdjsonDir(_) | Output::Parquet(_) => Box::new(io::sink()),
        }
    }

    fn commit(self) -> Result<(), Fatal> {
        match self {
            Output::Stdout(s) => s.lock().flush()?,
            Output::File(f) => f.commit()?,
            Output::NdjsonDir(mut w) => w.commit()?,
            Output::Parquet(mut w) => w.commit()?,
        }
        Ok(())
    }
}

fn ndjson_options(args: &NormalizeArgs) -> ndjson::Options {
    ndjson::Options {
        time_layout: match args.time_format {
            TimeFormatArg::Rfc3339 => TimeLayout::Rfc3339,
            TimeFormatArg::Panther => TimeLayout::Panther,
        },
    }
}

/// The `-o FILE` output. A regular file (or a new path) is written as `.<name>.tmp-<pid>`
/// beside its destination and renamed into place by [`OutputFile::commit`]; dropped without
/// commit, the temporary file is removed. Anything else that exists (`/dev/null`, a FIFO, a
/// terminal) is opened and written in place: renaming over it would replace the device or
/// pipe with a plain file.
struct OutputFile {
    file: File,
    /// `(temporary, destination)` when the output is renamed into place at commit.
    rename: Option<(PathBuf, PathBuf)>,
}

impl OutputFile {
    fn create(dest: &Path) -> Result<OutputFile, Fatal> {
        let fail = |e: io::Error| Fatal::Message(format!("{}: {e}", dest.display()));
        match std::fs::metadata(dest) {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => {
                let file = File::options().write(true).open(dest).map_err(fail)?;
                return Ok(OutputFile { file, rename: None });
            }
            _ => {}
        }
        // A symbolic link to a regular file keeps being a link: the file it names is replaced.
        let dest = std::fs::canonicalize(dest).unwrap_or_else(|_| dest.to_path_buf());
        let name = dest
            .file_name()
            .ok_or_else(|| Fatal::Message(format!("{}: not a file name", dest.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = File::create(&tmp).map_err(fail)?;
        Ok(OutputFile {
            file,
            rename: Some((tmp, dest)),
        })
    }

    fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        if let Some((tmp, dest)) = self.rename.take() {
            std::fs::rename(&tmp, &dest).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
        }
        Ok(())
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn schema(cmd: &SchemaCommand) -> Result<u8, Fatal> {
    let mut stdout = io::stdout().lock();
    match cmd {
        SchemaCommand::List { schemas } => {
            let registry = load_registry(schemas)?;
            for plan in registry.plans() {
                let s = plan.schema();
                writeln!(
                    stdout,
                    "{}\t{} fields\t{}",
                    s.schema,
                    s.fields.len(),
                    s.origin.as_deref().unwrap_or("")
                )?;
            }
        }
        SchemaCommand::Check { paths } => {
            let registry = load_registry(paths)?;
            let names: Vec<&str> = registry.log_types().collect();
            writeln!(
                stdout,
                "ok: {} schema{} ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            )?;
        }
        SchemaCommand::JsonSchema => {
            let schema = schemars::schema_for!(crate::schema::Schema);
            let text =
                serde_json::to_string_pretty(&schema).map_err(|e| Fatal::Message(e.to_string()))?;
            writeln!(stdout, "{text}")?;
        }
    }
    stdout.flush()?;
    Ok(EXIT_OK)
}
