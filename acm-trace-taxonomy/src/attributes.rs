/// The fields every acm span declares, in this order, before the caller's own attributes.
/// `tracing` records only fields declared when a span is created, so everything filled in
/// later (outcome, status, resources) is declared up front.
pub const STANDARD_FIELDS: [&str; 19] = [
    "otel.name",
    "otel.kind",
    "otel.status_code",
    "otel.status_description",
    "acm.category",
    "acm.phase",
    "acm.outcome",
    "acm.error_type",
    "code.function.name",
    "acm.equipment",
    "acm.equip_id",
    "acm.run_id",
    "acm.service",
    "acm.batch_num",
    "acm.batch_total",
    "acm.mem_mb",
    "acm.mem_delta_mb",
    "acm.cpu_pct",
    "acm.duration_s",
];

/// `tracing` allows at most 32 fields per span; the standard ones come first.
pub const MAX_CALLER_ATTRIBUTES: usize = 32 - STANDARD_FIELDS.len();

/// The prefix of every caller attribute: `n_samples = …` is recorded as `acm.n_samples`.
pub const ATTRIBUTE_PREFIX: &str = "acm.";
