//! [`Event`]: one normalized record, borrowing its strings from the input line.
//!
//! An event is handed to a [`Sink`](crate::sink::Sink) by reference and lives only for that
//! call; everything in it points into the normalizer's reused buffers, so producing it
//! allocates nothing in steady state.
//!
//! This module owns `Event`, its value slots and their recycling between records, and
//! [`Value`] for typed access. The `p_*` names ([`P_LOG_TYPE`], ...) are re-exported here
//! from a leaf module. How an event is written out is the sinks' business (e.g.
//! [`Event::to_json`] in [`sink::ndjson`](crate::sink::ndjson)), so this module does not
//! depend on `sink`.

use crate::compile::{Decoder, ObjectPlan, Plan, ValuePlan};
use crate::error::Position;
use crate::indicators::{Column, Indicators};
use crate::time::Timestamp;

mod debug;

pub use crate::names::{
    P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION, P_SOURCE_ID, P_SOURCE_LABEL,
};

/// A decoded value in an event. Strings borrow from the input line (`Str`) or, for values
/// that had to be rewritten (numbers into string fields, embedded JSON), from the event's
/// text buffer (`Text`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    /// Missing or `null`: omitted from output.
    Absent,
    /// `""` in a number, boolean or timestamp field: null in output, but present for `required`.
    Empty,
    /// Go's zero time (0001-01-01T00:00:00Z) in a timestamp field: no time at all to
    /// Panther, so as [`Val::Empty`]; apart only for the reject's message.
    ZeroTime,
    Str(&'a str),
    Text {
        start: u32,
        end: u32,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(Timestamp),
    /// An object's field values start here, one slot per schema field.
    Object {
        start: u32,
    },
    /// `len` element values start here.
    Array {
        start: u32,
        len: u32,
    },
    /// Compact JSON text in the event's text buffer.
    Json {
        start: u32,
        end: u32,
    },
}

impl Val<'_> {
    /// Whether a field with this value is written to output (empty arrays and nulls are
    /// left out). An array element is always written, in its place: `null`, or `[]`.
    #[inline]
    pub(crate) fn is_written(&self) -> bool {
        match self {
            Val::Absent | Val::Empty | Val::ZeroTime => false,
            Val::Array { len, .. } => *len > 0,
            _ => true,
        }
    }
}

/// Empty `v` and give back its allocation with another lifetime. The in-place collect
/// reuses the buffer because the element layout is the same: no allocation. That is std's
/// optimization, not a guarantee: `tests/alloc.rs` fails if it ever allocates.
pub(crate) fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    v.into_iter().map_while(|_| None).collect()
}

/// The reusable buffers of an [`Event`], handed back to the normalizer that made it with
/// [`Normalizer::reuse`](crate::Normalizer::reuse).
#[derive(Debug, Default)]
pub struct EventBuffers {
    pub(crate) vals: Vec<Val<'static>>,
    pub(crate) indicators: Indicators<'static>,
}

/// Source metadata stamped on every event (`p_source_id`, `p_source_label`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceMeta {
    /// `p_source_id`.
    pub id: Option<String>,
    /// `p_source_label`.
    pub label: Option<String>,
}

/// One normalized record.
#[allow(clippy::struct_field_names)] // `event_time` is Panther's name
pub struct Event<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) vals: Vec<Val<'a>>,
    pub(crate) text: &'a str,
    pub(crate) indicators: Indicators<'a>,
    pub(crate) event_time: Option<Timestamp>,
    pub(crate) parse_time: Timestamp,
    pub(crate) row_id: [u8; 32],
    pub(crate) meta: &'a SourceMeta,
    pub(crate) position: Position,
}

impl<'a> Event<'a> {
    /// The log type, e.g. `Zoom.Activity`.
    #[must_use]
    pub fn log_type(&self) -> &'a str {
        &self.plan.log_type
    }

    /// The compiled plan of the log type.
    #[must_use]
    pub fn plan(&self) -> &'a Plan {
        self.plan
    }

    /// `p_event_time`: the first non-null `isEventTime` value in schema order, else the
    /// parse time.
    #[must_use]
    pub fn event_time(&self) -> Timestamp {
        self.event_time.unwrap_or(self.parse_time)
    }

    /// True when no `isEventTime` field had a value and `p_event_time` is the parse time.
    #[must_use]
    pub fn event_time_is_parse_time(&self) -> bool {
        self.event_time.is_none()
    }

    /// `p_parse_time`.
    #[must_use]
    pub fn parse_time(&self) -> Timestamp {
        self.parse_time
    }

    /// `p_row_id`, unique per event.
    #[must_use]
    pub fn row_id(&self) -> &str {
        // Only ASCII hex digits are written into it.
        // Loud in tests; a public getter does not panic on it.
        let id = std::str::from_utf8(&self.row_id);
        debug_assert!(id.is_ok(), "invariant: a row id is hex digits");
        id.unwrap_or_default()
    }

    /// Give up the event, keeping its buffers for [`Normalizer::reuse`](crate::Normalizer::reuse).
    #[must_use]
    pub fn into_buffers(self) -> EventBuffers {
        EventBuffers {
            vals: recycle(self.vals),
            indicators: self.indicators.recycle(),
        }
    }

    /// `p_schema_version`.
    #[must_use]
    pub fn schema_version(&self) -> i64 {
        self.plan.schema_version
    }

    /// `p_source_id` and `p_source_label`.
    #[must_use]
    pub fn source(&self) -> &'a SourceMeta {
        self.meta
    }

    /// Where the record was in its input.
    #[must_use]
    pub fn position(&self) -> Position {
        self.position
    }

    /// The values of one `p_any_*` column, sorted and deduplicated.
    #[must_use]
    pub fn indicators(&self, column: Column) -> &[std::borrow::Cow<'a, str>] {
        self.indicators.column(column)
    }

    /// A field by path: the names of nested fields (`["actor", "email"]`), and the indexes
    /// of array elements (`["events", "0", "user", "name"]`, `["tags", "1"]`).
    ///
    /// Each segment is read by the value it applies to: in an object it is a field name, in
    /// an array a 0-based index written in decimal digits (`"0"`, `"12"`; not `"+1"`,
    /// `"01"` nor `"-1"`). Elements keep their places in the input, a `null` one too, so
    /// `["tags", "2"]` of `"tags": ["a", null, "b"]` is `"b"`. [`Value::get`] takes the
    /// rest of a path from a value, and [`Value::elements`] walks an array.
    ///
    /// `None` when the path is empty or names no field of the schema; when it goes through a
    /// value that is neither an object nor an array (a `json` value is text: its inside is
    /// not reachable) or past the end of an array; or when it ends at a value that is not
    /// written out (a missing or `null` value, an empty array field, a `null` element). It
    /// never panics and copies nothing: the value borrows from the event.
    ///
    /// # Example
    ///
    /// ```
    /// use normalog::{NormalizerBuilder, Position, Registry};
    ///
    /// let mut registry = Registry::new();
    /// registry.add_str(
    ///     r"
    /// schema: Custom.Batch
    /// fields:
    ///   - name: tags
    ///     type: array
    ///     element:
    ///       type: string
    ///   - name: events
    ///     type: array
    ///     element:
    ///       type: object
    ///       fields:
    ///         - name: user
    ///           type: object
    ///           fields:
    ///             - name: name
    ///               type: string
    /// ",
    ///     "batch.yml",
    /// )?;
    /// let mut normalizer = NormalizerBuilder::new().build(&registry)?;
    /// let mut line = br#"{"tags":["a",null,"b"],"events":[{"user":{"name":"ann"}}]}"#.to_vec();
    /// let event = normalizer.normalize(&mut line, Position::default())?;
    ///
    /// let name = event.get(&["events", "0", "user", "name"]).and_then(|v| v.as_str());
    /// assert_eq!(name, Some("ann"));
    /// assert_eq!(event.get(&["tags", "2"]).and_then(|v| v.as_str()), Some("b"));
    /// assert!(event.get(&["tags", "1"]).is_none()); // null
    /// assert!(event.get(&["tags", "3"]).is_none()); // past the end
    /// let tags = event.get(&["tags"]).and_then(|v| v.elements());
    /// let tags: Vec<_> = tags.into_iter().flatten().map(|v| v.as_str()).collect();
    /// assert_eq!(tags, [Some("a"), None, Some("b")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get(&self, path: &[&str]) -> Option<Value<'_>> {
        let (first, rest) = path.split_first()?;
        let root = Value::field(self, &self.plan.root, 0, first)?;
        root.get(rest)
    }

    /// The record's written fields, in schema order: each field's name (as the schema
    /// writes it) and its value; a field missing or `null` in the record is left out, as
    /// [`get`](Self::get) gives it `None`. With [`Value::fields`] and
    /// [`Value::elements`], a sink walks the whole event without the schema:
    ///
    /// ```
    /// use normalog::{NormalizerBuilder, Position, Registry};
    ///
    /// let registry = Registry::builtin();
    /// let mut normalizer = NormalizerBuilder::new().log_types(["Zoom.Activity"]).build(&registry)?;
    /// let mut line = br#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z"}"#.to_vec();
    /// let event = normalizer.normalize(&mut line, Position::default())?;
    /// let names: Vec<&str> = event.fields().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["email", "time"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            event: self,
            object: &self.plan.root,
            start: 0,
            next: 0,
        }
    }

    pub(crate) fn root(&self) -> (&'a ObjectPlan, &[Val<'a>]) {
        (&self.plan.root, &self.vals)
    }

    pub(crate) fn text_of(&self, start: u32, end: u32) -> &'a str {
        &self.text[start as usize..end as usize]
    }
}

/// A field value of an [`Event`], for typed access.
#[derive(Clone, Copy)]
pub struct Value<'e> {
    event: &'e Event<'e>,
    plan: &'e ValuePlan,
    val: Val<'e>,
}

impl<'e> Value<'e> {
    /// Field `name` of the object whose field values start at slot `start`, if written.
    fn field(
        event: &'e Event<'e>,
        object: &'e ObjectPlan,
        start: usize,
        name: &str,
    ) -> Option<Self> {
        Value::field_at(event, object, start, object.find(name)?)
    }

    /// Field `i` (in schema order) of such an object, if written.
    fn field_at(
        event: &'e Event<'e>,
        object: &'e ObjectPlan,
        start: usize,
        i: usize,
    ) -> Option<Self> {
        let plan = &object.fields.get(i)?.value;
        let val = *event.vals.get(start.saturating_add(i))?;
        val.is_written().then_some(Value { event, plan, val })
    }

    /// The value at `path` below this one, read as [`Event::get`] reads a path: field
    /// names in objects, decimal indexes in arrays. An empty path is this value.
    #[must_use]
    pub fn get(&self, path: &[&str]) -> Option<Value<'e>> {
        path.iter()
            .try_fold(*self, |value, segment| value.child(segment))
    }

    fn child(self, segment: &str) -> Option<Value<'e>> {
        match (&self.plan.decoder, self.val) {
            (Decoder::Object(object), Val::Object { start }) => {
                Value::field(self.event, object, start as usize, segment)
            }
            (Decoder::Array(_), Val::Array { .. }) => self
                .elements()?
                .nth(index(segment)?)
                .filter(|element| !element.is_null()),
            _ => None,
        }
    }

    /// The elements of an array, in order, each in its place in the input: a `null`
    /// element is a value whose [`is_null`](Self::is_null) is true (and every `as_*`
    /// `None`), and an empty inner array has no elements. `None` when the value is not an
    /// array.
    #[must_use]
    pub fn elements(&self) -> Option<Elements<'e>> {
        match (&self.plan.decoder, self.val) {
            (Decoder::Array(plan), Val::Array { start, len }) => {
                let (start, len) = (start as usize, len as usize);
                Some(Elements {
                    event: self.event,
                    plan,
                    vals: (self.event.vals.get(start..start.saturating_add(len)))
                        .unwrap_or_default(),
                })
            }
            _ => None,
        }
    }

    /// The written fields of an object, as [`Event::fields`] gives the record's: name and
    /// value, in schema order (a `ref` is the object of its definition). `None` when the
    /// value is not an object.
    #[must_use]
    pub fn fields(&self) -> Option<Fields<'e>> {
        match (&self.plan.decoder, self.val) {
            (Decoder::Object(object), Val::Object { start }) => Some(Fields {
                event: self.event,
                object,
                start: start as usize,
                next: 0,
            }),
            _ => None,
        }
    }

    /// Whether the value is null: only an array element can be, as a missing or `null`
    /// field is not a value at all. It is written `null`, and an element given `""`
    /// where `""` is null (in an array of numbers, booleans or timestamps) is one too.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.val, Val::Absent | Val::Empty | Val::ZeroTime)
    }

    /// The string, if the value is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&'e str> {
        match self.val {
            Val::Str(s) => Some(s),
            Val::Text { start, end } => Some(self.event.text_of(start, end)),
            _ => None,
        }
    }

    /// The integer, if the value is an `int`, `smallint` or `bigint`.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.val {
            Val::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The float, if the value is a `float`.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self.val {
            Val::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The boolean, if the value is a `boolean`.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.val {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The time, if the value is a `timestamp`.
    #[must_use]
    pub fn as_timestamp(&self) -> Option<Timestamp> {
        match self.val {
            Val::Time(t) => Some(t),
            _ => None,
        }
    }

    /// The JSON text, if the value is of type `json`.
    #[must_use]
    pub fn as_json(&self) -> Option<&'e str> {
        match self.val {
            Val::Json { start, end } => Some(self.event.text_of(start, end)),
            _ => None,
        }
    }

    /// The schema type of the value.
    #[must_use]
    pub fn field_type(&self) -> crate::schema::FieldType {
        self.plan.decoder.field_type()
    }
}

/// The elements of an array [`Value`], from [`Value::elements`].
#[derive(Debug, Clone)]
pub struct Elements<'e> {
    event: &'e Event<'e>,
    plan: &'e ValuePlan,
    vals: &'e [Val<'e>],
}

impl<'e> Iterator for Elements<'e> {
    type Item = Value<'e>;

    fn next(&mut self) -> Option<Value<'e>> {
        let (&val, rest) = self.vals.split_first()?;
        self.vals = rest;
        Some(self.value(val))
    }

    /// Without walking the elements before the `n`th: `Value::get` indexes arrays by it.
    fn nth(&mut self, n: usize) -> Option<Value<'e>> {
        self.vals = self.vals.get(n..).unwrap_or_default();
        self.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.vals.len(), Some(self.vals.len()))
    }
}

impl ExactSizeIterator for Elements<'_> {}

impl<'e> Elements<'e> {
    fn value(&self, val: Val<'e>) -> Value<'e> {
        Value {
            event: self.event,
            plan: self.plan,
            val,
        }
    }
}

/// The written fields of an object [`Value`] or of an [`Event`], from [`Value::fields`] and
/// [`Event::fields`]: each field's name and value, in schema order.
#[derive(Clone)]
pub struct Fields<'e> {
    event: &'e Event<'e>,
    object: &'e ObjectPlan,
    /// The slot of the object's first field value, and the next field to look at.
    start: usize,
    next: usize,
}

impl<'e> Iterator for Fields<'e> {
    type Item = (&'e str, Value<'e>);

    fn next(&mut self) -> Option<(&'e str, Value<'e>)> {
        loop {
            let i = self.next;
            let field = self.object.fields.get(i)?;
            self.next += 1;
            if let Some(value) = Value::field_at(self.event, self.object, self.start, i) {
                return Some((&field.name, value));
            }
        }
    }
}

/// The fields, not the plan they point into (see `debug.rs`).
impl std::fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.clone()).finish()
    }
}

/// A path segment as an array index: decimal digits, without a sign or a leading zero
/// (one spelling per index, as in a JSON Pointer); `None` for anything else.
fn index(segment: &str) -> Option<usize> {
    let digits = segment.as_bytes();
    let canonical = match digits {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        _ => digits.iter().all(u8::is_ascii_digit),
    };
    if canonical {
        segment.parse().ok()
    } else {
        None
    }
}
