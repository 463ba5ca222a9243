//! The standard fields every acm span declares first, as the taxonomy lists them.

pub(crate) use acm_trace_taxonomy::STANDARD_FIELDS as STANDARD;
pub(crate) use acm_trace_taxonomy::StandardField;
