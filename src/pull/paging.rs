//! Stopping a paging loop that would not end, as both sources do: a cursor (or page
//! token) that comes back, or empty pages that keep claiming more.

use std::collections::HashSet;

/// Stops a paging loop that would not end: a cursor (or page token) that comes back, or
/// empty pages that keep claiming more. One per walk through a result's pages.
#[derive(Debug, Default)]
pub(super) struct Paging {
    cursors: HashSet<String>,
    empty_in_a_row: u32,
}

impl Paging {
    /// Empty pages in a row, each claiming more, that stop the stream.
    const MAX_EMPTY_IN_A_ROW: u32 = 3;

    /// A page of `records` records that claims more: whether it makes too many empty pages
    /// in a row (three).
    pub(super) fn too_many_empty(&mut self, records: usize) -> bool {
        if records > 0 {
            self.empty_in_a_row = 0;
            return false;
        }
        self.empty_in_a_row += 1;
        self.empty_in_a_row >= Self::MAX_EMPTY_IN_A_ROW
    }

    /// Whether `cursor`, the next page's, was already followed in this walk (it is
    /// remembered otherwise).
    pub(super) fn repeats(&mut self, cursor: &str) -> bool {
        !self.cursors.insert(cursor.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[test]
    fn paging_stops_at_the_third_empty_page_in_a_row() {
        let mut p = Paging::default();
        assert!(!p.too_many_empty(0));
        assert!(!p.too_many_empty(0));
        assert!(
            !p.too_many_empty(5),
            "a page with records starts the count again"
        );
        assert!(!p.too_many_empty(0));
        assert!(!p.too_many_empty(0));
        assert!(p.too_many_empty(0));
    }

    #[test]
    fn paging_stops_at_a_cursor_that_comes_back() {
        let mut p = Paging::default();
        assert!(!p.repeats("a"));
        assert!(!p.repeats("b"));
        assert!(p.repeats("a"));
    }
}
