//! The `normalog` command line. Everything the binary does lives here; `main.rs` only
//! calls [`run`]. This is the one module allowed to print.

pub mod args;
pub mod bench_cmd;
pub mod gen_cmd;
mod messages;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::error::Error;
use crate::pipeline::{self, Input, Observer};
use crate::registry::Registry;
use crate::sink::ndjson::{self, NdjsonWriter, TimeLayout};
use crate::sink::Summary;
use crate::{NormalizerBuilder, SchemaErrors};
use args::{Cli, Command, NormalizeArgs, SchemaCommand, TimeFormatArg};

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
        Command::Gen(args) => gen_cmd::run(&args),
        Command::Bench(args) => bench_cmd::run(&args),
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
    let mut normalizer = builder.build(&registry).map_err(|e| {
        let known: Vec<&str> = registry.log_types().collect();
        Fatal::Message(format!("{e} (loaded log types: {})", known.join(", ")))
    })?;

    let inputs: Vec<Input> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        args.inputs
            .iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    Input::Stdin
                } else {
                    Input::Path(p.clone())
                }
            })
            .collect()
    };

    let opts = ndjson::Options {
        time_layout: match args.time_format {
            TimeFormatArg::Rfc3339 => TimeLayout::Rfc3339,
            TimeFormatArg::Panther => TimeLayout::Panther,
        },
    };
    let mut output = Output::open(args.output.as_deref())?;
    let mut rejects = match &args.rejects {
        Some(p) => Some(AtomicFile::create(p)?),
        None => None,
    };
    let mut observer = CliObserver {
        rejects: rejects.as_mut().map(|f| BufWriter::new(&mut f.file)),
        quiet: args.quiet,
        buf: Vec::new(),
    };

    let started = Instant::now();
    let mut writer = NdjsonWriter::with_options(output.writer(), opts);
    let run = pipeline::run(
        &mut normalizer,
        &inputs,
        args.max_record_bytes,
        &mut writer,
        &mut observer,
    )?;
    drop(writer);
    if let Some(w) = observer.rejects.take() {
        w.into_inner().map_err(io::IntoInnerError::into_error)?;
    }
    drop(observer);
    output.commit()?;
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
    Ok(if run.summary.rejected > 0 || run.failed_inputs > 0 {
        EXIT_REJECTS
    } else {
        EXIT_OK
    })
}

fn print_stats(s: &Summary, failed_inputs: u64, secs: f64) {
    messages::plain(&format!(
        "records: {} in, {} normalized, {} rejected ({} blank lines skipped{})",
        s.records,
        s.normalized,
        s.rejected,
        s.blank_lines,
        if failed_inputs > 0 {
            format!(", {failed_inputs} inputs failed")
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
}

impl Observer for CliObserver<'_> {
    fn rejected(&mut self, source: &str, err: &Error, raw: &[u8]) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            let pos = err.position().copied().unwrap_or_default();
            self.buf.clear();
            self.buf.extend_from_slice(b"{\"source\":");
            ndjson::write_json_str(&mut self.buf, source);
            let _ = write!(
                self.buf,
                ",\"line\":{},\"byte\":{},\"log_type\":",
                pos.line, pos.byte
            );
            match err.log_type() {
                Some(lt) => ndjson::write_json_str(&mut self.buf, lt),
                None => self.buf.extend_from_slice(b"null"),
            }
            self.buf.extend_from_slice(b",\"error\":");
            ndjson::write_json_str(&mut self.buf, &err.reason());
            self.buf.extend_from_slice(b",\"raw\":");
            ndjson::write_json_str(&mut self.buf, &String::from_utf8_lossy(raw));
            self.buf.extend_from_slice(b"}\n");
            w.write_all(&self.buf)?;
        } else if !self.quiet {
            messages::error(&format!("{source}: {err}"));
        }
        Ok(())
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        messages::error(&format!(
            "{source}: {err} (after {records} records; going on with the next input)"
        ));
    }
}

/// Standard output, or a file written under a temporary name and renamed when complete.
enum Output {
    Stdout(io::Stdout),
    File(AtomicFile),
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Output, Fatal> {
        match path {
            None => Ok(Output::Stdout(io::stdout())),
            Some(p) if p.as_os_str() == "-" => Ok(Output::Stdout(io::stdout())),
            Some(p) => Ok(Output::File(AtomicFile::create(p)?)),
        }
    }

    fn writer(&mut self) -> Box<dyn Write + '_> {
        match self {
            Output::Stdout(s) => Box::new(s.lock()),
            Output::File(f) => Box::new(&mut f.file),
        }
    }

    fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(s) => s.lock().flush(),
            Output::File(f) => f.commit(),
        }
    }
}

/// A file written as `.<name>.tmp-<pid>` beside its destination and renamed into place by
/// [`AtomicFile::commit`]; dropped without commit, the temporary file is removed.
struct AtomicFile {
    file: File,
    tmp: PathBuf,
    dest: PathBuf,
    done: bool,
}

impl AtomicFile {
    fn create(dest: &Path) -> Result<AtomicFile, Fatal> {
        let name = dest
            .file_name()
            .ok_or_else(|| Fatal::Message(format!("{}: not a file name", dest.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file =
            File::create(&tmp).map_err(|e| Fatal::Message(format!("{}: {e}", dest.display())))?;
        Ok(AtomicFile {
            file,
            tmp,
            dest: dest.to_path_buf(),
            done: false,
        })
    }

    fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.tmp, &self.dest)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
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
