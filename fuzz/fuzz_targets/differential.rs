//! The normalizer against the slow reference of `tests/reference` (serde_json::Value):
//! on every input, the same decision (syntax error / refused / accepted), a refusal whose
//! path and reason are among the problems the reference finds, and the same normalized
//! values, event time and indicators. Known, intentional differences are listed in the
//! reference's module docs (float text compared as numbers; the leaf time parsers and
//! indicator scanners are the library's own).
//!
//! The check itself is in tests/checks, shared with the crash replay (tests/crash.rs).
#![no_main]

#[path = "../../tests/checks/mod.rs"]
mod checks;
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::differential::check(data));
