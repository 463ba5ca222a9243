//! The fixes rustc suggests for a mistaken placeholder, which editors apply with one click,
//! replace the identifier inside the span name and never the name itself: the string literal
//! stays in place. Read from the JSON diagnostics an editor reads, on a fixture built here.

#[path = "support/fixture.rs"]
mod fixture;

use serde_json::Value;

/// Every span of a diagnostic and of its children that carries a replacement.
fn suggestions<'a>(message: &'a Value, out: &mut Vec<&'a Value>) {
    for span in message["spans"].as_array().into_iter().flatten() {
        if span["suggested_replacement"].is_string() {
            out.push(span);
        }
    }
    for child in message["children"].as_array().into_iter().flatten() {
        suggestions(child, out);
    }
}

#[test]
fn fixes_keep_the_span_name() {
    let dir = fixture::fixture("placeholder-fixes");
    let out = fixture::cargo(&["check", "--quiet", "--message-format=json"], &dir);
    assert!(!out.status.success(), "the fixture must not compile");
    let source = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let messages: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-message")
        .map(|m| m["message"].clone())
        .collect();
    let mut fixes = Vec::new();
    for message in &messages {
        suggestions(message, &mut fixes);
    }
    let errors = messages.iter().filter(|m| m["level"] == "error").count();
    assert!(errors >= 3, "{messages:#?}");
    // `DETECTOR` and `detectr` both have a fix; without them the test would prove nothing.
    assert!(fixes.len() >= 2, "{messages:#?}");
    for fix in fixes {
        let start = usize::try_from(fix["byte_start"].as_u64().unwrap()).unwrap();
        let end = usize::try_from(fix["byte_end"].as_u64().unwrap()).unwrap();
        let replaced = &source[start..end];
        assert!(
            !replaced.contains('"'),
            "a fix replaces `{replaced}` with `{}`",
            fix["suggested_replacement"]
        );
    }
}
