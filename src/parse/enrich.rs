//! After a record is decoded: run the indicator scanners over its values and find its event
//! time ([`walk_object`]), from the value slots the tape decoder filled.

use crate::compile::{Decoder, ObjectPlan, ValuePlan};
use crate::event::Val;
use crate::indicators::Indicators;
use crate::time::Timestamp;

/// After decoding: run indicator scanners and find the event time, in schema order,
/// depth first (Panther elects the event time in serialisation order).
pub(crate) fn walk_object<'x>(
    plan: &ObjectPlan,
    start: usize,
    vals: &[Val<'x>],
    text: &'x str,
    ind: &mut Indicators<'x>,
    event_time: &mut Option<Timestamp>,
) {
    for &i in &*plan.walk {
        let value = &plan.fields[i].value;
        // The usual leaves here, without a call; `walk_value` for the rest.
        match vals[start + i] {
            Val::Str(s) => {
                for &k in &*value.indicators {
                    ind.scan(k, s);
                }
            }
            Val::Time(t) => {
                if value.event_time && event_time.is_none() {
                    *event_time = Some(t);
                }
            }
            Val::Absent => {}
            v => walk_value(value, v, vals, text, ind, event_time),
        }
    }
}

fn walk_value<'x>(
    plan: &ValuePlan,
    v: Val<'x>,
    vals: &[Val<'x>],
    text: &'x str,
    ind: &mut Indicators<'x>,
    event_time: &mut Option<Timestamp>,
) {
    match v {
        Val::Str(s) => {
            for &k in &*plan.indicators {
                ind.scan(k, s);
            }
        }
        Val::Text { start, end } => {
            let s = &text[start as usize..end as usize];
            for &k in &*plan.indicators {
                ind.scan(k, s);
            }
        }
        Val::Time(t) if plan.event_time && event_time.is_none() => *event_time = Some(t),
        Val::Object { start } => {
            if let Decoder::Object(o) = &plan.decoder {
                walk_object(o, start as usize, vals, text, ind, event_time);
            }
        }
        Val::Array { start, len } => {
            if let Decoder::Array(e) = &plan.decoder {
                for k in start..start + len {
                    walk_value(e, vals[k as usize], vals, text, ind, event_time);
                }
            }
        }
        _ => {}
    }
}
