//! Arbitrary text through the schema loader, the semantic checks and the compiler: errors,
//! never a panic, never a stack overflow. Properties on top:
//!
//! * an `Err` holds at least one problem, and every problem renders;
//! * a schema that compiles normalizes a few records without panicking;
//! * a schema that compiles writes back to YAML (serde_yaml) that loads to the same model.
//!
//! The check itself is in tests/checks, shared with the crash replay (tests/crash.rs).
#![no_main]

#[path = "../../tests/checks/mod.rs"]
mod checks;
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::schema::check(data));
