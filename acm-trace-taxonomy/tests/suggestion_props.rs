//! Property test: a suggestion is itself a valid name. For every rejected name for which an
//! error offers a repair, both the repair (`NameError::suggestion`) and the text the message
//! shows are accepted by `validate_name`.

use std::sync::atomic::{AtomicUsize, Ordering};

use acm_trace_taxonomy::{CATEGORIES, validate_name};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 20_000;

fn category() -> impl Strategy<Value = String> {
    prop::sample::select(
        CATEGORIES
            .iter()
            .map(|c| c.name.to_owned())
            .collect::<Vec<_>>(),
    )
}

/// A first segment near a category: exact, capitalised, glued to a word, one letter off.
fn first_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        category(),
        category().prop_map(|c| c.to_uppercase()),
        category().prop_map(|c| {
            let mut chars = c.chars();
            chars.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + chars.as_str()
            })
        }),
        (category(), "[a-z]{1,6}", "[_\\- /]").prop_map(|(c, w, sep)| format!("{c}{sep}{w}")),
        (category(), any::<prop::sample::Index>(), "[a-z]").prop_map(|(c, i, letter)| {
            let mut chars: Vec<char> = c.chars().collect();
            let at = i.index(chars.len());
            chars[at] = letter.chars().next().unwrap_or('x');
            chars.into_iter().collect()
        }),
        "[a-zA-Z0-9_\\- ]{0,8}",
    ]
}

/// Any later segment: valid, camel case with acronyms, padded, junk, a placeholder.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,8}",
        "[A-Z][a-zA-Z0-9]{0,8}",
        "[a-z]{1,4}[A-Z]{1,4}[a-z]{0,4}",
        " ?[a-z]{1,6} ?",
        "[a-zA-Z0-9_\\- /]{0,8}",
        "[0-9][a-z0-9]{0,4}",
        "\\{ ?[a-z_]{1,6} ?\\}",
        "[a-zé]{1,4}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    (
        "[ .]{0,2}",
        first_segment(),
        prop::collection::vec(
            (prop_oneof![Just("."), Just(".."), Just(" . ")], segment()),
            0..5,
        ),
        "[ .]{0,2}",
    )
        .prop_map(|(lead, first, rest, trail)| {
            let mut name = lead + &first;
            for (sep, seg) in rest {
                name.push_str(sep);
                name.push_str(&seg);
            }
            name + &trail
        })
}

/// The text a message proposes: what follows its last "write `", "write e.g. `" or
/// "did you mean `".
fn shown_suggestion(message: &str) -> Option<&str> {
    let start = ["write `", "write e.g. `", "did you mean `"]
        .iter()
        .filter_map(|m| message.rfind(m).map(|i| i + m.len()))
        .max()?;
    message[start..].split('`').next()
}

#[test]
fn every_suggestion_is_a_valid_name() {
    let rejected = AtomicUsize::new(0);
    let offered = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        source_file: Some(file!()),
        ..Config::default()
    });
    runner
        .run(&name(), |name| {
            let Err(error) = validate_name(&name) else {
                return Ok(());
            };
            rejected.fetch_add(1, Ordering::Relaxed);
            let message = error.to_string();
            if let Some(fixed) = error.suggestion() {
                offered.fetch_add(1, Ordering::Relaxed);
                prop_assert!(
                    validate_name(fixed).is_ok(),
                    "{name:?} suggests {fixed:?}: {:?}",
                    validate_name(fixed)
                );
                let shown = shown_suggestion(&message);
                prop_assert!(shown.is_some(), "{name:?}: {message}");
                let shown = shown.unwrap_or_default();
                prop_assert!(
                    validate_name(shown).is_ok(),
                    "{name:?} shows {shown:?}: {message}"
                );
            }
            Ok(())
        })
        .unwrap();
    let (rejected, offered) = (rejected.into_inner(), offered.into_inner());
    println!("{CASES} cases: {rejected} rejected names, {offered} with a suggestion");
    // The generator must keep exercising the repairs, not only the grammar.
    assert!(offered * 3 > rejected, "{offered} of {rejected}");
}

#[test]
fn suggestions_of_the_issue() {
    let fix = |n: &str| {
        validate_name(n)
            .unwrap_err()
            .suggestion()
            .map(str::to_owned)
    };
    assert_eq!(fix("Fit.PCA").as_deref(), Some("fit.pca"));
    assert_eq!(fix(" fit.pca").as_deref(), Some("fit.pca"));
    assert_eq!(fix("load-data.csv").as_deref(), Some("load.data.csv"));
    assert_eq!(fix("fit.HTTPRequest").as_deref(), Some("fit.http_request"));
    assert_eq!(
        validate_name("Fit.PCA").unwrap_err().to_string(),
        "segment `Fit` of span name `Fit.PCA` has uppercase letters; \
         segments are lowercase snake_case; write `fit.pca`"
    );
    assert_eq!(
        validate_name(" fit.pca").unwrap_err().to_string(),
        "segment ` fit` of span name ` fit.pca` contains ` `; \
         segments use only `a-z`, `0-9` and `_`; write `fit.pca`"
    );
}
