//! Stopping a paging loop that would not end, as both sources do: a cursor (or page
//! token) that comes back, or pages that keep claiming more but bring nothing new.

use std::collections::HashSet;

/// Stops a paging loop that would not end: a cursor (or page token) that comes back, or
/// pages that keep claiming more with nothing new: empty, or (Zendesk, whose records have
/// ids) only records already read in this walk (with a new cursor each time, such a server
/// was followed forever: review s43-h4 MEDIUM-1). One per walk through a result's pages.
#[derive(Debug, Default)]
pub(super) struct Paging {
    cursors: HashSet<String>,
    empty_in_a_row: u32,
}

/// What [`Paging`] says of the pages that stop a walk.
pub(super) const NOTHING_NEW: &str = "three pages in a row that claim more but hold nothing \
    new (no record, or only records already read in this walk); stopping rather than looping";

impl Paging {
    /// Pages in a row with nothing new, each claiming more, that stop the stream.
    const MAX_EMPTY_IN_A_ROW: u32 = 3;

    /// A page that claims more, with `records` records not read before in this walk:
    /// whether it makes too many pages in a row with none (three).
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
