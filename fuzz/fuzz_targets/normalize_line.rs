//! Arbitrary bytes through the normalizer, with each shipped schema, the rich custom schema
//! and all of them at once (classification). Properties:
//!
//! * no panic;
//! * every record is either one event or one reject, never both or neither, and a reject is
//!   a per-record error (the batch goes on);
//! * the in-place entry point (`normalize_line`) decides like the copying one
//!   (`normalize_bytes`) and gives the same output (but `p_row_id`/`p_parse_time`);
//! * every event writes NDJSON that serde_json parses back to an object with `p_log_type`,
//!   whose `p_any_*` arrays are sorted and unique, and whose top-level fields hold the
//!   values the typed accessors of the event return;
//! * the whole input read as NDJSON (framing, blank lines, positions) counts
//!   `records == normalized + rejected`.
//!
//! The check itself is in tests/checks, shared with the crash replay (tests/crash.rs).
#![no_main]

#[path = "../../tests/checks/mod.rs"]
mod checks;
#[path = "../../tests/reference/mod.rs"]
mod reference;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::normalize_line::check(data));
