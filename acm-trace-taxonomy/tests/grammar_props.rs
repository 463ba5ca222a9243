//! Property tests: `validate_name` accepts exactly the grammar and never panics.

use acm_trace_taxonomy::{CATEGORIES, MAX_LEVELS, NameError, Segment, validate_name};
use proptest::prelude::*;

/// An independent statement of the grammar, written as a direct reading of the naming
/// convention (see `validate_name`'s documentation) rather than from its code.
fn reference_accepts(name: &str) -> bool {
    // Dots inside `{…}` belong to the placeholder (`{self.kind}`), not to the name.
    let mut segments = vec![String::new()];
    let mut depth = 0_i32;
    for c in name.chars() {
        match c {
            '.' if depth == 0 => segments.push(String::new()),
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
        if c != '.' || depth > 0 {
            segments.last_mut().unwrap().push(c);
        }
    }
    if depth != 0 || segments.len() > MAX_LEVELS {
        return false;
    }
    let is_static = |s: &str| {
        let mut chars = s.chars();
        matches!(chars.next(), Some('a'..='z'))
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let is_ident = |p: &str| {
        let mut chars = p.chars();
        matches!(chars.next(), Some('a'..='z' | 'A'..='Z' | '_'))
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let is_placeholder = |s: &str| {
        s.len() > 2
            && s.starts_with('{')
            && s.ends_with('}')
            && s[1..s.len() - 1]
                .trim()
                .split("::")
                .all(|path| path.split('.').all(is_ident))
    };
    is_static(&segments[0])
        && CATEGORIES.iter().any(|c| c.name == segments[0])
        && segments[1..]
            .iter()
            .all(|s| is_static(s) || is_placeholder(s))
}

fn category() -> impl Strategy<Value = String> {
    prop::sample::select(
        CATEGORIES
            .iter()
            .map(|c| c.name.to_owned())
            .collect::<Vec<_>>(),
    )
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,8}",
        "\\{[a-z_]{1,6}\\}",
        "\\{[a-zA-Z_.:]{1,8}\\}",
        "[a-zA-Z0-9_\\- {}]{0,6}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    (
        prop_oneof![category(), "[a-zA-Z0-9_{}]{0,7}"],
        prop::collection::vec(segment(), 0..5),
    )
        .prop_map(|(first, rest)| {
            let mut parts = vec![first];
            parts.extend(rest);
            parts.join(".")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn accepts_exactly_the_grammar(name in name()) {
        let ours = validate_name(&name);
        prop_assert_eq!(ours.is_ok(), reference_accepts(&name), "name {:?} gave {:?}", name, ours);
    }

    #[test]
    fn never_panics_on_any_string(name in ".{0,40}") {
        let _ = validate_name(&name);
        prop_assert_eq!(validate_name(&name).is_ok(), reference_accepts(&name));
    }

    #[test]
    fn accepted_names_round_trip(cat in category(), rest in prop::collection::vec("[a-z][a-z0-9_]{0,8}", 0..MAX_LEVELS)) {
        let mut parts = vec![cat.clone()];
        parts.extend(rest.iter().cloned());
        let parsed = validate_name(&parts.join(".")).unwrap();
        prop_assert_eq!(parsed.category(), cat.as_str());
        let statics: Vec<String> = parsed.segments().iter().map(|s| match s {
            Segment::Static(s) => s.clone(),
            Segment::Placeholder(p) => p.clone(),
        }).collect();
        prop_assert_eq!(statics, parts);
    }
}

#[test]
fn messages_read_well() {
    let msg = |n: &str| validate_name(n).unwrap_err().to_string();
    assert_eq!(
        msg("fuse"),
        "unknown span category `fuse`; did you mean `fusion`?"
    );
    assert_eq!(
        msg("load_data"),
        "unknown span category `load_data`; did you mean `load.data`?"
    );
    assert_eq!(
        msg("data.guardrails.data_quality.missing"),
        "span name `data.guardrails.data_quality.missing` has 4 levels; at most 3 are allowed \
         (category.subcategory.operation); write e.g. `data.guardrails.data_quality_missing`"
    );
    assert!(matches!(validate_name(""), Err(NameError::Empty)));
    assert!(matches!(
        validate_name("{x}.pca"),
        Err(NameError::PlaceholderCategory { .. })
    ));
    assert!(matches!(
        validate_name("fit.pca_{x}"),
        Err(NameError::PartialPlaceholder { .. })
    ));
    assert_eq!(
        msg("fit.dataQuality"),
        "segment `dataQuality` of span name `fit.dataQuality` has uppercase letters; \
         segments are lowercase snake_case; write `fit.data_quality`"
    );
}
