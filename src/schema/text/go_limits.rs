//! What Go's regular expressions (Panther's) refuse in a pattern that the `regex` crate
//! takes: repetition counts over 1000. A schema `schema check` passes must load in Panther.

use regex_syntax::ast::{self, Ast, RepetitionKind, RepetitionRange};

/// Go's largest repetition count (`regexp/syntax`: `invalid repeat count`).
const MAX_REPEAT: u32 = 1000;

/// The message for a count over the limit, in the words of Go's error.
pub(super) fn repeat_message() -> String {
    "invalid regular expression: invalid repeat count".into()
}

/// The hint for a count over the limit.
pub(super) fn repeat_hint() -> String {
    format!(
        "Panther's regular expressions (Go's) refuse a count `{{n}}`, `{{n,}}` or `{{n,m}}` over \
         {MAX_REPEAT}, and counts nested in one another whose product is over {MAX_REPEAT}; \
         use `+` or `*`"
    )
}

/// The byte offsets in `pattern` (at their `{`) of the repetition counts Go refuses: a
/// count over [`MAX_REPEAT`], or the outermost of counts nested in one another that make
/// more than [`MAX_REPEAT`] copies of what they repeat, where Go reports it (its
/// `repeatIsValid`: a count `{0}` sets the copies of what it holds aside). Empty when
/// `pattern` does not parse (its syntax is reported otherwise).
pub(super) fn repeat_counts(pattern: &str) -> Vec<usize> {
    /// For each open repetition, the copies still allowed inside it and the outermost
    /// count that limits them; and the offsets found.
    struct Counts {
        budgets: Vec<(u32, Option<usize>)>,
        found: Vec<usize>,
    }
    impl ast::Visitor for Counts {
        type Output = Vec<usize>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.found)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            if let Ast::Repetition(rep) = ast {
                let (budget, outer) = self.budgets.last().copied().unwrap_or((MAX_REPEAT, None));
                let count = match rep.op.kind {
                    RepetitionKind::Range(
                        RepetitionRange::Exactly(m)
                        | RepetitionRange::AtLeast(m)
                        | RepetitionRange::Bounded(_, m),
                    ) => Some(m),
                    _ => None,
                };
                let here = rep.op.span.start.offset;
                let inner = match count {
                    // `{0}` (or `{0,0}`): Go checks no further out than its own content.
                    Some(0) => (MAX_REPEAT, None),
                    Some(m) if m > budget => {
                        let at = if m > MAX_REPEAT {
                            here
                        } else {
                            outer.unwrap_or(here)
                        };
                        if !self.found.contains(&at) {
                            self.found.push(at);
                        }
                        // Reported once: what it holds is checked on its own.
                        (MAX_REPEAT, None)
                    }
                    Some(1) => (budget, outer),
                    Some(m) => (budget / m, outer.or(Some(here))),
                    None => (budget, outer),
                };
                // `{n,m}` with n over the limit and m within it is refused by the `regex`
                // crate already (n > m).
                self.budgets.push(inner);
            }
            Ok(())
        }
        fn visit_post(&mut self, ast: &Ast) -> Result<(), ()> {
            if let Ast::Repetition(_) = ast {
                self.budgets.pop();
            }
            Ok(())
        }
    }
    let Ok(tree) = ast::parse::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    ast::visit(
        &tree,
        Counts {
            budgets: Vec::new(),
            found: Vec::new(),
        },
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::repeat_counts;

    #[test]
    fn counts_over_go_limit() {
        for (pattern, expected) in [
            (r"\w{1000}", vec![]),
            (r"\w{1001}", vec![2]),
            (r"\w{1001,}", vec![2]),
            (r"\w{0,1001}", vec![2]),
            (r"\w{2,1000}", vec![]),
            (r"a*b+c?", vec![]),
            // Nested: 10 * 100 copies is Go's limit, 10 * 101 is over it.
            (r"(?:a{10}){100}", vec![]),
            (r"(?:a{101}){10}", vec![10]),
            (r"(?:a{10}|b{101}){10}", vec![16]),
            (r"(?:(?:a{2000}){0}){2}", vec![7]),
            (r"(?:(?:a{600}){0}){2}", vec![]),
            (r"(?:a{1001}", vec![]),
            // Over the limit alone: there, whatever holds it.
            (r"(?:a{1001}){2}", vec![4]),
            (r"(?:(?:a{10}){10}){11}", vec![17]),
        ] {
            assert_eq!(repeat_counts(pattern), expected, "{pattern}");
        }
    }
}
