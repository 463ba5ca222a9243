//! The catalog of every instrumented site linked into the program.
//!
//! ```
//! for site in acm_trace_runtime::catalog::sites() {
//!     println!("{} ({}) at {}:{}", site.name, site.kind, site.file, site.line);
//! }
//! acm_trace_runtime::catalog::check().expect("no name is used with two kinds");
//! ```

use std::fmt;

use linkme::distributed_slice;
use tracing_core::Metadata;

use crate::SpanSite;

/// Every `SpanSite` static of the program, collected by the linker.
#[doc(hidden)]
#[distributed_slice]
pub static SITES: [SpanSite];

/// The sites the linker collected. Miri cannot read the linker's section bounds, so under
/// Miri the catalog is empty: spans that instrumented code opens directly still carry their
/// site, and spans opened through `tracing`'s API are recorded without one.
fn linked() -> &'static [SpanSite] {
    #[cfg(not(miri))]
    {
        &SITES
    }
    #[cfg(miri)]
    {
        &[]
    }
}

/// Declares the static of one site and places it in the catalog. The expansions of
/// `#[acm_span]` and `span!` call it once per site, as `__private::site!`: rustc expands a
/// `macro_rules!` macro natively, which costs a build less than writing the same tokens out
/// in the proc macro. The arguments are those of [`SpanSite::new`], less the static itself,
/// the module and the file; the field names come last, none for the standard fields alone.
///
/// On Linux, Android and Windows the static goes straight into the linker section that
/// linkme reads for `SITES` (the section name linkme gives a slice of that name), without
/// linkme's attribute, which expands to two more macro calls and a type-check function per
/// site; elsewhere (macOS's section name holds a hash) through linkme's attribute. The test
/// `a_site_placed_by_link_section_is_in_the_catalog` fails if the names stop matching.
#[doc(hidden)]
#[macro_export]
macro_rules! __acm_site {
    (
        $site:ident, $name:literal, $category:literal, $kind:ident, $phase:ident,
        $function:literal, $line:expr, $flags:literal $(, $field:literal)* $(,)?
    ) => {
        #[cfg_attr(
            any(target_os = "linux", target_os = "android"),
            used,
            unsafe(link_section = "linkme_SITES")
        )]
        #[cfg_attr(windows, used, unsafe(link_section = ".linkme_SITES$b"))]
        #[cfg_attr(
            not(any(target_os = "linux", target_os = "android", windows)),
            $crate::private::linkme::distributed_slice($crate::private::SITES),
            linkme(crate = $crate::private::linkme)
        )]
        static $site: $crate::SpanSite = $crate::SpanSite::new(
            &$site,
            $name,
            $category,
            $crate::Kind::$kind,
            $crate::Phase::$phase,
            $function,
            $crate::private::module_path!(),
            $crate::private::file!(),
            $line,
            &[$($field),*],
            $flags,
        );
    };
}

/// Every instrumented site linked into this program, in no particular order.
pub fn sites() -> impl Iterator<Item = &'static SpanSite> {
    linked().iter()
}

/// The site that owns `meta`, if `meta` belongs to an acm span.
///
/// Constant time: the sites live in one linker section, so the metadata's address tells
/// which element it is part of.
pub fn site_of(meta: &'static Metadata<'static>) -> Option<&'static SpanSite> {
    let sites = linked();
    let size = std::mem::size_of::<SpanSite>();
    let base = sites.as_ptr() as usize;
    let addr = std::ptr::from_ref(meta) as usize;
    let offset = addr.checked_sub(base)?;
    let site = sites.get(offset / size)?;
    std::ptr::eq(site.metadata(), meta).then_some(site)
}

/// Two sites that use one static name with different span kinds.
#[derive(Debug)]
pub struct KindConflict {
    /// The shared name.
    pub name: &'static str,
    /// The first site.
    pub first: &'static SpanSite,
    /// The second site, whose kind differs.
    pub second: &'static SpanSite,
}

/// What [`check`] found.
#[derive(Debug)]
pub struct CatalogError {
    /// Every conflicting pair.
    pub conflicts: Vec<KindConflict>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} span name(s) used with different kinds:",
            self.conflicts.len()
        )?;
        for c in &self.conflicts {
            writeln!(
                f,
                "  `{}`: {} at {}:{} ({}), {} at {}:{} ({})",
                c.name,
                c.first.kind,
                c.first.file,
                c.first.line,
                c.first.function,
                c.second.kind,
                c.second.file,
                c.second.line,
                c.second.function,
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}

/// Checks the catalog: every static span name has one kind everywhere.
pub fn check() -> Result<(), CatalogError> {
    let mut statics: Vec<&'static SpanSite> = sites().filter(|s| s.is_static).collect();
    statics.sort_by_key(|s| (s.name, s.file, s.line));
    let mut conflicts = Vec::new();
    for group in statics.chunk_by(|a, b| a.name == b.name) {
        let first = group[0];
        conflicts.extend(
            group[1..]
                .iter()
                .filter(|s| s.kind != first.kind)
                .map(|&second| KindConflict {
                    name: first.name,
                    first,
                    second,
                }),
        );
    }
    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(CatalogError { conflicts })
    }
}

#[cfg(test)]
mod tests {
    use super::{site_of, sites};
    use crate::private::STANDARD_FIELDS;

    // Placed as `#[acm_span]` places a site. On Linux, Android and Windows it goes straight
    // into the section linkme reads for `SITES`, without linkme's attribute: if linkme renamed
    // its sections, this site would be missing from the catalog.
    crate::__acm_site!(
        PLACED,
        "test.placed",
        "test",
        Internal,
        Features,
        "placed",
        line!(),
        0
    );

    // A site with attributes of its own lists every field name.
    crate::__acm_site!(
        OWN_FIELDS,
        "test.own_fields",
        "test",
        Internal,
        Features,
        "own",
        line!(),
        0,
        "acm.a",
        "acm.b"
    );

    #[test]
    fn a_site_without_field_names_has_the_standard_ones() {
        let names: Vec<_> = PLACED
            .metadata()
            .fields()
            .iter()
            .map(|f| f.name())
            .collect();
        assert_eq!(names, STANDARD_FIELDS);
        let names: Vec<_> = OWN_FIELDS
            .metadata()
            .fields()
            .iter()
            .map(|f| f.name())
            .collect();
        assert_eq!(names, ["acm.a", "acm.b"]);
        assert_eq!(
            (PLACED.name, PLACED.category, PLACED.function),
            ("test.placed", "test", "placed")
        );
        assert_eq!(PLACED.module_path, module_path!());
        assert_eq!(PLACED.file, file!());
    }

    #[test]
    fn a_site_placed_by_link_section_is_in_the_catalog() {
        assert!(sites().any(|s| std::ptr::eq(s, &PLACED)));
        assert!(std::ptr::eq(
            site_of(PLACED.metadata()).expect("found by its metadata"),
            &PLACED
        ));
    }
}
