//! `normalog normalize`: the run, from its flags checked and its outputs opened to the
//! inputs through the pipeline into the output and its commit. The flags are in `args.rs`,
//! the reporting of rejects, progress and `--stats` in `report.rs`.

mod args;
mod loaded;
mod report;

pub(super) use args::{
    at_least_one, byte_count, ndjson_options, parquet_options, partition, thread_count,
};
pub use args::{CompressionArg, FormatArg, NormalizeArgs, PartitionArg, TimeFormatArg};
use report::{print_stats, CliObserver};

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use super::file_stats::{print_file_stats, FileStats};
use super::output::{open_rejects, CreatedDirs, Labelled, Output, OutputFile, RejectsWriter};
use super::signals::Interrupt;
use super::{load_registry, messages, progress, unknown_log_type, Fatal, EXIT_OK, EXIT_REJECTS};
use normalog::error::ErrorKind;
use normalog::pipeline::{self, Batch, Input, RunSummary};
use normalog::registry::Registry;
use normalog::schema::validate::column_name;
use normalog::sink::layout::Partition;
use normalog::sink::ndjson;
use normalog::NormalizerBuilder;

pub(super) fn run(args: &NormalizeArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    let mut created = CreatedDirs::default();
    let result = NormalizeConfig::from_args(args, &mut created).and_then(|mut config| {
        if let Some(i) = interrupt {
            config.batch.cancel_on(i.flag());
        }
        config.run(interrupt)
    });
    // However the run ended, its writers are gone (their temporary files with them): a
    // directory it created for its output and left without a file goes too.
    created.remove_if_empty();
    result
}

/// The `normalize` command ready to run: every flag checked, the schemas loaded, the inputs
/// listed and the outputs opened. Raw flags stay in [`NormalizeArgs`]; this is what they
/// mean (ripgrep's split of raw and validated arguments, `flags/{lowargs,hiargs}.rs`).
struct NormalizeConfig {
    registry: Registry,
    builder: NormalizerBuilder,
    inputs: Vec<Input>,
    batch: Batch,
    ndjson: ndjson::Options,
    output: Output,
    rejects: Option<OutputFile>,
    quiet: bool,
    stats: bool,
    max_rejects: Option<u64>,
    /// The inputs of a run with an identity into a directory output, recorded at its
    /// commit ([`loaded`]).
    loaded: Option<loaded::Loaded>,
}

/// The inputs under the paths given, each file once, the output directory left out. A
/// directory with no input files (every entry hidden, or none) is named in a warning, and
/// when nothing at all is left to read the command ends: a mistyped or empty archive
/// directory must not look like a clean run of 0 records. What was left out is said:
/// files reached twice (their records would be loaded twice), directories reached again
/// through a symbolic link, and the output directory inside an input directory (a second
/// run would read the first one's output back).
fn expand_inputs(paths: &[std::path::PathBuf], output: Option<&Path>) -> Result<Vec<Input>, Fatal> {
    let mut expander = pipeline::Expander::default();
    if let Some(out) = output {
        expander.exclude(out);
    }
    for path in paths {
        let wholes =
            |e: &pipeline::Expander| e.revisited.len() + e.excluded.len() + e.outputs.len();
        let left_out = wholes(&expander);
        let added = expander.add(path);
        // A directory left out as a whole is said below, not as an empty one.
        let whole = wholes(&expander) > left_out;
        if added == 0 && !whole && path.is_dir() {
            messages::error(&format!(
                "warning: {}: a directory with no input files (hidden files, files already \
                 listed and the output directory are skipped)",
                path.display()
            ));
        }
    }
    let left_out = [
        (
            &expander.repeated,
            "reached more than once (given twice, inside a directory also given, or behind a \
             link); read once",
        ),
        (
            &expander.revisited,
            "a directory reached again (given twice, inside a directory also given, or \
             behind a symbolic link); not read again",
        ),
        (
            &expander.excluded,
            "the output directory, inside an input directory; not read as input",
        ),
        (
            &expander.outputs,
            "the output of an earlier run (it holds _normalog or .pull-*), inside an input \
             directory; not read as input (give it by name to read it)",
        ),
        (
            &expander.special,
            "not a file (a named pipe, a socket or a device), inside an input directory; not \
             read (give it by name to read it)",
        ),
    ];
    for (paths, why) in left_out {
        if let Some(first) = paths.first() {
            let more = match paths.len() - 1 {
                0 => String::new(),
                1 => " and 1 more".to_owned(),
                n => format!(" and {n} more"),
            };
            messages::error(&format!("warning: {}{more}: {why}", first.display()));
        }
    }
    if expander.inputs.is_empty() {
        let left_out = !(expander.repeated.is_empty()
            && expander.revisited.is_empty()
            && expander.excluded.is_empty()
            && expander.outputs.is_empty()
            && expander.special.is_empty());
        return Err(Fatal::Message(if left_out {
            "no input files left to read (the warnings above say what was left out)".into()
        } else {
            "no input files: every directory given is empty".into()
        }));
    }
    Ok(expander.inputs)
}

/// Say what a re-run removed of the earlier run of the same inputs: its files not written
/// again (a note: another `--partition` or time range writes other files), and above all
/// the tables it had rows in and this run has none, whose rows from these inputs are now
/// gone (a warning: `-t` or other schemas on a re-run are easy to miss, and so are flags
/// that make every record a reject: `rejected` says how many were).
/// A re-run in another `--format` (`ext`: this run's file extension) replaces every file of
/// the earlier one: a warning too, as the lake changes format.
fn report_replaced(
    replaced: &normalog::sink::layout::Replaced,
    ext: &str,
    rejected: u64,
    quiet: bool,
) {
    if !replaced.tables_gone.is_empty() {
        let why = match rejected {
            0 => "other -t/--log-type or schemas".to_owned(),
            1 => "1 record was rejected; or other -t/--log-type or schemas".to_owned(),
            n => format!("{n} records were rejected; or other -t/--log-type or schemas"),
        };
        messages::error(&format!(
            "warning: {}: the earlier run of the same inputs had rows in these tables and \
             this run wrote none ({why}); their files were removed",
            replaced.tables_gone.join(", ")
        ));
    }
    let n = replaced.removed.len();
    let other_format = replaced
        .removed
        .iter()
        .filter_map(|f| Path::new(f).extension()?.to_str())
        .find(|e| *e != ext);
    if let Some(theirs) = other_format {
        messages::error(&format!(
            "warning: replaced the earlier run of the same inputs, which wrote .{theirs} \
             files, with .{ext} files (--format); {n} of its files {} removed",
            if n == 1 { "was" } else { "were" },
        ));
    } else if replaced.tables_gone.is_empty() && n > 0 && !quiet {
        messages::error(&format!(
            "note: replaced the earlier run of the same inputs; {n} of its files {} not \
             written again and {} removed",
            if n == 1 { "was" } else { "were" },
            if n == 1 { "was" } else { "were" },
        ));
    }
}

/// Whether no input of the run could be read at all: each failed (could not be opened, or
/// broke off) before a single record. Some inputs failing while others are read is a run
/// that finished with problems (exit 1); this is a run that had nothing to read (exit 2).
fn nothing_read(run: &RunSummary, inputs: usize) -> bool {
    inputs > 0 && run.failed_inputs >= inputs as u64 && run.summary.records == 0
}

/// An output file (`-o FILE`, `--rejects FILE`) that is also an input would be replaced by
/// the run's results, losing the input: refuse it before anything is opened.
fn refuse_overwriting_inputs(args: &NormalizeArgs, inputs: &[Input]) -> Result<(), Fatal> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--rejects", args.rejects.as_deref()),
    ];
    let not_stdout = |p: &&Path| p.as_os_str() != "-";
    if let (Some(o), Some(r)) = (
        outputs[0].1.filter(not_stdout),
        outputs[1].1.filter(not_stdout),
    ) {
        if same_destination(o, r) {
            return Err(Fatal::Message(format!(
                "-o {} and --rejects {}: the same file; the events and the rejects would \
                 overwrite each other",
                o.display(),
                r.display()
            )));
        }
    }
    for (flag, out) in outputs {
        let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
            continue;
        };
        for input in inputs {
            if let Input::Path(p) = input {
                if same_file(p, out) {
                    return Err(Fatal::Message(format!(
                        "{flag} {}: this file is also an input; the run would overwrite it",
                        out.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Say so when an input file starts like a JSON array and is larger than
/// `--max-document-bytes`: it is read as NDJSON then, and an array written one element per
/// line would come out as a reject per line ("trailing characters") with nothing pointing at
/// the limit. Plain files only (the size of a compressed one is not its text's).
fn note_large_documents(inputs: &[Input], max_document_bytes: usize) {
    for input in inputs {
        let Input::Path(path) = input else { continue };
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if !meta.is_file() || meta.len() <= max_document_bytes as u64 {
            continue;
        }
        let mut head = [0u8; 64];
        let Ok(n) = std::fs::File::open(path).and_then(|mut f| {
            use std::io::Read;
            f.read(&mut head)
        }) else {
            continue;
        };
        let text = head[..n]
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&head[..n]);
        if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            messages::error(&format!(
                "note: {}: a JSON array of {} bytes, over --max-document-bytes ({}): it is \
                 read line by line, as NDJSON; raise --max-document-bytes to read it whole",
                path.display(),
                meta.len(),
                max_document_bytes
            ));
        }
    }
}

/// Whether two paths name the same existing file (through symbolic or hard links too).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether two output paths would be the same file: the same existing file, or the same
/// name in the same directory.
fn same_destination(a: &Path, b: &Path) -> bool {
    let dir = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()
    };
    same_file(a, b) || (a.file_name() == b.file_name() && dir(a).is_some() && dir(a) == dir(b))
}

/// Whether two paths name the same existing file (through symbolic links).
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Warn about fields of the log types written that have the name of one of the layout's
/// partition directories (`year`, `month`, `day`, `hour`): an engine that reads the
/// partitions as columns (DuckDB's `hive_partitioning`, Spark, Athena) puts the directory's
/// value in its place.
fn warn_partition_columns(registry: &Registry, log_types: &[String], partition: Partition) {
    let keys: &[&str] = match partition {
        Partition::Hour => &["year", "month", "day", "hour"],
        Partition::Day => &["year", "month", "day"],
        _ => return,
    };
    let flag = if partition == Partition::Hour {
        "hour"
    } else {
        "day"
    };
    for plan in registry.plans() {
        if !log_types.is_empty() && !log_types.iter().any(|t| t == plan.log_type()) {
            continue;
        }
        for field in &plan.schema().fields {
            let column = column_name(&field.name).to_ascii_lowercase();
            if keys.contains(&column.as_str()) {
                messages::error(&format!(
                    "warning: {}: field `{}` has the name of a partition directory of \
                     --partition {flag} (`{column}=`): engines that read partitions as columns \
                     (DuckDB's hive_partitioning, Spark, Athena) show the directory's value in \
                     its place; rename the field in the schema, or use --partition none",
                    plan.log_type(),
                    field.name
                ));
            }
        }
    }
}

impl NormalizeConfig {
    /// Check `args` and open the outputs, in this order: schemas and log types, inputs,
    /// `--threads`, the output, the rejects file. The first problem ends the command before
    /// any input is read. The directories made for the output are noted in `created`.
    fn from_args(
        args: &NormalizeArgs,
        created: &mut CreatedDirs,
    ) -> Result<NormalizeConfig, Fatal> {
        let registry = load_registry(&args.schemas)?;
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types(args.log_types.iter().cloned())
            .source_id(args.source_id.clone())
            .source_label(args.source_label.clone())
            .max_record_bytes(args.max_record_bytes);
        // Check the log types now, for a clear message; the workers build their own.
        builder.build(&registry).map_err(|e| match e.kind() {
            ErrorKind::UnknownLogType(name) => {
                unknown_log_type(&e, name, &registry, !args.schemas.is_empty())
            }
            _ => Fatal::Message(e.to_string()),
        })?;

        let inputs: Vec<Input> = if args.inputs.is_empty() {
            vec![Input::Stdin]
        } else {
            expand_inputs(&args.inputs, args.output.as_deref())?
        };

        refuse_overwriting_inputs(args, &inputs)?;
        note_large_documents(&inputs, args.max_document_bytes);
        let mut batch = Batch::new();
        batch
            .max_record_bytes(args.max_record_bytes)
            .max_document_bytes(args.max_document_bytes)
            .envelope(args.envelope.clone())
            .max_rejects(args.max_rejects);
        // 1 to 1024: checked when the flag was read (`thread_count`).
        if let Some(n) = args.threads {
            batch.threads(n);
        }
        let mut output = Output::open(args, created)?;
        if matches!(output, Output::Parquet(_) | Output::NdjsonDir(_)) {
            warn_partition_columns(&registry, &args.log_types, partition(args));
        }
        let mut loaded = None;
        if let Some(id) = run_id(&inputs) {
            match &mut output {
                Output::Parquet(w) => w.set_run_id(id),
                Output::NdjsonDir(w) => w.set_run_id(id),
                Output::Stdout(_) | Output::File(_) => {}
            }
            if let (Output::Parquet(_) | Output::NdjsonDir(_), Some(dir)) = (&output, &args.output)
            {
                let run = loaded::Loaded::new(dir, id, &inputs);
                run.warn_if_loaded_before();
                loaded = Some(run);
            }
        }
        // A table of two layouts is refused before reading (the writers would refuse it at
        // the commit, when small partitions are written).
        {
            let written = registry
                .log_types()
                .filter(|lt| args.log_types.is_empty() || args.log_types.iter().any(|t| t == lt));
            match &output {
                Output::Parquet(w) => w.check_layout(written)?,
                Output::NdjsonDir(w) => w.check_layout(written)?,
                Output::Stdout(_) | Output::File(_) => {}
            }
        }
        let rejects = open_rejects(args.rejects.as_deref())?;
        Ok(NormalizeConfig {
            registry,
            builder,
            inputs,
            batch,
            ndjson: ndjson_options(args),
            output,
            rejects,
            quiet: args.quiet,
            stats: args.stats,
            max_rejects: args.max_rejects,
            loaded,
        })
    }

    /// Refuse to commit a re-run whose every record was rejected (a wrong `-s`, a schema
    /// being edited): it would replace the earlier run's files with none, an accident far
    /// more often than a wish, so the earlier files stay.
    fn keep_earlier_files_if_all_rejected(&self, run: &RunSummary) -> Result<(), Fatal> {
        let s = &run.summary;
        if s.normalized == 0
            && s.rejected > 0
            && self
                .loaded
                .as_ref()
                .is_some_and(loaded::Loaded::committed_before)
        {
            return Err(Fatal::Message(format!(
                "every record was rejected ({}): nothing committed, and the files an earlier \
                 run of these inputs wrote are kept (check the schemas and -t, and run again)",
                s.rejected
            )));
        }
        Ok(())
    }

    /// Normalize every input into the output, report, and commit the outputs; returns the
    /// exit status.
    fn run(mut self, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
        let mut rejects = self.rejects.take();
        let mut observer = CliObserver {
            rejects: rejects.as_mut().map(RejectsWriter::new),
            quiet: self.quiet,
            bar: progress::Bar::new(self.inputs.len(), self.quiet),
        };

        let started = Instant::now();
        let run = self.batch_run(&mut observer).map_err(|e| match e {
            Fatal::Interrupted(what) if matches!(self.output, Output::Stdout(_)) => {
                Fatal::Interrupted(format!(
                    "{what}; the events written to standard output so far are incomplete"
                ))
            }
            e => e,
        })?;
        observer.bar.finish();
        if nothing_read(&run, self.inputs.len()) {
            // As when no input file was found at all: not a finished run with problems, and
            // the outputs (an earlier -o FILE, --rejects FILE) are left as they were.
            if self.stats {
                print_stats(
                    &run.summary,
                    run.failed_inputs,
                    started.elapsed().as_secs_f64(),
                );
            }
            return Err(Fatal::Message(
                "no input could be read: every input was skipped; nothing written".into(),
            ));
        }
        if let Some(w) = observer.rejects.take() {
            w.finish()?;
        }
        drop(observer);
        // The rejects file is kept even when the run stops on --max-rejects: it says why.
        if let Some(r) = rejects {
            r.commit()?;
        }
        if run.too_many_rejects {
            if self.stats {
                print_stats(
                    &run.summary,
                    run.failed_inputs,
                    started.elapsed().as_secs_f64(),
                );
            }
            // The output is incomplete: its temporary files are removed, not renamed. Standard
            // output cannot be taken back: say so.
            let what = if matches!(self.output, Output::Stdout(_)) {
                "the events written to standard output so far are incomplete"
            } else {
                "no output written"
            };
            drop(self.output);
            return Err(Fatal::Message(format!(
                "stopped: more than {} records rejected (--max-rejects); {what}",
                self.max_rejects.unwrap_or_default()
            )));
        }
        // Refused, the output goes with `self`: its temporary files are removed.
        self.keep_earlier_files_if_all_rejected(&run)?;
        let output_files = self.output_files();
        let rotated = self.rotated_files();
        let spilled = match &self.output {
            Output::Parquet(w) => w.spilled_rows(),
            _ => 0,
        };
        let ext = match &self.output {
            Output::Parquet(_) => "parquet",
            _ => "ndjson",
        };
        let replaced = self.output.commit()?;
        if let Some(replaced) = &replaced {
            report_replaced(replaced, ext, run.summary.rejected, self.quiet);
        }
        if let Some(loaded) = &self.loaded {
            loaded.record();
        }
        // After the commit: it writes the partitions held back, and finishes the open files.
        if self.stats {
            print_stats(
                &run.summary,
                run.failed_inputs,
                started.elapsed().as_secs_f64(),
            );
            if let Some((files, extra, partition)) = output_files {
                print_file_stats(&FileStats {
                    files,
                    extra,
                    rows: run.summary.normalized,
                    partition,
                    spilled,
                    rotated,
                });
            }
        }
        if interrupt.is_some_and(Interrupt::fired) {
            // Too late to stop: the output was complete, and committing is never left half
            // done. Still reported, so that a script sees the interrupt.
            return Err(Fatal::Interrupted(
                "the run had finished: its output is complete and committed".into(),
            ));
        }
        Ok(if run.summary.rejected > 0 || run.failed_inputs > 0 {
            EXIT_REJECTS
        } else {
            EXIT_OK
        })
    }

    /// Part files written (opened: every opened file is written), the extra ones among
    /// them (a partition's second part and later) and the partitioning, for a directory
    /// output.
    fn output_files(&self) -> Option<(u64, u64, Partition)> {
        match &self.output {
            Output::Parquet(w) => Some((w.files_opened(), w.extra_files(), w.options().partition)),
            Output::NdjsonDir(w) => Some((w.files_opened(), w.extra_files(), w.partition())),
            Output::Stdout(_) | Output::File(_) => None,
        }
    }

    /// Part files closed at the target size, for a directory output.
    fn rotated_files(&self) -> Option<u64> {
        match &self.output {
            Output::Parquet(w) => Some(w.rotated_files()),
            Output::NdjsonDir(w) => Some(w.rotated_files()),
            Output::Stdout(_) | Output::File(_) => None,
        }
    }

    /// The pipeline run into the output, whichever it is.
    fn batch_run(&mut self, observer: &mut CliObserver<'_>) -> Result<RunSummary, Fatal> {
        let (builder, registry, inputs) = (&self.builder, &self.registry, &self.inputs);
        Ok(match &mut self.output {
            Output::Parquet(w) => self
                .batch
                .run_parquet(builder, registry, inputs, w, observer)?,
            Output::NdjsonDir(w) => self
                .batch
                .run_ndjson_dir(builder, registry, inputs, w, observer)?,
            Output::Stdout(_) | Output::File(_) => {
                // A failed write (a full disk, /dev/full) says where it went.
                let name = match &self.output {
                    Output::File(f) => f.dest().display().to_string(),
                    _ => super::STDOUT.to_owned(),
                };
                let mut writer =
                    BufWriter::with_capacity(1 << 20, Labelled::new(self.output.writer(), name));
                let run = self.batch.run_ndjson(
                    builder,
                    registry,
                    inputs,
                    &mut writer,
                    self.ndjson,
                    observer,
                )?;
                writer.flush()?;
                run
            }
        })
    }
}

/// The identity of a run's inputs, which names its part files in a directory output so that
/// re-running the same inputs replaces them (see `normalog::sink::layout`, "Re-running"):
/// each input's absolute path, size and modification time, in sorted order. `None` when an
/// input has no such identity (standard input), or cannot be looked at: the run then adds
/// files beside the others.
fn run_id(inputs: &[Input]) -> Option<u64> {
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Input::Path(path) = input else {
            return None;
        };
        let path = std::fs::canonicalize(path).ok()?;
        let meta = std::fs::metadata(&path).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let mut id = path.as_os_str().as_encoded_bytes().to_vec();
        id.extend_from_slice(&meta.len().to_le_bytes());
        id.extend_from_slice(&mtime.as_nanos().to_le_bytes());
        ids.push(id);
    }
    if ids.is_empty() {
        return None;
    }
    ids.sort();
    Some(normalog::sink::layout::stable_hash(
        ids.iter().map(Vec::as_slice),
    ))
}
