/// The candidate closest to `given` by edit distance, if it is close enough to be a likely
/// typo: at most half the length of the longer word, and never for a one-letter input.
///
/// ```
/// use acm_trace_taxonomy::closest;
/// assert_eq!(closest("fuse", ["fusion", "fit"]), Some("fusion"));
/// assert_eq!(closest("zzzzzz", ["fusion", "fit"]), None);
/// ```
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if given.chars().count() < 2 {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| {
            (
                edit_distance(given, c),
                std::cmp::Reverse(common_prefix(given, c)),
                c,
            )
        })
        .filter(|&(d, _, c)| d > 0 && d * 2 <= given.chars().count().max(c.chars().count()))
        .min()
        .map(|(_, _, c)| c)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Levenshtein distance over chars.
///
/// ```
/// assert_eq!(acm_trace_taxonomy::edit_distance("kind", "knd"), 1);
/// ```
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("fuse", "fusion"), 3);
    }

    #[test]
    fn suggestions() {
        let cats = crate::CATEGORIES.iter().map(|c| c.name);
        assert_eq!(closest("fuse", cats.clone()), Some("fusion"));
        assert_eq!(closest("scor", cats.clone()), Some("score"));
        assert_eq!(closest("featurs", cats.clone()), Some("features"));
        assert_eq!(closest("threshold", cats.clone()), Some("thresholds"));
        assert_eq!(closest("qqqqqqq", cats), None);
    }
}
