//! `pipeline::normalize_reader` takes any reader: borrowed ones, and ones that are not
//! `Send`. (Before, it wanted `Read + Send + 'static`, so none of these compiled.)

use std::io::{Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use normalog::pipeline::normalize_reader;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Registry, Summary};

const RECORDS: &str = concat!(
    r#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z","ip_address":"10.0.0.1"}"#,
    "\n",
    "not json\n",
    r#"{"email":"bob@example.com","time":"2023-07-01T15:00:00Z"}"#,
    "\n",
);

/// The summary and events of `reader` (a run that must succeed), or the run's error.
fn try_normalize(reader: impl Read) -> (Result<Summary, normalog::Error>, Collect) {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let mut out = Collect::default();
    let summary = normalize_reader(&mut n, reader, &mut out);
    (summary, out)
}

fn normalize(reader: impl Read) -> (Summary, Collect) {
    let (summary, out) = try_normalize(reader);
    (summary.expect("run"), out)
}

fn check(summary: &Summary, out: &Collect) {
    assert_eq!(
        (summary.records, summary.normalized, summary.rejected),
        (3, 2, 1)
    );
    assert_eq!(out.events.len(), 2);
    assert!(out.events[1].contains(r#""email":"bob@example.com""#));
    // Rejects name the reader as before, and carry the record.
    assert_eq!(out.rejected_raw, [b"not json".to_vec()]);
}

#[test]
fn a_borrowed_slice_of_a_local() {
    let local = RECORDS.to_string();
    let (summary, out) = normalize(local.as_bytes());
    check(&summary, &out);
    drop(local);
}

#[test]
fn a_borrowed_file_stays_the_callers() {
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(RECORDS.as_bytes()).expect("write");
    file.seek(SeekFrom::Start(0)).expect("seek");
    let (summary, out) = normalize(&mut file);
    check(&summary, &out);
    // Read to its end, and still ours: write more and read it again.
    assert_eq!(
        file.stream_position().expect("position"),
        RECORDS.len() as u64
    );
    file.write_all(RECORDS.as_bytes()).expect("write");
    file.seek(SeekFrom::Start(0)).expect("seek");
    let (summary, _) = normalize(&file); // `&File` reads too
    assert_eq!(summary.records, 6);
}

/// A reader that is neither `Send` nor `'static`.
struct Shared<'a> {
    data: &'a [u8],
    reads: Rc<std::cell::Cell<usize>>,
}

impl Read for Shared<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reads.set(self.reads.get() + 1);
        self.data.read(buf)
    }
}

#[test]
fn a_reader_that_is_not_send() {
    let reads = Rc::new(std::cell::Cell::new(0));
    let reader = Shared {
        data: RECORDS.as_bytes(),
        reads: Rc::clone(&reads),
    };
    let boxed: Box<dyn Read + '_> = Box::new(reader);
    let (summary, out) = normalize(boxed);
    check(&summary, &out);
    assert!(reads.get() >= 2, "read to the end");
}

#[test]
fn compressed_borrowed_input_is_decoded() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(RECORDS.as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let (summary, out) = normalize(&gz[..]);
    check(&summary, &out);

    let zst = zstd::encode_all(RECORDS.as_bytes(), 1).expect("zstd");
    let (summary, out) = normalize(&zst[..]);
    check(&summary, &out);
}

#[test]
fn an_owned_reader_still_works() {
    let (summary, out) = normalize(std::io::Cursor::new(RECORDS.as_bytes().to_vec()));
    check(&summary, &out);
}

/// A reader that fails part of the way (a connection reset).
struct FailsAfter<'a>(&'a [u8]);

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "peer went away",
            ));
        }
        self.0.read(buf)
    }
}

/// Review finding: the error of a reader that fails said only "peer went away": not which
/// input, nor that the events before it had reached the sink. It says both now.
#[test]
fn a_reader_that_fails_says_how_far_it_got() {
    let (run, out) = try_normalize(FailsAfter(RECORDS.as_bytes()));
    let err = run.expect_err("the reader failed");
    assert_eq!(
        err.to_string(),
        "<reader>: peer went away (after 3 records)"
    );
    assert_eq!(out.events.len(), 2);
}
