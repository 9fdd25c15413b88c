//! Arbitrary text through the schema loader, the semantic checks and the compiler: errors,
//! never a panic, never a stack overflow. Properties on top:
//!
//! * an `Err` holds at least one problem, and every problem renders;
//! * a schema that compiles normalizes a few records without panicking;
//! * a schema that compiles writes back to YAML (`serde_yaml`) that loads to the same model.

use normalog::schema::load;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};

const RECORDS: &[&[u8]] = &[
    b"{}",
    br#"{"id":1,"a":"x","b":[1,2],"c":{"d":null},"time":"2023-07-01T14:00:00Z"}"#,
    br#"{"a":"1.2.3.4","b":"1688220000","c":true,"d":[{"e":"f"}],"e":"{\"x\":1}"}"#,
];

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let schema = match load::from_str(text, "<fuzz>") {
        Ok(s) => s,
        Err(e) => {
            assert!(!e.0.is_empty(), "an error without problems");
            let _ = e.to_string();
            return;
        }
    };
    let plan = match normalog::compile::compile(&schema) {
        Ok(p) => p,
        Err(e) => {
            assert!(!e.0.is_empty(), "an error without problems");
            let _ = e.to_string();
            return;
        }
    };
    drop(plan);

    // Round trip through YAML.
    let yaml = serde_yaml::to_string(&schema).expect("a schema serializes");
    let mut back = load::from_str(&yaml, "<fuzz>")
        .unwrap_or_else(|e| panic!("written schema does not load: {e}\n{yaml}"));
    let mut orig = schema.clone();
    orig.clear_spans();
    back.clear_spans();
    assert_eq!(orig, back, "round trip changed the schema\n{yaml}");

    let mut registry = Registry::new();
    registry.add(schema).expect("a compiled schema registers");
    let mut n = NormalizerBuilder::new()
        .build(&registry)
        .expect("one log type");
    let mut out = Collect::default();
    for r in RECORDS {
        n.normalize_bytes(r, Position::default(), &mut out)
            .expect("the sink never fails");
    }
}
