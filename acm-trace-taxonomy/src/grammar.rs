use crate::{Category, Kind, NameError, Phase, category};

/// The deepest a span name may be: `category.subcategory.operation`.
pub const MAX_LEVELS: usize = 3;

/// One dot-separated segment of a span name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A literal segment, `[a-z][a-z0-9_]*`.
    Static(String),
    /// `{…}`: a segment filled in at run time; holds the text between the braces.
    Placeholder(String),
}

/// A span name that follows the convention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanName {
    segments: Vec<Segment>,
    category: &'static Category,
}

impl SpanName {
    /// The segments in order; the first is always static.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The category (first segment).
    pub fn category(&self) -> &'static str {
        self.category.name
    }

    /// The span kind of the category.
    pub fn kind(&self) -> Kind {
        self.category.kind
    }

    /// The default phase of the category.
    pub fn phase(&self) -> Phase {
        self.category.phase
    }

    /// Whether every segment is static, so the name is known at compile time.
    pub fn is_static(&self) -> bool {
        self.placeholders().next().is_none()
    }

    /// The texts of the placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p.as_str()),
            Segment::Static(_) => None,
        })
    }
}

/// Checks a span name against the convention and returns its parsed form.
///
/// The grammar: 1 to [`MAX_LEVELS`] segments separated by single dots; each segment is
/// `[a-z][a-z0-9_]*` or a `{placeholder}` (not the first); the first segment is a known
/// category.
///
/// ```
/// use acm_trace_taxonomy::{validate_name, Kind, Segment};
/// let n = validate_name("sql.bulk_insert").unwrap();
/// assert_eq!(n.kind(), Kind::Client);
/// assert!(n.is_static());
/// assert!(validate_name("fit.pca.svd.inner").is_err());
/// assert!(validate_name("Fit.pca").is_err());
/// ```
pub fn validate_name(name: &str) -> Result<SpanName, NameError> {
    check(name).map_err(|e| e.with_repair(crate::repair::repair(name)))
}

/// The grammar without suggestions: what [`validate_name`] and the repairs it suggests are
/// both checked against.
pub(crate) fn check(name: &str) -> Result<SpanName, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let raw = split_segments(name)?;
    if raw.first() == Some(&"") {
        return Err(NameError::LeadingDot {
            name: name.to_owned(),
            fixed: None,
        });
    }
    if raw.len() > 1 && raw.last() == Some(&"") {
        return Err(NameError::TrailingDot {
            name: name.to_owned(),
            fixed: None,
        });
    }
    if let Some(i) = raw.iter().position(|s| s.is_empty()) {
        return Err(NameError::EmptySegment {
            name: name.to_owned(),
            level: i + 1,
            fixed: None,
        });
    }
    if raw.len() > MAX_LEVELS {
        return Err(NameError::TooDeep {
            name: name.to_owned(),
            levels: raw.len(),
            shorter: None,
        });
    }
    let mut segments = Vec::with_capacity(raw.len());
    for (i, seg) in raw.iter().enumerate() {
        let parsed = parse_segment(name, seg)?;
        if let (0, Segment::Placeholder(p)) = (i, &parsed) {
            return Err(NameError::PlaceholderCategory {
                name: name.to_owned(),
                placeholder: p.clone(),
            });
        }
        segments.push(parsed);
    }
    let first = raw[0];
    let category = category(first).ok_or_else(|| NameError::UnknownCategory {
        name: name.to_owned(),
        category: first.to_owned(),
        suggestion: None,
    })?;
    Ok(SpanName { segments, category })
}

/// Splits on dots outside braces, and checks that braces pair up.
pub(crate) fn split_segments(name: &str) -> Result<Vec<&str>, NameError> {
    let mut segments = Vec::new();
    let mut start = 0;
    let mut open = false;
    for (i, ch) in name.char_indices() {
        match ch {
            '{' if open => {
                return Err(NameError::UnclosedPlaceholder {
                    name: name.to_owned(),
                });
            }
            '{' => open = true,
            '}' if !open => {
                return Err(NameError::StrayBrace {
                    name: name.to_owned(),
                });
            }
            '}' => open = false,
            '.' if !open => {
                segments.push(&name[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if open {
        return Err(NameError::UnclosedPlaceholder {
            name: name.to_owned(),
        });
    }
    segments.push(&name[start..]);
    Ok(segments)
}

fn parse_segment(name: &str, seg: &str) -> Result<Segment, NameError> {
    if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        if inner.trim().is_empty() {
            return Err(NameError::EmptyPlaceholder {
                name: name.to_owned(),
            });
        }
        let inner = inner.trim();
        if !is_placeholder_path(inner) {
            return Err(NameError::BadPlaceholder {
                name: name.to_owned(),
                placeholder: inner.to_owned(),
            });
        }
        return Ok(Segment::Placeholder(inner.to_owned()));
    }
    if seg.contains(['{', '}']) {
        return Err(NameError::PartialPlaceholder {
            name: name.to_owned(),
            segment: seg.to_owned(),
        });
    }
    if seg.chars().any(|c| c.is_uppercase()) {
        return Err(NameError::Uppercase {
            name: name.to_owned(),
            segment: seg.to_owned(),
            fixed: None,
        });
    }
    if let Some(ch) = seg
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        return Err(NameError::BadChar {
            name: name.to_owned(),
            segment: seg.to_owned(),
            ch,
            fixed: None,
        });
    }
    let first = seg.chars().next().unwrap_or('_');
    if !first.is_ascii_lowercase() {
        return Err(NameError::BadStart {
            name: name.to_owned(),
            segment: seg.to_owned(),
            first,
            fixed: None,
        });
    }
    Ok(Segment::Static(seg.to_owned()))
}

/// An argument, a field of one (`self.kind`) or a path (`Self::NAME`): identifiers joined by
/// `.` or `::`.
pub(crate) fn is_placeholder_path(text: &str) -> bool {
    let is_ident = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    text.split("::").all(|path| path.split('.').all(is_ident))
}
