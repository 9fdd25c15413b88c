//! The batch of records a pull is building, as an API page that `normalize` reads.

/// A batch being built: the records kept, as an API page `{"<envelope>":[...]}` that the
/// framing of `normalize` unwraps.
#[derive(Debug)]
pub struct PageBuilder {
    pub(super) envelope: &'static str,
    page: Vec<u8>,
    records: usize,
}

impl PageBuilder {
    /// An empty page of the array field `envelope`.
    #[must_use]
    pub fn new(envelope: &'static str) -> PageBuilder {
        let mut p = PageBuilder {
            envelope,
            page: Vec::new(),
            records: 0,
        };
        p.clear();
        p
    }

    fn clear(&mut self) {
        self.page.clear();
        self.page.push(b'{');
        self.page.extend_from_slice(
            serde_json::to_string(self.envelope)
                .unwrap_or_default()
                .as_bytes(),
        );
        self.page.extend_from_slice(b":[");
        self.records = 0;
    }

    /// Add a record (its JSON text as received).
    pub fn push(&mut self, raw: &str) {
        if self.records > 0 {
            self.page.push(b',');
        }
        self.page.extend_from_slice(raw.as_bytes());
        self.records += 1;
    }

    /// Records added since the last [`take`](Self::take).
    #[must_use]
    pub fn records(&self) -> usize {
        self.records
    }

    /// The page, closed; the builder starts a new one.
    pub fn take(&mut self) -> Vec<u8> {
        self.page.extend_from_slice(b"]}");
        let page = std::mem::take(&mut self.page);
        self.clear();
        page
    }
}
