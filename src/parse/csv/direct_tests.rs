//! The usual row decoded as it is cut gives what the general way gives.

use super::super::tape::Borrowed;
use super::*;
use crate::registry::Registry;
use crate::testing::xorshift;

/// Good values of the field of column `name` of the test schema below.
fn good(name: &str) -> &'static [&'static str] {
    match name {
        "t" => &["2023-07-01 14:00:00"],
        "e" => &["on", "off", "-"],
        "n" => &["12", "-7", " 5 "],
        "b" => &["true", "F"],
        "s" => &["x", "\"a,b\"", "é"],
        "j" => &["{\"k\":1}", "\"[1]\""],
        _ => &["w"],
    }
}

/// Rows decoded as they are cut give what the general way gives: the same block of values
/// and text when it takes them, a refusal when the general way refuses; and when it
/// leaves a row to the general way it leaves nothing behind. On random rows of valid and
/// bad values, quoted, escaped, empty, padded, short and long, with columns in another
/// order than the fields, and with a header that names one output twice (no direct way).
#[test]
fn decoding_as_cut_agrees_with_the_general_way() {
    let yaml = "schema: Tst.Direct\nparser:\n  csv:\n    delimiter: ','\n    hasHeader: true\n\
                \x20   trimSpace: true\n    emptyValues: ['-', 'n/a']\nfields:\n\
                \x20 - {name: t, type: timestamp, timeFormat: '%Y-%m-%d %H:%M:%S', required: true}\n\
                \x20 - {name: e, type: string, validate: {allow: [on, off]}}\n\
                \x20 - {name: n, type: bigint}\n\
                \x20 - {name: b, type: boolean}\n\
                \x20 - {name: s, type: string, required: true}\n\
                \x20 - {name: j, type: json}\n";
    let mut registry = Registry::new();
    registry.add_str(yaml, "direct.yml").expect("schema loads");
    let plan = registry.get("Tst.Direct").expect("plan");
    let tp = plan.text.as_ref().expect("text plan");
    let c = tp.csv.as_ref().expect("csv plan");
    let pieces = [
        "2023-07-01 14:00:00",
        "2023-02-30 14:00:00",
        "on",
        "off",
        "maybe",
        "12",
        "-7",
        "99999999999999999999",
        "true",
        "F",
        "yes",
        "-",
        "n/a",
        "",
        " x ",
        "\"a,b\"",
        "\"say \"\"hi\"\"\"",
        "\"lazy\"quote\"",
        "{\"k\":1}",
        "é",
    ];
    let mut rnd = xorshift(0xd1ec7);
    let (mut direct_taken, mut direct_refused) = (0, 0);
    for header in ["s,t,e,n,b,j,x", "j,b,n,e,t,s", "t,s,s,n"] {
        let mut slot = TextSlot::new(tp, usize::MAX);
        start_input(tp, &mut slot, 0);
        assert!(offer_header(tp, &mut slot, header, (1, 0)));
        let names: Vec<&str> = header.split(',').collect();
        // Mostly a good value of the column's field, else any piece; now and then a
        // value too few or too many.
        for _ in 0..4_000 {
            let n = match rnd(20) {
                0 => names.len() - 1,
                1 => names.len() + 1,
                _ => names.len(),
            };
            let row: Vec<&str> = (0..n)
                .map(|k| {
                    let good = good(names.get(k).copied().unwrap_or_default());
                    if rnd(8) == 0 {
                        pieces[rnd(pieces.len())]
                    } else {
                        good[rnd(good.len())]
                    }
                })
                .collect();
            let row = row.join(",");
            let (mut vals, mut text) = (Vec::new(), String::new());
            let direct =
                decode_direct::<Borrowed>(&plan.root, tp, c, &slot, &row, &mut vals, &mut text);
            let (mut g_vals, mut g_text) = (Vec::new(), String::new());
            let general = decode_general::<Borrowed>(
                &plan.root,
                tp,
                c,
                &mut slot,
                &row,
                &mut g_vals,
                &mut g_text,
                false,
            );
            match direct {
                None => assert!(vals.is_empty() && text.is_empty(), "{row:?}"),
                Some(Ok(_)) => {
                    direct_taken += 1;
                    assert!(general.is_ok(), "{row:?}: taken, the general way refuses");
                    assert_eq!(format!("{vals:?}"), format!("{g_vals:?}"), "{row:?}");
                    assert_eq!(text, g_text, "{row:?}");
                }
                Some(Err(_)) => {
                    direct_refused += 1;
                    assert!(
                        general.is_err(),
                        "{row:?}: refused, the general way takes it"
                    );
                }
            }
        }
        if header == "t,s,s,n" {
            assert!(slot.csv.as_ref().is_some_and(|cs| cs.direct.is_empty()));
        }
    }
    // Enough rows went each way for the comparison to mean something.
    assert!(direct_taken > 300, "{direct_taken} rows decoded as cut");
    assert!(direct_refused > 100, "{direct_refused} rows refused as cut");
}
