//! The run context as OpenTelemetry attributes, built once per context change and per thread,
//! so each span only clones reference-counted strings.

use std::cell::RefCell;
use std::sync::Arc;

use opentelemetry::{KeyValue, StringValue, Value};

use crate::RunContext;

thread_local! {
    static CACHE: RefCell<Option<(Arc<RunContext>, Vec<KeyValue>)>> = const { RefCell::new(None) };
}

fn build(ctx: &RunContext) -> Vec<KeyValue> {
    let s = |v: &str| Value::String(StringValue::from(Arc::<str>::from(v)));
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
