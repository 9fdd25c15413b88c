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

use super::calendar::civil_to_ts;
use super::pattern::{Field, Item};
use super::Timestamp;

/// The longest value the shortcut reads (two 16-byte words); longer patterns are left to the
/// engine.
const MAX_LEN: usize = 32;
const ONES: u128 = u128::MAX / 0xff;
const TOPS: u128 = ONES * 0x80;

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
    /// ...and the literal bytes in the others (zero past the end, where the value is padded
    /// with zeros).
    literals: [u128; 2],
    /// Each number: its offset, its width and the index of its field in the fields that
    /// [`FixedLayout::parse`] hands to `civil_to_ts`, in pattern order.
    numbers: Box<[(u8, u8, u8)]>,
    /// The year when the pattern has none.
    default_year: u32,
}

impl FixedLayout {
    /// The layout of `items`, when every element is a number of a date or time field (read
    /// without spaces before it or a fraction after it) or literal text without digits.
    pub(super) fn of(items: &[Item], default_year: i64) -> Option<FixedLayout> {
        // Per byte: `None` for a digit, else the literal byte.
        let mut shape: Vec<Option<u8>> = Vec::new();
        let mut numbers = Vec::new();
        for item in items {
            match item {
                Item::Lit(lit) if !lit.iter().any(u8::is_ascii_digit) => {
                    shape.extend(lit.iter().copied().map(Some));
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
                    shape.extend(std::iter::repeat_n(None, usize::from(*max)));
                }
                _ => return None,
            }
        }
        if shape.len() > MAX_LEN || numbers.is_empty() {
            return None;
        }
        let (mut digits, mut literals) = ([0u128; 2], [0u128; 2]);
        for (i, b) in shape.iter().enumerate() {
            let lane = 8 * (i % 16);
            match b {
                None => digits[i / 16] |= 0xff << lane,
                Some(b) => literals[i / 16] |= u128::from(*b) << lane,
            }
        }
        Some(FixedLayout {
            len: shape.len(),
            digits,
            literals,
            numbers: numbers.into_boxed_slice(),
            default_year: u32::try_from(default_year).ok()?,
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
        let [year, month, day, hour, minute, second] = fields;
        Ok(civil_to_ts(
            i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            0,
            0,
        ))
    }

    /// Whether word `k` of the value holds digits in the digits' lanes and the literal bytes
    /// in the others.
    #[inline]
    fn shaped(&self, w: u128, k: usize) -> bool {
        let digits = self.digits[k];
        if w & !digits != self.literals[k] {
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

    /// Patterns with a fixed layout, and two without (a one-digit `%e`, a Go layout whose
    /// seconds may take a fraction), whose values all go to the engine.
    const SPECS: [&str; 10] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y%m%d%H%M%S",
        "%d/%m/%Y",
        "%H:%M",
        "%F %T",
        "%Y-%m-%dT%H:%M:%SZ",
        "layout=20060102",
        "%m/%d/%Y %H:%M",
        "%e/%m/%Y",
        "layout=2006-01-02 15:04:05",
    ];

    fn pattern(spec: &str) -> Pattern {
        match TimeFormat::from_spec(spec).expect("spec") {
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p,
            other => panic!("{spec:?} is {other:?}"),
        }
    }

    /// A value shaped like `spec`: each directive's digits (any, so out-of-range months, days,
    /// hours, February 29 of common years and the like come up), then changed at random:
    /// a byte replaced, removed or added, a number shortened.
    fn value(spec: &str, digits: &[u8], edit: (u8, usize, u8)) -> Vec<u8> {
        let shape = spec
            .trim_start_matches("layout=")
            .replace("%Y", "dddd")
            .replace("2006", "dddd")
            .replace("%F", "dddd-dd-dd")
            .replace("%T", "dd:dd:dd")
            .replace(['%', '0', '1', '2', '3', '4', '5'], "")
            .replace(['m', 'd', 'H', 'M', 'S', 'e'], "dd");
        let mut d = digits.iter().cycle();
        let mut v: Vec<u8> = shape
            .bytes()
            .map(|c| {
                if c == b'd' {
                    b'0' + d.next().unwrap_or(&0) % 10
                } else {
                    c
                }
            })
            .collect();
        let (kind, at, byte) = edit;
        let at = at % (v.len() + 1);
        let byte = b"0123456789-: /TZx\xc3"[usize::from(byte) % 17];
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
            let p = pattern(SPECS[spec]);
            // Digits below 3 make valid dates likely; any digit makes invalid ones.
            let digits: Vec<u8> = digits.iter().map(|&d| if low { d % 3 } else { d }).collect();
            let v = value(SPECS[spec], &digits, edit);
            prop_assert_eq!(p.parse(&v), p.parse_items(&v), "{:?} on {:?}", SPECS[spec], String::from_utf8_lossy(&v));
        }
    }

    /// The shortcut is taken where it should be (else the test above compares the engine
    /// with itself), and decides both valid and invalid dates.
    #[test]
    fn fixed_layout_is_used_for_number_patterns() {
        for spec in &SPECS[..8] {
            assert!(pattern(spec).fixed.is_some(), "{spec:?}");
        }
        for spec in &SPECS[8..] {
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
            ("2023-07-01 24:00:00", false),
            ("2023-07-01 00:60:00", false),
            ("2023-07-01 00:00:60", false),
        ] {
            let decided = fixed.parse(v.as_bytes()).expect("the shape");
            assert_eq!(decided.is_some(), valid, "{v}");
            assert_eq!(decided, p.parse_items(v.as_bytes()), "{v}");
        }
        for v in [
            "2023-7-01 14:00:00",
            "2023-07-01 14:00:00 ",
            "2023-07-01T14:00:00",
        ] {
            assert!(fixed.parse(v.as_bytes()).is_err(), "{v}");
        }
    }
}
