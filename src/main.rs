//! The `normalog` binary: the command line ([`cli`]) over the `normalog` library. The CLI
//! lives here, not in the library, so that library users do not compile or see clap,
//! indicatif and the benchmark harness.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
