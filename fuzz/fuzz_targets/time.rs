//! Arbitrary strings, integers and floats through every time format: the built-ins, a few
//! strftime patterns and Go layouts, and the input itself used as a spec. Properties: no
//! panic; every decoded time lies in the years 0000-9999; written as RFC 3339 it reads back
//! as the same instant with the `rfc3339` format.
//!
//! The check itself is in tests/checks, shared with the crash replay (tests/crash.rs).
#![no_main]

#[path = "../../tests/checks/mod.rs"]
mod checks;
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::time::check(data));
