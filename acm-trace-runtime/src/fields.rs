//! Indices into the standard fields (`acm_trace_taxonomy::STANDARD_FIELDS`).

pub(crate) const OTEL_NAME: usize = 0;
pub(crate) const OTEL_KIND: usize = 1;
pub(crate) const STATUS_CODE: usize = 2;
pub(crate) const STATUS_DESCRIPTION: usize = 3;
pub(crate) const CATEGORY: usize = 4;
pub(crate) const PHASE: usize = 5;
pub(crate) const OUTCOME: usize = 6;
pub(crate) const ERROR_TYPE: usize = 7;
pub(crate) const FUNCTION: usize = 8;
pub(crate) const EQUIPMENT: usize = 9;
pub(crate) const EQUIP_ID: usize = 10;
pub(crate) const RUN_ID: usize = 11;
pub(crate) const SERVICE: usize = 12;
pub(crate) const BATCH_NUM: usize = 13;
pub(crate) const BATCH_TOTAL: usize = 14;
pub(crate) const MEM_MB: usize = 15;
pub(crate) const MEM_DELTA_MB: usize = 16;
pub(crate) const CPU_PCT: usize = 17;
pub(crate) const DURATION_S: usize = 18;

pub(crate) use acm_trace_taxonomy::STANDARD_FIELDS as STANDARD;
