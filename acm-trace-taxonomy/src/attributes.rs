/// The fields every acm span declares, in this order, before the caller's own attributes.
/// `tracing` records only fields declared when a span is created, so everything filled in
/// later (outcome, status, resources) is declared up front.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StandardField {
    /// `otel.name`: The span's name, when it has dynamic parts.
    OtelName,
    /// `otel.kind`: The span kind.
    OtelKind,
    /// `otel.status_code`: `error` when the span failed.
    StatusCode,
    /// `otel.status_description`: What failed: the error's text or type name.
    StatusDescription,
    /// `acm.category`: The first segment of the name.
    Category,
    /// `acm.phase`: The pipeline phase.
    Phase,
    /// `acm.outcome`: `success`, `fail`, `noop`, `skip` or `cancelled`.
    Outcome,
    /// `acm.error_type`: The type of the error a failed span returned.
    ErrorType,
    /// `code.function.name`: The instrumented function.
    Function,
    /// `acm.equipment`: From the run context.
    Equipment,
    /// `acm.equip_id`: From the run context.
    EquipId,
    /// `acm.run_id`: From the run context.
    RunId,
    /// `acm.service`: From the run context.
    Service,
    /// `acm.batch_num`: From the run context.
    BatchNum,
    /// `acm.batch_total`: From the run context.
    BatchTotal,
    /// `acm.mem_mb`: Resident memory at the end, with `track_resources`.
    MemMb,
    /// `acm.mem_delta_mb`: Its change over the span, with `track_resources`.
    MemDeltaMb,
    /// `acm.cpu_pct`: CPU use over the span, with `track_resources`.
    CpuPct,
    /// `acm.duration_s`: Wall time of the span, with `track_resources`.
    DurationS,
}

impl StandardField {
    /// Every standard field, in declaration order.
    pub const ALL: [StandardField; 19] = [
        StandardField::OtelName,
        StandardField::OtelKind,
        StandardField::StatusCode,
        StandardField::StatusDescription,
        StandardField::Category,
        StandardField::Phase,
        StandardField::Outcome,
        StandardField::ErrorType,
        StandardField::Function,
        StandardField::Equipment,
        StandardField::EquipId,
        StandardField::RunId,
        StandardField::Service,
        StandardField::BatchNum,
        StandardField::BatchTotal,
        StandardField::MemMb,
        StandardField::MemDeltaMb,
        StandardField::CpuPct,
        StandardField::DurationS,
    ];

    /// The field's key, as spans declare it.
    pub const fn key(self) -> &'static str {
        match self {
            StandardField::OtelName => "otel.name",
            StandardField::OtelKind => "otel.kind",
            StandardField::StatusCode => "otel.status_code",
            StandardField::StatusDescription => "otel.status_description",
            StandardField::Category => "acm.category",
            StandardField::Phase => "acm.phase",
            StandardField::Outcome => "acm.outcome",
            StandardField::ErrorType => "acm.error_type",
            StandardField::Function => "code.function.name",
            StandardField::Equipment => "acm.equipment",
            StandardField::EquipId => "acm.equip_id",
            StandardField::RunId => "acm.run_id",
            StandardField::Service => "acm.service",
            StandardField::BatchNum => "acm.batch_num",
            StandardField::BatchTotal => "acm.batch_total",
            StandardField::MemMb => "acm.mem_mb",
            StandardField::MemDeltaMb => "acm.mem_delta_mb",
            StandardField::CpuPct => "acm.cpu_pct",
            StandardField::DurationS => "acm.duration_s",
        }
    }

    /// The field's position among the span's declared fields.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The keys of [`StandardField::ALL`], in order: the first fields of every acm span.
pub const STANDARD_FIELDS: [&str; 19] = {
    let mut keys = [""; 19];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = StandardField::ALL[i].key();
        i += 1;
    }
    keys
};

/// `tracing` allows at most 32 fields per span; the standard ones come first.
pub const MAX_CALLER_ATTRIBUTES: usize = 32 - STANDARD_FIELDS.len();

/// The prefix of every caller attribute: `n_samples = …` is recorded as `acm.n_samples`.
pub const ATTRIBUTE_PREFIX: &str = "acm.";

#[cfg(test)]
mod tests {
    use super::{STANDARD_FIELDS, StandardField};

    #[test]
    fn positions_follow_the_declaration_order() {
        for (i, field) in StandardField::ALL.iter().enumerate() {
            assert_eq!(field.index(), i);
            assert_eq!(STANDARD_FIELDS[i], field.key());
        }
    }
}
