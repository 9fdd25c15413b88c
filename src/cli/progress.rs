//! The progress bar of `normalize`: shown only when stderr is a terminal (never on a pipe, in
//! a file or in CI), and never with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use normalog::pipeline::Progress;

/// A bar over the inputs of a run, with decoded bytes, records and their rates.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar for a run of `inputs` inputs, or nothing when stderr is not a terminal.
    pub fn new(inputs: usize, quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(
            Some(inputs as u64),
            ProgressDrawTarget::stderr_with_hz(4),
        );
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} inputs, {msg} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Bar(Some(bar))
    }

    /// Update from the pipeline's totals.
    pub fn update(&self, p: &Progress) {
        if let Some(bar) = &self.0 {
            bar.set_position(p.inputs_done as u64);
            let secs = bar.elapsed().as_secs_f64().max(1e-3);
            #[allow(clippy::cast_precision_loss)]
            bar.set_message(format!(
                "{:.1} MB, {} records, {:.1} MB/s",
                p.bytes as f64 / 1e6,
                p.records,
                p.bytes as f64 / 1e6 / secs
            ));
        }
    }

    /// Run `f` (which prints to stderr) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
