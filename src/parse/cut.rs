//! Running a [`RegexCut`]: a line cut at the pattern's literal text, each part checked by its
//! lazy DFA over exactly its span (why this gives the regex engine's captures: the module
//! docs of `compile/cut.rs`).

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::{Anchored, Input};

use crate::compile::cut::{End, RegexCut, Step};

/// What a cut says about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The pattern matches; the spans of the groups are filled.
    Match,
    /// The pattern does not match.
    NoMatch,
    /// A lazy DFA gave up (a Unicode `\b` next to a non-ASCII character): ask the regex.
    GaveUp,
}

/// The reused state of one cut in one normalizer.
pub(crate) struct CutSlot {
    caches: Box<[Cache]>,
    /// The span of each capture group of the last line cut, by group index.
    pub(crate) spans: Box<[Option<(usize, usize)>]>,
}

impl CutSlot {
    pub(crate) fn new(cut: &RegexCut) -> CutSlot {
        CutSlot {
            caches: cut.dfas.iter().map(Cache::new).collect(),
            spans: vec![None; cut.groups].into(),
        }
    }
}

/// Cut `line` with `cut`, filling `slot.spans`.
pub(crate) fn cut_line(cut: &RegexCut, slot: &mut CutSlot, line: &str) -> Cut {
    slot.spans.fill(None);
    let mut at = 0;
    run(cut, &cut.steps, slot, line, &mut at)
}

fn run(cut: &RegexCut, steps: &[Step], slot: &mut CutSlot, line: &str, at: &mut usize) -> Cut {
    let b = line.as_bytes();
    for step in steps {
        match step {
            Step::Literal(l) => {
                if !b[*at..].starts_with(l) {
                    return Cut::NoMatch;
                }
                *at += l.len();
            }
            Step::LineEnd => {
                if *at != b.len() {
                    return Cut::NoMatch;
                }
            }
            Step::Optional { literal, steps } => {
                if b[*at..].starts_with(literal) {
                    *at += literal.len();
                    let inner = run(cut, steps, slot, line, at);
                    if inner != Cut::Match {
                        return inner;
                    }
                }
            }
            Step::Part { dfa, group, end } => {
                let start = *at;
                let stop = match end {
                    End::StopByte(set) => b[start..]
                        .iter()
                        .position(|&x| !set[usize::from(x)])
                        .map_or(b.len(), |n| start + n),
                    End::FromLineEnd(n) => match b.len().checked_sub(*n) {
                        Some(stop) if stop >= start => stop,
                        _ => return Cut::NoMatch,
                    },
                };
                match exact(&cut.dfas[*dfa], &mut slot.caches[*dfa], line, start, stop) {
                    Some(true) => {}
                    Some(false) => return Cut::NoMatch,
                    None => return Cut::GaveUp,
                }
                if let Some(g) = group {
                    slot.spans[*g] = Some((start, stop));
                }
                *at = stop;
            }
        }
    }
    Cut::Match
}

/// Whether `dfa` matches exactly `line[start..end]`, the bytes around it seen by its
/// look-arounds; `None` when the DFA gives up.
fn exact(dfa: &DFA, cache: &mut Cache, line: &str, start: usize, end: usize) -> Option<bool> {
    let b = line.as_bytes();
    let input = Input::new(line).range(start..end).anchored(Anchored::Yes);
    let mut sid = dfa.start_state_forward(cache, &input).ok()?;
    let mut at = start;
    while at < end {
        if sid.is_tagged() {
            if sid.is_dead() {
                return Some(false);
            }
            if sid.is_quit() {
                return None;
            }
            // A match state (or a start state): the checked transition.
            sid = dfa.next_state(cache, sid, b[at]).ok()?;
            at += 1;
            continue;
        }
        // Through untagged states, the transition is a table read (no cache to check);
        // a transition not computed yet shows as an unknown state, computed then from the
        // state before it (as regex-automata's own search loop does).
        let mut prev = sid;
        while at < end {
            prev = sid;
            sid = dfa.next_state_untagged(cache, sid, b[at]);
            at += 1;
            if sid.is_tagged() {
                break;
            }
        }
        if sid.is_unknown() {
            sid = dfa.next_state(cache, prev, b[at - 1]).ok()?;
        }
    }
    if sid.is_dead() {
        return Some(false);
    }
    if sid.is_quit() {
        return None;
    }
    // Matches show one byte late: after the byte that follows the span (or the end).
    sid = match b.get(end) {
        Some(&x) => dfa.next_state(cache, sid, x),
        None => dfa.next_eoi_state(cache, sid),
    }
    .ok()?;
    if sid.is_quit() {
        return None;
    }
    Some(sid.is_match())
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::registry::Registry;
    use crate::testing::xorshift;

    /// Lines made by mutating `samples` with `pieces` (inserted, replacing or deleted), cut
    /// with `pattern`'s cut and matched with its regex: the same match or non-match and the
    /// same group spans, whenever the cut does not give up. Returns (matched, refused, gave
    /// up) counts.
    fn agree(pattern: &str, samples: &[&str], pieces: &[&str]) -> (usize, usize, usize) {
        let re = Regex::new(pattern).expect("pattern compiles");
        let cut = RegexCut::new(pattern, re.captures_len())
            .unwrap_or_else(|| panic!("{pattern:?} has a cut"));
        let mut slot = CutSlot::new(&cut);
        let mut locs = re.capture_locations();
        let mut rnd = xorshift(0x00c0_ffee);
        let mut counts = (0, 0, 0);
        for i in 0..6000 {
            let mut line: Vec<char> = samples[i % samples.len()].chars().collect();
            for _ in 0..rnd(4) {
                let at = rnd(line.len() + 1);
                match rnd(3) {
                    0 if at < line.len() => {
                        line.remove(at);
                    }
                    1 if at < line.len() => {
                        line.splice(at..=at, pieces[rnd(pieces.len())].chars());
                    }
                    _ => {
                        line.splice(at..at, pieces[rnd(pieces.len())].chars());
                    }
                }
            }
            let line: String = line.into_iter().collect();
            let matched = re.captures_read(&mut locs, &line).is_some();
            match cut_line(&cut, &mut slot, &line) {
                Cut::GaveUp => counts.2 += 1,
                got => {
                    assert_eq!(got == Cut::Match, matched, "{pattern:?} on {line:?}");
                    if matched {
                        counts.0 += 1;
                        for g in 1..locs.len() {
                            assert_eq!(
                                slot.spans[g],
                                locs.get(g),
                                "group {g} of {pattern:?} on {line:?}"
                            );
                        }
                    } else {
                        counts.1 += 1;
                    }
                }
            }
        }
        counts
    }

    #[test]
    fn cuts_agree_with_the_regex() {
        let pieces = [
            " ", "\"", ":", ".", "x", "é", "-", "=", "[", "]", "0", "9", "_", "A", "ü", "::",
            " user=", " rule=\"", "y=\"", "; ", "\t", "ab",
        ];
        let cases: &[(&str, &[&str])] = &[
            (
                r#"^(\w+) (\d+)-(?:x(\w*))? y="(.*?)"$"#,
                &["abc 12-x_9 y=\"q\"", "é 0- y=\"\"", "a 1-x y=\"a\"b\""],
            ),
            (
                r"^\[([^\]]+)\] (?P<a>[a-z]+)(?: (?P<b>[0-9]+))?; (.*)$",
                &["[x:y] ab 12; rest", "[é] q; ", "[a] b 1; ; "],
            ),
            (r"^(\pL+) (.+)$", &["éa b c", "x y", "ab  "]),
            (
                r"^((?-u:\b)[0-9A-Za-z_]+(?-u:\b))=(?:\d+|x)(?: user=([a-z.-]+))? rule=(.*)$",
                &[
                    "ab=12 user=a.b rule=\"x\"",
                    "_=x rule=",
                    "é=1 user=x rule=y",
                ],
            ),
        ];
        for (pattern, samples) in cases {
            let (matched, refused, _) = agree(pattern, samples, &pieces);
            // Enough lines of each kind for the comparison to mean something.
            assert!(
                matched > 300 && refused > 300,
                "{pattern:?}: {matched} matched, {refused} refused"
            );
        }
    }

    /// A Unicode `\b` next to a non-ASCII character makes the lazy DFA give up: the line then
    /// goes to the regex; every other line is cut as the regex matches it.
    #[test]
    fn unicode_word_boundaries_give_up_next_to_non_ascii() {
        let (matched, _, gave_up) = agree(
            r"^(\b\w+\b):(\b\w*) (.*)$",
            &["abc:de f", "éa:b c", "a:é x"],
            &["é", " ", ":", "a", "_", "9"],
        );
        assert!(
            matched > 300 && gave_up > 100,
            "{matched} matched, {gave_up} gave up"
        );
    }

    /// The benchmark's firewall log type (grok placeholders, an optional piece, a lazy group
    /// before `"$`) is cut, and its cut agrees with the regex.
    #[test]
    fn the_firewall_pattern_is_cut() {
        let mut registry = Registry::new();
        registry
            .add_str(
                include_str!("../../benches/schemas/Firewall.yml"),
                "Firewall.yml",
            )
            .expect("schema loads");
        let plan = registry.get("Bench.Firewall").expect("plan");
        let text = plan.text.as_ref().expect("text plan");
        assert!(text.cut.is_some(), "no cut for the firewall pattern");
        let samples = [
            r#"2023-01-18T01:38:23.417290Z globex.example fw[75816]: action=drop proto=udp src=2001:db8:c1f6:7917::fbbc sport=15590 dst=172.192.75.174 dport=18257 bytes=64944 rule="legal""#,
            r#"2023-01-18T01:38:23Z acme-corp.com fw[26397]: action=drop proto=udp src=192.172.139.31 sport=11492 dst=10.242.148.161 dport=27596 bytes=86363 user=trent_raman rule="reports""#,
        ];
        let pieces = [
            " ", "\"", ":", ".", "x", "é", "-", "=", "0", "9", " user=", "::", "300",
        ];
        let (matched, refused, _) = agree(text.regexes[0].as_str(), &samples, &pieces);
        assert!(
            matched > 300 && refused > 300,
            "{matched} matched, {refused} refused"
        );
    }

    /// Shapes with a boundary no literal text decides are left to the regex.
    #[test]
    fn patterns_without_forced_boundaries_have_no_cut() {
        for pattern in [
            r"(\w+) (\d+)$",           // not anchored at the start
            r"^(\w+) (\d+)",           // the last part may end anywhere
            r"^(a+)(b+)$",             // two parts side by side
            r"^(\w+)é(\d+)$",          // `é` is a word character: it cannot stop `\w+`
            r"^(\S+)(?: (\d+))? (x)$", // taken or skipped, the line goes on with a space
            r"^(\S+) (?:(\d+) )?x$",   // an optional piece not led by literal text
            r"^(?:(a)|(b)) c$",        // groups in an alternation
            r"(?m)^(\w+) x$",          // a multi-line anchor
        ] {
            let re = Regex::new(pattern).expect("pattern compiles");
            assert!(
                RegexCut::new(pattern, re.captures_len()).is_none(),
                "{pattern:?}"
            );
        }
    }
}
