//! A shortcut for patterns made only of numbers and separators, such as `%Y-%m-%d %H:%M:%S`:
//! a value with every number at its full width (`2023-07-01 14:00:00`, as nearly all are) is
//! read at fixed offsets, without the pattern engine's walk over its elements.
//!
//! The shortcut decides only values of that exact shape, and decides them as the engine
//! would: the engine reads each number greedily up to its width, so on a value whose numbers
//! are all full-width digit runs separated by the literal text (which has no digits), it reads
//! the same digits at the same offsets, and with no other element the date is checked and
//! built from them the same way (`civil_to_ts`). Any other value (a one-digit day, a wrong
//! length, a letter) goes to the engine, so what is accepted and rejected does not change.
//!
//! Two elements of the usual web server time (`%d/%b/%Y:%H:%M:%S %z`) are read too: a short
//! month name (three letters, at its offset, by the engine's own `month_name`), and a
//! `±hhmm` offset (its sign at its offset, then four digits). Neither holds a digit where a
//! number would continue, so the numbers are still read at the same offsets; a name that is
//! not a month, a sign that is neither `+` nor `-`, or an offset past 24 h or 60 min (read
//! without a range check by both a Go layout and strftime's `%z`, as Go 1.15 and timefmt-go
//! do, but rare enough to leave) leaves the value to the engine.

use super::calendar::civil_to_ts;
use super::names::month_name;
use super::pattern::{Dialect, Field, Item, OffsetForm};
use super::Timestamp;

/// The longest value the shortcut reads (two 16-byte words); longer patterns are left to the
/// engine.
const MAX_LEN: usize = 32;
const ONES: u128 = u128::MAX / 0xff;
const TOPS: u128 = ONES * 0x80;

/// What a byte of the layout holds.
#[derive(Debug, Clone, Copy)]
enum Lane {
    Digit,
    Literal(u8),
    /// Read on its own: a letter of a month name, an offset's sign.
    Other,
}

/// A value without the layout's shape, left to the pattern engine.
#[derive(Debug)]
pub(super) struct OtherShape;

/// A pattern of numbers and literal text, compiled to offsets (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct FixedLayout {
    /// The length of the values it reads.
    len: usize,
    /// Per 16-byte word of the value: all ones in the lanes of digits...
    digits: [u128; 2],
    /// ...all ones in the lanes read on their own (a month name, an offset's sign)...
    others: [u128; 2],
    /// ...and the literal bytes in the rest (zero past the end, where the value is padded
    /// with zeros).
    literals: [u128; 2],
    /// The offset of a short month name (`%b`), and of a `±hhmm` offset's sign.
    month_name: Option<u8>,
    offset: Option<u8>,
    /// Each number: its offset, its width and the index of its field in the fields that
    /// [`FixedLayout::parse`] hands to `civil_to_ts`, in pattern order.
    numbers: Box<[(u8, u8, u8)]>,
    /// The year when the pattern has none.
    default_year: u32,
    /// Whether the pattern reads a year: without one, February 29 of a common default
    /// year is left to the engine (`pattern.rs`, which rolls it over).
    has_year: bool,
    /// A strftime pattern: hour 24 and second 60 are left to the engine, which rolls them
    /// over as timefmt-go does (Go layouts refuse them).
    rolls_over: bool,
}

impl FixedLayout {
    /// The layout of `items`, when every element is a number of a date or time field (read
    /// without spaces before it or a fraction after it), literal text without digits, or at
    /// most one short month name and one `±hhmm` offset.
    pub(super) fn of(items: &[Item], default_year: i64, dialect: Dialect) -> Option<FixedLayout> {
        let mut shape: Vec<Lane> = Vec::new();
        let mut numbers = Vec::new();
        let (mut month, mut offset) = (None, None);
        for item in items {
            match item {
                Item::Lit(lit) if !lit.iter().any(u8::is_ascii_digit) => {
                    shape.extend(lit.iter().copied().map(Lane::Literal));
                }
                Item::MonthName { long: false } if month.is_none() => {
                    month = Some(u8::try_from(shape.len()).ok()?);
                    shape.extend([Lane::Other; 3]);
                }
                Item::Offset {
                    form: OffsetForm::HhMm | OffsetForm::Lenient,
                    ..
                } if offset.is_none() => {
                    offset = Some(u8::try_from(shape.len()).ok()?);
                    shape.extend([
                        Lane::Other,
                        Lane::Digit,
                        Lane::Digit,
                        Lane::Digit,
                        Lane::Digit,
                    ]);
                }
                Item::Num {
                    field,
                    max,
                    skip_spaces: 0,
                    auto_frac: false,
                    ..
                } if (1..=4).contains(max) => {
                    let slot = match field {
                        Field::Year => 0,
                        Field::Month => 1,
                        Field::Day => 2,
                        Field::Hour => 3,
                        Field::Minute => 4,
                        Field::Second => 5,
                        _ => return None,
                    };
                    numbers.push((u8::try_from(shape.len()).ok()?, *max, slot));
                    shape.extend(std::iter::repeat_n(Lane::Digit, usize::from(*max)));
                }
                _ => return None,
            }
        }
        if shape.len() > MAX_LEN || numbers.is_empty() {
            return None;
        }
        let (mut digits, mut others, mut literals) = ([0u128; 2], [0u128; 2], [0u128; 2]);
        for (i, b) in shape.iter().enumerate() {
            let lane = 8 * (i % 16);
            match b {
                Lane::Digit => digits[i / 16] |= 0xff << lane,
                Lane::Other => others[i / 16] |= 0xff << lane,
                Lane::Literal(b) => literals[i / 16] |= u128::from(*b) << lane,
            }
        }
        let has_year = numbers.iter().any(|&(_, _, slot)| slot == 0);
        Some(FixedLayout {
            len: shape.len(),
            digits,
            others,
            literals,
            month_name: month,
            offset,
            numbers: numbers.into_boxed_slice(),
            default_year: u32::try_from(default_year).ok()?,
            has_year,
            rolls_over: dialect == Dialect::Strftime,
        })
    }

    /// The value decoded, when it has the layout's exact shape (`Ok(None)`: it has, and is
    /// not a valid time, e.g. February 30); `Err` when it has not (the engine decides).
    #[inline]
    pub(super) fn parse(&self, input: &[u8]) -> Result<Option<Timestamp>, OtherShape> {
        if input.len() != self.len {
            return Err(OtherShape);
        }
        let mut buf = [0u8; MAX_LEN];
        buf[..self.len].copy_from_slice(input);
        let (lo, hi) = buf.split_at(16);
        let words = [lo, hi].map(|w| u128::from_le_bytes(w.try_into().unwrap_or_default()));
        if !(self.shaped(words[0], 0) && self.shaped(words[1], 1)) {
            return Err(OtherShape);
        }
        // Year, month, day, hour, minute, second.
        let mut fields = [self.default_year, 1, 1, 0, 0, 0];
        for &(at, width, slot) in &*self.numbers {
            // Unrolled by width (one to four digits, see `of`): a loop over the digits cost
            // more than the rest of the shortcut. `% MAX_LEN` spares the bounds checks.
            let d = |k: u8| u32::from(buf[usize::from(at + k) % MAX_LEN].wrapping_sub(b'0'));
            fields[usize::from(slot) % 6] = match width {
                1 => d(0),
                2 => d(0) * 10 + d(1),
                3 => d(0) * 100 + d(1) * 10 + d(2),
                _ => d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
            };
        }
        if let Some(at) = self.month_name {
            let name = buf
                .get(usize::from(at)..usize::from(at) + 3)
                .unwrap_or_default();
            fields[1] = month_name(name, false).ok_or(OtherShape)?.0;
        }
        let mut offset = 0;
        if let Some(at) = self.offset {
            let at = usize::from(at);
            let sign = match buf[at % MAX_LEN] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(OtherShape),
            };
            let d = |k: usize| u32::from(buf[(at + k) % MAX_LEN].wrapping_sub(b'0'));
            let (hh, mm) = (d(1) * 10 + d(2), d(3) * 10 + d(4));
            if hh > 24 || mm > 60 {
                return Err(OtherShape);
            }
            offset = sign * i64::from(hh * 3600 + mm * 60);
        }
        let [year, month, day, hour, minute, second] = fields;
        let ts = civil_to_ts(i64::from(year), month, day, hour, minute, second, 0, offset);
        // Checked only when the date is refused, so that valid values pay nothing.
        if ts.is_none()
            && ((!self.has_year && (month, day) == (2, 29))
                || (self.rolls_over && (hour == 24 || second == 60)))
        {
            return Err(OtherShape);
        }
        Ok(ts)
    }

    /// Whether word `k` of the value holds digits in the digits' lanes and the literal bytes
    /// in the others.
    #[inline]
    fn shaped(&self, w: u128, k: usize) -> bool {
        let digits = self.digits[k];
        if w & !(digits | self.others[k]) != self.literals[k] {
            return false;
        }
        // The digits' lanes, the others set to '0': every lane must be a digit. Below 0x80,
        // a lane is at least '0' when setting its top bit and taking 0x30 leaves the top bit
        // (no borrow crosses lanes), and at most '9' when adding 0x46 does not set it.
        let v = (w & digits) | (!digits & (ONES * u128::from(b'0')));
        v & TOPS == 0
            && ((v | TOPS) - ONES * u128::from(b'0')) & TOPS == TOPS
            && (v + ONES * 0x46) & TOPS == 0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{Pattern, TimeFormat};

    /// Patterns with a fixed layout, and three without (a one-digit `%e`, two Go layouts whose
    /// seconds may take a fraction), whose values all go to the engine; each with the shape of
    /// its values: `d` a digit, `\x01` a month name, `\x02` a `±hhmm` offset.
    const SPECS: [(&str, &str); 14] = [
        ("%Y-%m-%d %H:%M:%S", "dddd-dd-dd dd:dd:dd"),
        ("%Y%m%d%H%M%S", "dddddddddddddd"),
        ("%d/%m/%Y", "dd/dd/dddd"),
        ("%H:%M", "dd:dd"),
        ("%F %T", "dddd-dd-dd dd:dd:dd"),
        ("%Y-%m-%dT%H:%M:%SZ", "dddd-dd-ddTdd:dd:ddZ"),
        ("layout=20060102", "dddddddd"),
        ("%m/%d/%Y %H:%M", "dd/dd/dddd dd:dd"),
        ("%d/%b/%Y:%H:%M:%S %z", "dd/\x01/dddd:dd:dd:dd \x02"),
        ("%b%d %H:%M:%S%z", "\x01dd dd:dd:dd\x02"),
        ("%Y-%m-%d %H:%M:%S %z", "dddd-dd-dd dd:dd:dd \x02"),
        ("%e/%m/%Y", "dd/dd/dddd"),
        ("layout=2006-01-02 15:04:05", "dddd-dd-dd dd:dd:dd"),
        (
            "layout=02/Jan/2006:15:04:05 -0700",
            "dd/\x01/dddd:dd:dd:dd \x02",
        ),
    ];

    /// The month names `value` writes, valid (in any case) or not.
    const NAMES: [&[u8]; 6] = [b"Jan", b"oct", b"DEC", b"Sep", b"Foo", b"Ju1"];

    fn pattern(spec: &str) -> Pattern {
        match TimeFormat::from_spec(spec).expect("spec") {
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p,
            other => panic!("{spec:?} is {other:?}"),
        }
    }

    /// A value of `shape`: each digit from `digits` (any, so out-of-range months, days,
    /// hours, February 29 of common years and the like come up), then changed at random:
    /// a byte replaced, removed or added.
    fn value(shape: &str, digits: &[u8], edit: (u8, usize, u8)) -> Vec<u8> {
        let mut d = digits.iter().cycle();
        let mut digit = || b'0' + d.next().unwrap_or(&0) % 10;
        let mut v: Vec<u8> = Vec::new();
        for c in shape.bytes() {
            match c {
                b'd' => v.push(digit()),
                1 => v.extend_from_slice(NAMES[usize::from(digit() - b'0') % NAMES.len()]),
                2 => {
                    // Offsets of up to 29:69, some past the engine's range; one sign in ten
                    // is neither + nor -.
                    v.push(b"+-+-+-+-+x"[usize::from(digit() - b'0')]);
                    let hh = (digit() - b'0') % 3;
                    v.extend([b'0' + hh, digit(), b'0' + (digit() - b'0') % 7, digit()]);
                }
                c => v.push(c),
            }
        }
        let (kind, at, byte) = edit;
        let at = at % (v.len() + 1);
        let byte = b"0123456789-: /TZx\xc3+J"[usize::from(byte) % 19];
        match kind % 6 {
            0 if at < v.len() => v[at] = byte,
            1 if at < v.len() => {
                v.remove(at);
            }
            2 => v.insert(at, byte),
            _ => {}
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The shortcut and the engine agree on every value, valid or not.
        #[test]
        fn fixed_layout_decides_as_the_engine(
            spec in 0..SPECS.len(),
            digits in proptest::collection::vec(0u8..10, 14),
            low in any::<bool>(),
            edit in (any::<u8>(), any::<usize>(), any::<u8>()),
        ) {
            let (spec, shape) = SPECS[spec];
            let p = pattern(spec);
            // Digits below 3 make valid dates likely; any digit makes invalid ones.
            let digits: Vec<u8> = digits.iter().map(|&d| if low { d % 3 } else { d }).collect();
            let v = value(shape, &digits, edit);
            prop_assert_eq!(p.parse(&v), p.parse_items(&v), "{:?} on {:?}", spec, String::from_utf8_lossy(&v));
        }
    }

    /// The shortcut is taken where it should be (else the test above compares the engine
    /// with itself), and decides both valid and invalid dates.
    #[test]
    fn fixed_layout_is_used_for_number_patterns() {
        for (spec, shape) in &SPECS[..11] {
            let p = pattern(spec);
            let fixed = p.fixed.as_ref().expect(spec);
            // All ones: a valid time, a valid name (`oct`) and offset (`-1111`), so the
            // shapes of the test above are the layouts' own.
            let v = value(shape, &[1], (5, 0, 0));
            let decided = fixed.parse(&v).expect(spec);
            assert!(decided.is_some(), "{spec:?} on {v:?}");
            assert_eq!(decided, p.parse_items(&v), "{spec:?}");
        }
        for (spec, _) in &SPECS[11..] {
            assert!(pattern(spec).fixed.is_none(), "{spec:?}");
        }
        let p = pattern("%Y-%m-%d %H:%M:%S");
        let fixed = p.fixed.as_ref().expect("layout");
        for (v, valid) in [
            ("2023-07-01 14:00:00", true),
            ("2024-02-29 23:59:59", true),
            ("2023-02-29 00:00:00", false),
            ("2023-13-01 00:00:00", false),
            ("2023-00-10 00:00:00", false),
            ("2023-04-31 00:00:00", false),
            ("2023-07-01 25:00:00", false),
            ("2023-07-01 00:60:00", false),
            ("2023-07-01 00:00:61", false),
        ] {
            let decided = fixed.parse(v.as_bytes()).expect("the shape");
            assert_eq!(decided.is_some(), valid, "{v}");
            assert_eq!(decided, p.parse_items(v.as_bytes()), "{v}");
        }
        // Hour 24 and second 60 go to the engine, which rolls them over (strftime) or
        // refuses them (a Go layout).
        for v in [
            "2023-7-01 14:00:00",
            "2023-07-01 14:00:00 ",
            "2023-07-01T14:00:00",
            "2023-07-01 24:00:00",
            "2023-07-01 00:00:60",
        ] {
            assert!(fixed.parse(v.as_bytes()).is_err(), "{v}");
        }
    }
}
