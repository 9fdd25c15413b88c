//! The text parsers (`csv`, `fastmatch`, `regex`) with an arbitrary pattern, options and
//! input: no panic, no hang, bounded memory, and the same events and rejects whichever way
//! the input is fed. The check itself is in tests/checks/text.rs, shared with the crash
//! replay (tests/crash.rs).
#![no_main]

#[path = "../../tests/checks/mod.rs"]
mod checks;
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::text::check(data));
