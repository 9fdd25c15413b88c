//! The `normalog` binary; everything is in [`normalog::cli`].

fn main() -> std::process::ExitCode {
    normalog::cli::run()
}
