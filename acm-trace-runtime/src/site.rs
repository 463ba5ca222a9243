use std::fmt;
use std::sync::OnceLock;

use tracing_core::callsite::{DefaultCallsite, Identifier};
use tracing_core::field::FieldSet;
use tracing_core::{Level, Metadata};

use crate::span::preset::{Preset, StaticValue};
use crate::{Kind, Phase};

/// One instrumented place in the program: a function under `#[acm_span]` or a `span!` call.
///
/// Every site is a `static` that registers itself in the [`crate::catalog`], so a program can
/// list and check its spans without running them. It is also the site's `tracing` callsite.
pub struct SpanSite {
    /// The span name as written; a dynamic name keeps its `{placeholder}` segments.
    pub name: &'static str,
    /// The category: the first segment of the name.
    pub category: &'static str,
    /// The span kind, resolved at compile time.
    pub kind: Kind,
    /// The `acm.phase` of the span.
    pub phase: Phase,
    /// The instrumented function (or the enclosing function of a `span!` call).
    pub function: &'static str,
    /// `module_path!()` at the site.
    pub module_path: &'static str,
    /// `file!()` at the site.
    pub file: &'static str,
    /// `line!()` at the site.
    pub line: u32,
    /// Whether every segment of the name is static.
    pub is_static: bool,
    /// Whether `track_resources` was given.
    pub track_resources: bool,
    meta: Metadata<'static>,
    callsite: DefaultCallsite,
    /// The site's attributes as every span of it carries them, built by the first export.
    attributes: OnceLock<Preset>,
}

/// The standard fields, shared by every site that declares no attribute of its own.
static STANDARD_FIELDS: [&str; acm_trace_taxonomy::STANDARD_FIELDS.len()] =
    acm_trace_taxonomy::STANDARD_FIELDS;

/// Flag bits for [`SpanSite::new`].
#[doc(hidden)]
pub const DYNAMIC_NAME: u8 = 1;
#[doc(hidden)]
pub const TRACK_RESOURCES: u8 = 2;

impl SpanSite {
    /// Builds a site; `this` is the address of the static being initialised, which the
    /// `tracing` callsite needs to identify itself. `fields` lists every field name of the
    /// site's spans; empty, it stands for the standard fields alone (one shared array rather
    /// than a copy in every site).
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        this: &'static SpanSite,
        name: &'static str,
        category: &'static str,
        kind: Kind,
        phase: Phase,
        function: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
        fields: &'static [&'static str],
        flags: u8,
    ) -> SpanSite {
        let fields = if fields.is_empty() {
            &STANDARD_FIELDS
        } else {
            fields
        };
        SpanSite {
            name,
            category,
            kind,
            phase,
            function,
            module_path,
            file,
            line,
            is_static: flags & DYNAMIC_NAME == 0,
            track_resources: flags & TRACK_RESOURCES != 0,
            meta: Metadata::new(
                name,
                module_path,
                Level::INFO,
                Some(file),
                Some(line),
                Some(module_path),
                FieldSet::new(fields, Identifier(&this.callsite)),
                tracing_core::metadata::Kind::SPAN,
            ),
            callsite: DefaultCallsite::new(&this.meta),
            attributes: OnceLock::new(),
        }
    }

    /// The `tracing` metadata of spans opened at this site.
    pub fn metadata(&'static self) -> &'static Metadata<'static> {
        &self.meta
    }

    pub(crate) fn callsite(&'static self) -> &'static DefaultCallsite {
        &self.callsite
    }

    /// `acm.category`, `acm.phase` and the `code.*` attributes, as every span of the site
    /// carries them.
    pub(crate) fn attributes(&'static self) -> &'static Preset {
        self.attributes.get_or_init(|| {
            let mut pairs = vec![
                ("acm.category", StaticValue::Str(self.category)),
                ("acm.phase", StaticValue::Str(self.phase.as_str())),
                ("code.file.path", StaticValue::Str(self.file)),
                ("code.line.number", StaticValue::Int(i64::from(self.line))),
                ("code.module.name", StaticValue::Str(self.module_path)),
            ];
            if !self.function.is_empty() {
                pairs.push(("code.function.name", StaticValue::Str(self.function)));
            }
            Preset::from_static(&pairs)
        })
    }
}

impl fmt::Debug for SpanSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpanSite")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("category", &self.category)
            .field("phase", &self.phase)
            .field("function", &self.function)
            .field("module_path", &self.module_path)
            .field("file", &self.file)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}
