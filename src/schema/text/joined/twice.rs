//! Placeholders that fill one field twice in a joined `regex` pattern, found in the
//! pattern's syntax tree and reported where the two part.

use regex_syntax::ast::{self, Ast, GroupKind};

use super::super::{At, Fill, Problem, GROUP_PREFIX};

/// A placeholder that fills the field of an earlier placeholder of the joined pattern when
/// both can match one line (they are not in two branches of one `|`): the regex crate
/// refuses two groups of one name, but placeholders get groups of their own, and one of the
/// two values would be lost. `fields`, `fills` and `trails` are by placeholder group number.
/// Each is reported once, where the two part: a definition used twice (`%{KV} %{KV}`) at
/// its second use, not at the capture inside it, which is written once.
pub(super) fn filled_twice(
    joined: &str,
    fields: &[String],
    fills: &[Fill],
    trails: &[Vec<(At, usize)>],
) -> Vec<Problem> {
    /// Each placeholder group: its number and the alternation branches it is in, as
    /// (alternation, branch) from the outermost.
    struct Groups {
        open: Vec<(usize, usize)>,
        alternations: usize,
        found: Vec<(usize, Vec<(usize, usize)>)>,
    }
    impl ast::Visitor for Groups {
        type Output = Vec<(usize, Vec<(usize, usize)>)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.found)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            match ast {
                Ast::Alternation(_) => {
                    self.open.push((self.alternations, 0));
                    self.alternations += 1;
                }
                Ast::Group(group) => {
                    if let GroupKind::CaptureName { name, .. } = &group.kind {
                        if let Some(n) = name.name.strip_prefix(GROUP_PREFIX) {
                            if let Ok(n) = n.parse() {
                                self.found.push((n, self.open.clone()));
                            }
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        }
        fn visit_post(&mut self, ast: &Ast) -> Result<(), ()> {
            if let Ast::Alternation(_) = ast {
                self.open.pop();
            }
            Ok(())
        }
        fn visit_alternation_in(&mut self) -> Result<(), ()> {
            if let Some((_, branch)) = self.open.last_mut() {
                *branch += 1;
            }
            Ok(())
        }
    }
    let Ok(tree) = ast::parse::Parser::new().parse(joined) else {
        return Vec::new();
    };
    let groups = Groups {
        open: Vec::new(),
        alternations: 0,
        found: Vec::new(),
    };
    let found = ast::visit(&tree, groups).unwrap_or_default();
    let exclusive = |a: &[(usize, usize)], b: &[(usize, usize)]| {
        a.iter()
            .any(|&(alt, i)| b.iter().any(|&(other, j)| alt == other && i != j))
    };
    let mut problems = Vec::new();
    for (k, (later, later_path)) in found.iter().enumerate() {
        let (Some(field), Some(_)) = (fields.get(*later), fills.get(*later)) else {
            continue;
        };
        let clash = found[..k].iter().find(|(earlier, path)| {
            fields.get(*earlier) == Some(field) && !exclusive(path, later_path)
        });
        let Some((earlier, _)) = clash else {
            continue;
        };
        let (at, offset, through) = where_they_part(fills, trails, *earlier, *later);
        let through = if through {
            "this placeholder fills it through the grok patterns it names; "
        } else {
            ""
        };
        let problem = Problem {
            at,
            offset,
            message: format!(
                "field `{field}` is filled by two placeholders that can both match a line"
            ),
            hint: Some(format!(
                "{through}a field holds one value; name the second one differently, match it \
                 without a field (`%{{PATTERN}}`), or make them alternatives (`(?:...|...)`)"
            )),
        };
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    problems
}

/// Where the placeholder group `later` parts from `earlier` in what the user wrote: the
/// first placeholder on the way to it (from the `match` item down, see [`Grok::trails`](super::super::grok::Grok::trails))
/// that is not on the way to `earlier`; and whether that placeholder names a definition
/// that leads to the capture rather than being the capture itself.
fn where_they_part(
    fills: &[Fill],
    trails: &[Vec<(At, usize)>],
    earlier: usize,
    later: usize,
) -> (At, Option<usize>, bool) {
    // The placeholders leading to each capture, the capture's own last.
    let chain = |n: usize| -> Vec<(At, Option<usize>)> {
        let mut chain: Vec<(At, Option<usize>)> = trails
            .get(n)
            .into_iter()
            .flatten()
            .map(|(at, offset)| (at.clone(), Some(*offset)))
            .collect();
        if let Some(fill) = fills.get(n) {
            chain.push((fill.at.clone(), fill.offset));
        }
        chain
    };
    let (first, second) = (chain(earlier), chain(later));
    let part = first
        .iter()
        .zip(&second)
        .position(|(a, b)| a != b)
        .unwrap_or(second.len().saturating_sub(1));
    match second.get(part) {
        Some((at, offset)) => (at.clone(), *offset, part + 1 < second.len()),
        None => (At::Match, None, false),
    }
}
