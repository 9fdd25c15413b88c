//! `normalog normalize`: the run, from its flags checked and its outputs opened to the
//! inputs through the pipeline into the output and its commit. The flags are in `args.rs`,
//! the reporting of rejects, progress and `--stats` in `report.rs`.

mod args;
mod bookkeeping;
mod inputs;
mod loaded;
mod report;
mod shrunk;

pub(super) use args::{
    at_least_one, max_open_files, ndjson_options, parquet_options, partition, record_limit,
    thread_count,
};
pub use args::{CompressionArg, FormatArg, NormalizeArgs, PartitionArg, TimeFormatArg};
use inputs::{
    expand_inputs, note_reading_a_terminal, note_schema_files_as_inputs, refuse_overwriting_inputs,
    run_id,
};
use report::{
    left_incomplete, print_stats, report_replaced, warn_changed_while_read, warn_columns_added,
    warn_kept_for_failed_inputs, CliObserver,
};

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use super::file_stats::{print_file_stats, FileStats};
use super::output::{
    open_rejects, too_many_open_files, writes_a_directory, CreatedDirs, Labelled, Output,
    OutputFile, RejectsWriter,
};
use super::signals::Interrupt;
use super::{load_registry, messages, progress, unknown_log_type, Fatal, EXIT_OK, EXIT_REJECTS};
use normalog::error::ErrorKind;
use normalog::pipeline::{Batch, Input, RunSummary};
use normalog::registry::Registry;
use normalog::schema::validate::column_name;
use normalog::sink::arrow::arrow_schema;
use normalog::sink::layout::{self, table_name, Partition};
use normalog::sink::ndjson;
use normalog::sink::parquet::ParquetWriter;
use normalog::NormalizerBuilder;

pub(super) fn run(args: &NormalizeArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    let mut created = CreatedDirs::default();
    let result = NormalizeConfig::from_args(args, &mut created).and_then(|mut config| {
        if let Some(i) = interrupt {
            config.batch.cancel_on(i.flag());
        }
        config.run(interrupt)
    });
    // Out of file descriptors: what to do, which the library's error cannot say.
    let result = result.map_err(|e| match e {
        Fatal::Message(m) if writes_a_directory(args) => {
            Fatal::Message(too_many_open_files(&m, max_open_files(args)).unwrap_or(m))
        }
        e => e,
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
    /// `--skip-loaded` skipped every input: there is nothing to do.
    nothing_new: bool,
    /// The output directory (`-o DIR/`), for the warnings that name its tables.
    dir: Option<std::path::PathBuf>,
}

/// Whether no input of the run could be read at all: each failed (could not be opened, or
/// broke off) before a single record or blank line. Some inputs failing while others are
/// read is a run that finished with problems (exit 1); this is a run that had nothing to
/// read (exit 2). An input of blank lines alone that breaks off was read, up to there.
fn nothing_read(run: &RunSummary, inputs: usize) -> bool {
    inputs > 0
        && run.failed_inputs >= inputs as u64
        && run.summary.records == 0
        && run.summary.blank_lines == 0
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

/// Refuse before reading a run that would change or drop columns of a Parquet table it is
/// meant to write: a log type named with -t, or the only one of the schemas. The others are
/// candidates that the records may never match (a schema directory with one changed schema
/// must not stop runs of the others): their tables are checked at the commit, under the
/// commit lock, as these are again.
fn check_columns(
    w: &ParquetWriter,
    registry: &Registry,
    log_types: &[String],
) -> Result<(), Fatal> {
    let only = registry.plans().len() == 1;
    let tables: Vec<_> = registry
        .plans()
        .iter()
        .filter(|p| only || log_types.iter().any(|t| t == p.log_type()))
        .map(|p| (p.log_type(), arrow_schema(p)))
        .collect();
    w.check_columns(tables.iter().map(|(lt, schema)| (*lt, schema)))?;
    Ok(())
}

impl NormalizeConfig {
    /// Check `args` and open the outputs, in this order: schemas and log types, inputs,
    /// `--threads`, the output, the rejects file. The first problem ends the command before
    /// any input is read. The directories made for the output are noted in `created`.
    fn from_args(
        args: &NormalizeArgs,
        created: &mut CreatedDirs,
    ) -> Result<NormalizeConfig, Fatal> {
        // A schema given by name may be a named pipe, which waits for its writer: a
        // signal then ends the process.
        let registry = super::signals::at_once(|| load_registry(&args.schemas, args.builtin))??;
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types(args.log_types.iter().cloned())
            .source_id(args.source_id.clone())
            .source_label(args.source_label.clone())
            .max_record_bytes(args.max_record_bytes);
        // Check the log types now, for a clear message; the workers build their own.
        builder.build(&registry).map_err(|e| match e.kind() {
            ErrorKind::UnknownLogType(unknown) => {
                unknown_log_type(unknown, !args.schemas.is_empty())
            }
            _ => Fatal::Message(e.to_string()),
        })?;

        let mut inputs: Vec<Input> = if args.inputs.is_empty() {
            vec![Input::Stdin]
        } else {
            expand_inputs(
                &args.inputs,
                args.output.as_deref(),
                args.rejects.as_deref(),
            )?
        };

        refuse_overwriting_inputs(args, &inputs)?;
        note_reading_a_terminal(&inputs, args.quiet);
        note_schema_files_as_inputs(&args.inputs, args.quiet);
        let batch = batch_options(args);
        let mut output = Output::open(args, created)?;
        if matches!(output, Output::Parquet(_) | Output::NdjsonDir(_)) {
            warn_partition_columns(&registry, &args.log_types, partition(args));
        }
        loaded::check_replace_changed(args, &output, &inputs)?;
        let skipped_loaded = if args.skip_loaded {
            let dir = match (&output, &args.output) {
                (Output::Parquet(_) | Output::NdjsonDir(_), Some(dir)) => Some(dir.as_path()),
                _ => None,
            };
            Some(loaded::skip_loaded_inputs(dir, &mut inputs, args.quiet)?)
        } else {
            None
        };
        let mut loaded = None;
        let id = run_id(&inputs);
        if let (None, Output::Parquet(_) | Output::NdjsonDir(_), Some(dir)) =
            (id, &output, &args.output)
        {
            loaded::warn_if_loaded_without_identity(dir, &inputs);
        }
        if let Some(id) = id {
            match &mut output {
                Output::Parquet(w) => w.set_run_id(id),
                Output::NdjsonDir(w) => w.set_run_id(id),
                Output::Stdout(_) | Output::File(..) => {}
            }
            if let (Output::Parquet(_) | Output::NdjsonDir(_), Some(dir)) = (&output, &args.output)
            {
                bookkeeping::warn_if_damaged(dir);
                let mut run = loaded::Loaded::new(dir, id, &inputs, args.replace_changed);
                run.allow_dropped_tables = args.allow_dropped_tables;
                run.refuse_if_covered()?;
                // Decided again at the commit ([`NormalizeConfig::prepare_commit`]); known
                // now for the check of the tables' layouts.
                match &mut output {
                    Output::Parquet(w) => w.supersede_runs(run.superseded()),
                    Output::NdjsonDir(w) => w.supersede_runs(run.superseded()),
                    Output::Stdout(_) | Output::File(..) => {}
                }
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
                Output::Stdout(_) | Output::File(..) => {}
            }
        }
        if let Output::Parquet(w) = &output {
            check_columns(w, &registry, &args.log_types)?;
        }
        let rejects = open_rejects(args.rejects.as_deref())?;
        let inputs_left = inputs.len();
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
            nothing_new: skipped_loaded.is_some() && inputs_left == 0,
            dir: args.output.clone(),
        })
    }

    /// Before the commit of a run with an identity into a directory: leave the inputs that
    /// could not be read to their end (`failed`) out of its list and out of the decision of
    /// the runs it supersedes (so that no run that loaded them loses their rows). The
    /// commit refuses to replace the earlier run of the same inputs without them, and to
    /// replace the files of earlier runs while leaving out rows it rejected: every record
    /// rejected (a wrong `-s`), or none written in tables they had rows in (a wrong `-s`
    /// that fits a few records, fewer `-t`) unless `--allow-dropped-tables`.
    fn prepare_commit(&mut self, run: &RunSummary, failed: &[(String, u64)]) {
        let Some(loaded) = &mut self.loaded else {
            return;
        };
        loaded.mark_failed(failed);
        let s = &run.summary;
        let after = loaded::AfterRun {
            normalized: s.normalized,
            rejected: s.rejected,
            written: s.by_log_type.keys().map(|lt| table_name(lt)).collect(),
            allow_dropped_tables: loaded.allow_dropped_tables,
        };
        let (list, superseding) = (loaded.list(), loaded.superseding(&after));
        // Under the commit lock: runs committed meanwhile count, for the runs superseded
        // and for the refusals.
        let decide: layout::SupersedeDecider = Box::new(move || superseding.decide());
        match &mut self.output {
            Output::Parquet(w) => {
                w.set_run_inputs(list);
                w.supersede_runs_decided_by(decide);
            }
            Output::NdjsonDir(w) => {
                w.set_run_inputs(list);
                w.supersede_runs_decided_by(decide);
            }
            Output::Stdout(_) | Output::File(..) => {}
        }
    }

    /// Commit the outputs of a finished run, and say what the commit replaced and, with
    /// `--stats`, what the run did.
    fn commit_and_report(self, run: &RunSummary, started: Instant) -> Result<(), Fatal> {
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
        let (replaced, columns_added) = self.output.commit()?;
        if let Some(replaced) = &replaced {
            let changed = self
                .loaded
                .as_ref()
                .is_some_and(loaded::Loaded::replaces_changed);
            report_replaced(replaced, ext, run.summary.rejected, self.quiet, changed);
        }
        warn_columns_added(
            self.dir.as_deref().unwrap_or(Path::new(".")),
            &columns_added,
        );
        if let Some(loaded) = &self.loaded {
            // After the commit, against the runs there then: one committed meanwhile
            // counts.
            loaded.warn_if_loaded_before();
            warn_changed_while_read(loaded);
            warn_kept_for_failed_inputs(loaded);
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
                    parquet: ext == "parquet",
                });
            }
        }
        Ok(())
    }

    /// Normalize every input into the output, report, and commit the outputs; returns the
    /// exit status.
    fn run(mut self, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
        if self.nothing_new {
            // Every input is in the lake already (the note said so): a success.
            return Ok(EXIT_OK);
        }
        let mut rejects = self.rejects.take();
        // Said now: the rejects file is lent to the observer while the run goes.
        let incomplete = left_incomplete(&self.output, rejects.as_ref());
        let mut observer = CliObserver {
            rejects: rejects.as_mut().map(RejectsWriter::new),
            quiet: self.quiet,
            bar: progress::Bar::new(self.inputs.len(), self.quiet),
            failed: Vec::new(),
        };

        // A directory output tells changed inputs from their keys (loaded.rs).
        let sizes = matches!(self.output, Output::Stdout(_) | Output::File(..))
            .then(|| shrunk::Sizes::of(&self.inputs));
        let started = Instant::now();
        let run = self
            .batch_run(&mut observer)
            .map_err(|e| match (e, &incomplete) {
                (Fatal::Interrupted(what), Some(streams)) => {
                    Fatal::Interrupted(format!("{what}; {streams}"))
                }
                // Still exit 0 (`| head`), but `--stats` asked for a word: the run stopped
                // early, and its counts would describe what no reader got (review s41-h4 L5).
                (Fatal::BrokenPipe, _) if self.stats => {
                    messages::error(
                        "standard output was closed before the end of the input: the run \
                         stopped there (no statistics for it)",
                    );
                    Fatal::BrokenPipe
                }
                (e, _) => e,
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
        let failed = std::mem::take(&mut observer.failed);
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
            // The output is incomplete: its temporary files are removed, not renamed. A
            // stream (standard output, a pipe) cannot be taken back: say so. The rejects
            // file is kept, complete.
            let what = left_incomplete(&self.output, None)
                .unwrap_or_else(|| "no output written".to_owned());
            drop(self.output);
            return Err(Fatal::Message(format!(
                "stopped: more than {} records rejected (--max-rejects); {what}",
                self.max_rejects.unwrap_or_default()
            )));
        }
        if let Some(sizes) = sizes {
            sizes.warn_shrunk();
        }
        self.prepare_commit(&run, &failed);
        self.commit_and_report(&run, started)?;
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
            Output::Stdout(_) | Output::File(..) => None,
        }
    }

    /// Part files closed at the target size, for a directory output.
    fn rotated_files(&self) -> Option<u64> {
        match &self.output {
            Output::Parquet(w) => Some(w.rotated_files()),
            Output::NdjsonDir(w) => Some(w.rotated_files()),
            Output::Stdout(_) | Output::File(..) => None,
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
            Output::Stdout(_) | Output::File(..) => {
                // A failed write (a full disk, /dev/full) says where it went.
                let (name, stdout) = match &mut self.output {
                    Output::File(f, _) => (
                        f.dest().display().to_string(),
                        super::output::is_standard_output(f.file()),
                    ),
                    _ => (super::STDOUT.to_owned(), true),
                };
                let labelled = Labelled::new(self.output.writer(), name).or_stdout(stdout);
                let mut writer = BufWriter::with_capacity(1 << 20, labelled);
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

/// The options of the run's batch, from the flags. The record limit is not one of them:
/// it is the normalizer's, which the run takes.
fn batch_options(args: &NormalizeArgs) -> Batch {
    let mut batch = Batch::new();
    batch
        .max_document_bytes(args.max_document_bytes)
        .envelope(args.envelope.clone())
        .max_rejects(args.max_rejects);
    if let Some(ratio) = args.max_expansion {
        batch.max_expansion(ratio.0);
    }
    // 1 to 1024: checked when the flag was read (`thread_count`).
    if let Some(n) = args.threads {
        batch.threads(n);
    }
    batch
}
