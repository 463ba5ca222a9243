//! Span names with dynamic parts (`fit.{detector}`), checked at run time: the compiler checks
//! the template, but a value can be anything. Each value is made into text the grammar takes
//! (lower-case letters, digits and `_`, never empty, never a dot that would add a level); a
//! name that had to change keeps what the program gave in the attribute
//! [`ORIGINAL_NAME_KEY`](crate::ORIGINAL_NAME_KEY).

/// The values of `name` at the placeholders of `template`, normalised, put back into it; `None`
/// when every value was already valid (or the name does not follow the template).
pub(crate) fn normalise(template: &str, name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    let mut changed = false;
    for (i, part) in template.split('{').enumerate() {
        // Every part but the first starts with a placeholder, up to its `}`.
        let literal = if i == 0 {
            part
        } else {
            let (_, literal) = part.split_once('}')?;
            // The value runs to the next literal text, or to the end of the name.
            // (Two placeholders in a row cannot be told apart: the first takes it all.)
            let end = if literal.is_empty() {
                rest.len()
            } else {
                rest.find(literal)?
            };
            let value = &rest[..end];
            let at_segment_start = out.is_empty() || out.ends_with('.');
            let segment = segment_of(value, at_segment_start);
            changed |= segment != value;
            out.push_str(&segment);
            rest = &rest[end..];
            literal
        };
        rest = rest.strip_prefix(literal)?;
        out.push_str(literal);
    }
    (changed && rest.is_empty()).then_some(out)
}

/// `value` as text the grammar takes inside a segment: ASCII letters lower-cased, every run of
/// other characters (spaces, dots, dashes, non-ASCII) one `_`, no `_` at either end; `unknown`
/// when nothing is left; a leading digit gets a `v` where a segment starts.
fn segment_of(value: &str, at_segment_start: bool) -> String {
    let mut segment = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            segment.push(c.to_ascii_lowercase());
        } else if !segment.ends_with('_') {
            segment.push('_');
        }
    }
    let segment = segment.trim_matches('_');
    if segment.is_empty() {
        return "unknown".to_owned();
    }
    if at_segment_start && segment.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("v{segment}");
    }
    segment.to_owned()
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn valid_values_are_left_alone() {
        assert_eq!(normalise("fit.{detector}", "fit.pca"), None);
        assert_eq!(normalise("score.{a}.{b}", "score.pca.v2"), None);
        assert_eq!(normalise("fit.model_{n}", "fit.model_3"), None);
    }

    #[test]
    fn values_that_break_the_grammar_become_valid_segments() {
        let cases = [
            ("fit.{detector}", "fit.", "fit.unknown"),
            ("fit.{detector}", "fit.PCA", "fit.pca"),
            (
                "fit.{detector}",
                "fit.Isolation Forest",
                "fit.isolation_forest",
            ),
            ("fit.{detector}", "fit.a.b.c", "fit.a_b_c"),
            ("fit.{detector}", "fit.9th", "fit.v9th"),
            ("fit.{detector}", "fit.--é--", "fit.unknown"),
            ("fit.model_{n}", "fit.model_A B", "fit.model_a_b"),
            ("score.{a}.{b}", "score.PCA.v 2", "score.pca.v_2"),
        ];
        for (template, name, want) in cases {
            let got = normalise(template, name);
            assert_eq!(got.as_deref(), Some(want), "{template} with {name}");
            let got = got.unwrap();
            assert!(
                acm_trace_taxonomy::validate_name(&got).is_ok(),
                "{got} is a valid name"
            );
        }
    }
}
