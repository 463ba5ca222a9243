//! The run context as OpenTelemetry attributes, built once per context change and per thread.
//!
//! The context's strings are interned as `'static` strings, so that copying them onto every
//! span and dropping them after export touches no reference count. Interning leaks, so it is
//! bounded: past [`MAX_INTERNED`] bytes (a long-lived service that rotates run ids), strings
//! are shared by reference count instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry::{KeyValue, StringValue, Value};

use crate::RunContext;

thread_local! {
    static CACHE: RefCell<Option<(Arc<RunContext>, Vec<KeyValue>)>> = const { RefCell::new(None) };
}

/// Bytes of context strings kept for the life of the process, at most.
const MAX_INTERNED: usize = 1 << 20;

struct Interned {
    strings: HashSet<&'static str>,
    bytes: usize,
}

static INTERNED: Mutex<Option<Interned>> = Mutex::new(None);

fn string_value(value: &str) -> Value {
    let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    let interned = interned.get_or_insert_with(|| Interned {
        strings: HashSet::new(),
        bytes: 0,
    });
    if let Some(known) = interned.strings.get(value) {
        return Value::String(StringValue::from(*known));
    }
    if interned.bytes + value.len() > MAX_INTERNED {
        return Value::String(StringValue::from(Arc::<str>::from(value)));
    }
    let leaked: &'static str = Box::leak(value.to_owned().into_boxed_str());
    interned.bytes += leaked.len();
    interned.strings.insert(leaked);
    Value::String(StringValue::from(leaked))
}

fn build(ctx: &RunContext) -> Vec<KeyValue> {
    let s = string_value;
    vec![
        KeyValue::new("acm.equipment", s(&ctx.equipment)),
        KeyValue::new("acm.equip_id", s(&ctx.equip_id)),
        KeyValue::new("acm.run_id", s(&ctx.run_id)),
        KeyValue::new("acm.service", s(&ctx.service)),
        KeyValue::new("acm.batch_num", i64::from(ctx.batch_num)),
        KeyValue::new("acm.batch_total", i64::from(ctx.batch_total)),
    ]
}

/// Appends the attributes of `ctx`, built once per context and per thread.
pub(crate) fn extend(attributes: &mut Vec<KeyValue>, ctx: &Arc<RunContext>) {
    let cached = CACHE.try_with(|cache| {
        let mut cache = cache.borrow_mut();
        let fresh = cache
            .as_ref()
            .is_some_and(|(seen, _)| Arc::ptr_eq(seen, ctx));
        if !fresh {
            *cache = Some((ctx.clone(), build(ctx)));
        }
        if let Some((_, kvs)) = cache.as_ref() {
            attributes.extend(kvs.iter().cloned());
        }
    });
    if cached.is_err() {
        attributes.extend(build(ctx));
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::Value;

    use super::string_value;

    #[test]
    fn context_strings_are_interned_once() {
        let (Value::String(a), Value::String(b)) = (
            string_value("FD_FAN-interned"),
            string_value(&String::from("FD_FAN-interned")),
        ) else {
            panic!("context strings become string values");
        };
        assert!(std::ptr::eq(a.as_str().as_ptr(), b.as_str().as_ptr()));
    }
}
