//! The batch of records a pull is building, as API pages that `normalize` reads.

/// A batch being built: the records kept, taken as API pages `{"<envelope>":[...]}` that the
/// framing of `normalize` unwraps, each at most the record size limit long.
///
/// Why several pages: `normalize` reads a page written on one line as one line, which it
/// rejects whole (`too_long`) past the normalizer's record limit (16 MiB by default). A batch
/// of 10,000 records of 2 KB, or 70,000 of 300 bytes, is past it: as one page, every record
/// of the batch was lost, reported as one reject (review s43-h4 HIGH-1).
#[derive(Debug)]
pub struct PageBuilder {
    pub(super) envelope: &'static str,
    /// The records, separated by commas.
    body: Vec<u8>,
    /// Where each record starts in `body`.
    starts: Vec<usize>,
}

impl PageBuilder {
    /// An empty batch of the array field `envelope`.
    #[must_use]
    pub fn new(envelope: &'static str) -> PageBuilder {
        PageBuilder {
            envelope,
            body: Vec::new(),
            starts: Vec::new(),
        }
    }

    /// Add a record (its JSON text as received).
    pub fn push(&mut self, raw: &str) {
        if !self.starts.is_empty() {
            self.body.push(b',');
        }
        self.starts.push(self.body.len());
        self.body.extend_from_slice(raw.as_bytes());
    }

    /// Records added since the last [`take`](Self::take).
    #[must_use]
    pub fn records(&self) -> usize {
        self.starts.len()
    }

    /// The records as pages of at most `max_bytes` each (a record longer than that alone
    /// in its page, which the record limit then rejects as it would any record that long),
    /// in order; the builder starts a new batch.
    pub fn take(&mut self, max_bytes: usize) -> Vec<Vec<u8>> {
        let head = format!(
            "{{{}:[",
            serde_json::to_string(self.envelope).unwrap_or_default()
        );
        let frame = head.len() + 2;
        let body = std::mem::take(&mut self.body);
        let starts = std::mem::take(&mut self.starts);
        let page = |records: &[u8]| {
            let mut p = Vec::with_capacity(frame + records.len());
            p.extend_from_slice(head.as_bytes());
            p.extend_from_slice(records);
            p.extend_from_slice(b"]}");
            p
        };
        if frame + body.len() <= max_bytes || starts.len() < 2 {
            return vec![page(&body)];
        }
        let mut pages = Vec::new();
        // The records from `first` (the start of the page being filled) up to `i`.
        let mut first = 0;
        for (i, &start) in starts.iter().enumerate().skip(1) {
            // Where record `i` ends: at the comma before the next (`start - 1` is the one
            // before it).
            let end = starts.get(i + 1).map_or(body.len(), |n| n - 1);
            if frame + (end - starts[first]) > max_bytes {
                pages.push(page(&body[starts[first]..start - 1]));
                first = i;
            }
        }
        pages.push(page(&body[starts[first]..]));
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(page: &[u8]) -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(page).expect("a JSON page");
        v["audit_logs"].as_array().expect("records").clone()
    }

    #[test]
    fn pages_hold_every_record_once_in_order_within_the_limit() {
        let mut b = PageBuilder::new("audit_logs");
        assert_eq!(b.take(1 << 20), [b"{\"audit_logs\":[]}".to_vec()]);
        let recs: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"id":{i},"text":"{}"}}"#, "x".repeat(i * 7)))
            .collect();
        for limit in [1 << 20, 600, 200, 40] {
            for r in &recs {
                b.push(r);
            }
            assert_eq!(b.records(), 50);
            let pages = b.take(limit);
            assert_eq!(b.records(), 0);
            let mut ids = Vec::new();
            for p in &pages {
                let inside = records(p);
                // Over the limit only as a page of one record longer than the limit.
                assert!(
                    p.len() <= limit || inside.len() == 1,
                    "{limit}: {}",
                    p.len()
                );
                ids.extend(inside.iter().map(|r| r["id"].as_u64().expect("id")));
            }
            assert_eq!(ids, (0..50).collect::<Vec<u64>>(), "{limit}");
            if limit == 1 << 20 {
                assert_eq!(pages.len(), 1);
            } else {
                assert!(pages.len() > 1, "{limit}");
            }
        }
    }
}
