//! The normalizer against the slow reference of `tests/reference` (`serde_json::Value`):
//! on every input, the same decision (syntax error / refused / accepted), a refusal whose
//! path and reason are among the problems the reference finds, and the same normalized
//! values, event time and indicators. Known, intentional differences are listed in the
//! reference's module docs (float text compared as numbers; the leaf time parsers and
//! indicator scanners are the library's own).

use std::cell::RefCell;

use crate::reference::{self, Outcome};
use normalog::error::{ErrorKind, Refusal};
use normalog::{Category, Error, Event, Normalizer, Position, Sink};

thread_local! {
    static STATE: RefCell<super::State> = RefCell::new(super::State::new());
}

/// The outcome of one record: the event (log type, NDJSON line), or the reject (category,
/// message, and for a single log type the refusal's path and code).
type Seen = (Option<(String, String)>, Option<Reject>);

/// A reject: category, message, and for a single log type the refusal's path and code.
type Reject = (Category, String, Option<(String, &'static str)>);

fn run(n: &mut Normalizer, data: &[u8]) -> Seen {
    struct S(Option<(String, String)>, Option<Reject>);
    impl Sink for S {
        type Error = Error;
        fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
            let mut buf = Vec::new();
            normalog::sink::ndjson::write_event(
                &mut buf,
                event,
                normalog::sink::ndjson::Options::default(),
            );
            let line = String::from_utf8(buf).expect("NDJSON is UTF-8");
            self.0 = Some((event.log_type().to_owned(), line));
            Ok(true)
        }
        fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
            let refusal = match err.kind() {
                ErrorKind::Rejected { refusal, .. } => Some(refusal_key(refusal)),
                _ => None,
            };
            self.1 = Some((err.classify(), err.to_string(), refusal));
            Ok(true)
        }
    }
    let mut s = S(None, None);
    n.normalize_bytes(data, Position::new(0, 1, 0), &mut s)
        .expect("the sink never fails");
    (s.0, s.1)
}

fn refusal_key(r: &Refusal) -> (String, &'static str) {
    let path = r.field().map(ToString::to_string).unwrap_or_default();
    (path, r.code())
}

fn input(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub fn check(data: &[u8]) {
    STATE.with(|s| {
        let s = &mut *s.borrow_mut();
        let plans: Vec<_> = s.registry.plans().to_vec();
        let mut accepted_by = Vec::new();
        for (plan, n) in plans.iter().zip(&mut s.single) {
            let schema = plan.schema();
            let want = reference::normalize(schema, data);
            let (event, reject) = run(n, data);
            if reference::ambiguous_numbers() || reference::beyond_float_range() {
                // One value written two ways went into a string: the model cannot say which
                // text is where (the normalizer can); or a number beyond a float's range,
                // which the model cannot read: the record is not compared.
                return;
            }
            match (&want, event, reject) {
                (Outcome::Syntax, None, Some((Category::Syntax, _, _))) => {}
                (Outcome::Refused(problems), None, Some((Category::Data, msg, Some(key)))) => {
                    let found = problems.iter().any(|p| p.path == key.0 && p.code == key.1);
                    assert!(
                        found,
                        "{}: normalizer refused with {key:?} ({msg}), reference found {problems:?}\ninput: {}",
                        plan.log_type(),
                        input(data)
                    );
                }
                (Outcome::Accepted(exp), Some((lt, line)), None) => {
                    accepted_by.push(plan.log_type().to_owned());
                    if let Err(e) = reference::check_event(&line, &lt, schema.version, exp) {
                        panic!(
                            "{}: {e}\ninput: {}\noutput: {line}",
                            plan.log_type(),
                            input(data)
                        );
                    }
                }
                (want, event, reject) => panic!(
                    "{}: reference {want:?}, normalizer event {event:?} reject {reject:?}\ninput: {}",
                    plan.log_type(),
                    input(data)
                ),
            }
        }
        // Classification: accepted by one of the types the reference accepts, else refused.
        let (event, reject) = run(&mut s.all, data);
        if let Some((lt, _)) = event { assert!(accepted_by.contains(&lt), "classified as {lt}, reference accepts {accepted_by:?}") } else {
            let (cat, msg, _) = reject.expect("an outcome");
            assert!(accepted_by.is_empty(), "refused ({msg}) but reference accepts {accepted_by:?}");
            let _ = cat;
        }
    });
}
