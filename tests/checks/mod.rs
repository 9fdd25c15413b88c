//! The properties the fuzz targets check, one module per target, so that a plain
//! `cargo test` (tests/crash.rs) replays crash inputs with exactly the checks that found
//! them. The fuzz targets (`fuzz/fuzz_targets/*.rs`) include this directory with `#[path]` and
//! call `check`; so does tests/crash.rs. Both also include tests/reference as `reference`.

#![allow(dead_code)] // each includer uses a different part

pub mod differential;
pub mod normalize_line;
pub mod schema;
pub mod text;
pub mod time;

use normalog::{Normalizer, NormalizerBuilder, Registry};

/// The custom schema that uses every type, time format, indicator and attribute.
pub const RICH: &str = include_str!("../data/schemas/rich.yml");

/// Every shipped schema and the rich one.
pub fn registry() -> Registry {
    let mut r = Registry::builtin();
    r.add_str(RICH, "tests/data/schemas/rich.yml")
        .expect("rich.yml is valid");
    r
}

/// One normalizer per log type (each tries only its own schema), and a last one that
/// classifies among all of them.
pub struct State {
    pub registry: Registry,
    pub single: Vec<Normalizer>,
    pub all: Normalizer,
}

impl State {
    pub fn new() -> State {
        let registry = registry();
        let single = registry
            .log_types()
            .map(|t| {
                NormalizerBuilder::new()
                    .log_types([t])
                    .build(&registry)
                    .expect("known log type")
            })
            .collect();
        let all = NormalizerBuilder::new()
            .build(&registry)
            .expect("non-empty registry");
        State {
            registry,
            single,
            all,
        }
    }
}
