//! The name an error suggests instead of a rejected one. The whole name is repaired at once
//! (every segment, the category, the depth), and the repair is offered only if the grammar
//! accepts it, so a user who follows a suggestion never meets another error.

use crate::grammar::{check, is_placeholder_path, split_segments};
use crate::{CATEGORIES, MAX_LEVELS, category, closest};

/// `"Fit.PCA"` → `fit.pca`, `" fit.pca"` → `fit.pca`, `"load-data.csv"` → `load.data.csv`,
/// `"fit.HTTPRequest"` → `fit.http_request`; `None` when no repair passes the grammar.
pub(crate) fn repair(name: &str) -> Option<String> {
    let mut parts = Vec::new();
    for raw in split_segments(name.trim()).ok()? {
        let raw = raw.trim();
        if raw.is_empty() {
            // Leading, trailing and doubled dots.
            continue;
        }
        if let Some(inner) = raw.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let inner = inner.trim();
            if !is_placeholder_path(inner) {
                return None;
            }
            parts.push(format!("{{{inner}}}"));
        } else if raw.contains(['{', '}']) {
            // Where text and a placeholder share a segment, only the user knows which to keep.
            return None;
        } else {
            let segment = repair_segment(raw)?;
            if !segment.is_empty() {
                parts.push(segment);
            }
        }
    }
    repair_category(&mut parts)?;
    if parts.len() > MAX_LEVELS {
        let extra = parts.split_off(MAX_LEVELS - 1);
        if extra.iter().any(|p| p.starts_with('{')) {
            return None;
        }
        parts.push(extra.join("_"));
    }
    let fixed = parts.join(".");
    (fixed != name && check(&fixed).is_ok()).then_some(fixed)
}

/// What the "did you mean" of an unknown category shows: the category alone when the rest of
/// the name is unchanged (`fuse.scores` → `fusion`), the whole name otherwise.
pub(crate) fn shown<'a>(name: &str, fixed: &'a str) -> &'a str {
    match (fixed.split_once('.'), name.split_once('.')) {
        (Some((head, tail)), Some((_, old))) if tail == old => head,
        _ => fixed,
    }
}

/// A segment in `[a-z][a-z0-9_]*`: camel case split at word boundaries (`HTTPRequest` →
/// `http_request`), anything else between words made `_`. `Some("")` drops the segment;
/// `None` when no segment can be made without guessing (non-ASCII letters, a leading digit).
fn repair_segment(raw: &str) -> Option<String> {
    let valid = raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        return Some(raw.to_owned());
    }
    if !raw.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(raw.len() + 4);
    for c in to_snake_case(raw).chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '_'
        };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(out)
}

/// `fitPCA` → `fit_pca`, `HTTPRequest` → `http_request`, `PCA` → `pca`.
fn to_snake_case(segment: &str) -> String {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = String::with_capacity(segment.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let after_word = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            // The last capital of an acronym starts the next word: `HTTPRequest`.
            let ends_acronym = prev.is_some_and(|p| p.is_ascii_uppercase())
                && next.is_some_and(char::is_ascii_lowercase);
            if after_word || ends_acronym {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes the first part a known category: `load_data` → `load` `data` when the part before
/// `_` is one, else the nearest category by edit distance.
fn repair_category(parts: &mut Vec<String>) -> Option<()> {
    let first = parts.first()?;
    if first.starts_with('{') {
        return None;
    }
    if category(first).is_some() {
        return Some(());
    }
    if let Some((head, tail)) = first.split_once('_')
        && category(head).is_some()
        && !tail.is_empty()
    {
        let (head, tail) = (head.to_owned(), tail.to_owned());
        parts[0] = head;
        parts.insert(1, tail);
        return Some(());
    }
    let best = closest(first, CATEGORIES.iter().map(|c| c.name))?;
    parts[0] = best.to_owned();
    Some(())
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn repairs() {
        let cases = [
            ("Fit.PCA", Some("fit.pca")),
            (" fit.pca", Some("fit.pca")),
            ("fit.pca ", Some("fit.pca")),
            ("load-data.csv", Some("load.data.csv")),
            ("fit.HTTPRequest", Some("fit.http_request")),
            ("fit.fitPCA", Some("fit.fit_pca")),
            ("fit..pca", Some("fit.pca")),
            (".fit.pca.", Some("fit.pca")),
            ("fit/pca", Some("fit.pca")),
            ("fit._private", Some("fit.private")),
            ("fit_pca.model.v2", Some("fit.pca.model_v2")),
            ("fuse.scores", Some("fusion.scores")),
            ("fit.{ detector }.Run", Some("fit.{detector}.run")),
            ("fit.2d", None),
            ("fit.pcá", None),
            ("fit.pca_{x}", None),
            ("{x}.pca", None),
            ("zzzzzz.pca", None),
            ("fit.pca", None),
        ];
        for (name, want) in cases {
            assert_eq!(repair(name).as_deref(), want, "{name:?}");
        }
    }
}
