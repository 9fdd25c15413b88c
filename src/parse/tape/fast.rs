//! The common cases of a text log type's values (always strings), decoded without the
//! general path (null checks, embedded JSON, the decoder dispatch, a tape node per value):
//! chosen once per field at compile time ([`Fast`]). Each case gives what the general path
//! gives for that value, or `None` to leave the value (and any refusal) to the general path.
//! The JSON objects' loop matches the string and integer cases itself (`TapeDecoder::field`).

use super::StrMode;
use crate::compile::{Decoder, Fast, ValuePlan};
use crate::event::Val;
use crate::strconv::parse_int;

/// Store the value of string `s` in a field of `plan` into `slot` when it is a common case
/// (true); false leaves `slot` as it was.
///
/// Each case stores into the slot itself. Returning the value instead had it built on the
/// stack in parts (a tag byte, then the words) and read back whole to be copied, a load
/// the CPU cannot serve from those stores until they are written out (`perf annotate`: a
/// third of the samples of the CSV decode loop on that copy).
#[inline]
pub(crate) fn fast_str<'v, 'a, M: StrMode<'v, 'a>>(
    plan: &ValuePlan,
    s: &'v str,
    text: &mut String,
    slot: &mut Val<'a>,
) -> bool {
    match plan.fast {
        Fast::String => M::store(s, text, slot),
        // Integer text (a text log's value): anything else, `""` too, goes the long way.
        Fast::Int { min, max } => match parse_int(s) {
            Some(i) if (min..=max).contains(&i) => *slot = Val::Int(i),
            _ => return false,
        },
        Fast::Time if !s.is_empty() => {
            let Decoder::Timestamp { formats, .. } = &plan.decoder else {
                return false;
            };
            match formats.iter().find_map(|f| f.parse_str(s)) {
                // Go's zero time goes the long way, which leaves it out.
                Some(t) if !crate::time::is_go_zero(&t) => *slot = Val::Time(t),
                _ => return false,
            }
        }
        Fast::Bool => return bool_text(s, slot),
        // Checked before the string is taken: a copy (`Copied`) is made only for a value
        // that is kept.
        Fast::Checked => {
            let kept = plan
                .validate
                .as_ref()
                .is_some_and(|check| check.check(s).is_ok());
            if !kept {
                return false;
            }
            M::store(s, text, slot);
        }
        Fast::Time | Fast::No => return false,
    }
    true
}

/// A boolean's text as the general path reads it: `""` is empty, then Go's
/// `strconv.ParseBool`; into `slot`, false when it is neither.
#[inline]
fn bool_text(s: &str, slot: &mut Val<'_>) -> bool {
    match s {
        "" => *slot = Val::Empty,
        "1" | "t" | "T" | "TRUE" | "true" | "True" => *slot = Val::Bool(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => *slot = Val::Bool(false),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use simd_json::Node;

    use super::super::{Borrowed, TapeDecoder};
    use super::*;
    use crate::registry::Registry;
    use crate::testing::xorshift;

    /// On random strings, every field kind with a fast case: the fast case, when it takes a
    /// value, gives what the general path (`TapeDecoder::value`, which the fast cases skip)
    /// gives for it; and it takes the usual values.
    #[test]
    fn fast_cases_decode_as_the_general_path() {
        let yaml = "schema: Tst.Fast\nfields:\n\
                    \x20 - {name: s, type: string}\n\
                    \x20 - {name: a, type: string, validate: {allow: [ipsec, ssl-tls, '']}}\n\
                    \x20 - {name: d, type: string, validate: {deny: [x]}}\n\
                    \x20 - {name: b, type: boolean}\n\
                    \x20 - {name: i, type: smallint}\n\
                    \x20 - {name: l, type: bigint}\n\
                    \x20 - {name: t, type: timestamp, timeFormat: '%Y-%m-%d %H:%M:%S'}\n";
        let mut registry = Registry::new();
        registry.add_str(yaml, "fast.yml").expect("schema loads");
        let plan = registry.get("Tst.Fast").expect("plan");
        let pieces = [
            "",
            "1",
            "0",
            "t",
            "F",
            "true",
            "True",
            "TRUE",
            "false",
            "tRue",
            "x",
            "-",
            "ipsec",
            "ssl-tls",
            "ipsec ",
            "12",
            "-5",
            "40000",
            "99999999999999999999",
            " ",
            "2023-07-01",
            " 14:00:00",
            "é",
        ];
        let mut rnd = xorshift(0xfa57);
        let mut taken = 0;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..=rnd(2) {
                s.push_str(pieces[rnd(pieces.len())]);
            }
            for field in &*plan.root.fields {
                let (mut text, mut general_text) = (String::new(), String::new());
                let mut slot = Val::Absent;
                let fast =
                    fast_str::<Borrowed>(&field.value, &s, &mut text, &mut slot).then_some(slot);
                let node = [Node::String(&s)];
                let mut vals = Vec::new();
                let general =
                    TapeDecoder::<Borrowed>::new(&node, &mut vals, &mut general_text, true)
                        .value(&field.value, 0);
                if let Some(v) = fast {
                    taken += 1;
                    let Ok(g) = general else {
                        panic!(
                            "{}: {s:?} taken as {v:?}, refused by the general path",
                            field.name
                        );
                    };
                    assert_eq!(format!("{v:?}"), format!("{g:?}"), "{}: {s:?}", field.name);
                    assert_eq!(text, general_text, "{}: {s:?}", field.name);
                }
            }
        }
        // Enough values took a fast case for the comparison to mean something.
        assert!(taken > 20_000, "{taken} values took a fast case");
        for (name, s) in [
            ("a", "ipsec"),
            ("b", "true"),
            ("b", ""),
            ("i", "12"),
            ("s", "x"),
        ] {
            let field = plan
                .root
                .fields
                .iter()
                .find(|f| &*f.name == name)
                .expect("field");
            let mut text = String::new();
            assert!(
                fast_str::<Borrowed>(&field.value, s, &mut text, &mut Val::Absent),
                "{name}: {s:?}"
            );
        }
    }
}
