//! What an error may show of a value that can hold a secret: header values and the password
//! or query of a URL are replaced, so a start error can be logged or shown to anyone.

/// Placeholder for a hidden part.
const HIDDEN: &str = "***";

/// `value` of the variable or builder setting `name`, as an error may show it.
pub(crate) fn shown(name: &str, value: &str) -> String {
    if name.contains("HEADERS") || name == "header" {
        headers(value)
    } else if name.contains("ENDPOINT") || name.ends_with("endpoint") {
        url(value)
    } else {
        value.to_owned()
    }
}

/// `key=value` entries with every value hidden, and keys kept only where they are header
/// names (an entry without `=` may be a token pasted on its own).
fn headers(value: &str) -> String {
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| match entry.split_once('=') {
            Some((key, _)) if is_token(key.trim()) => format!("{}={HIDDEN}", key.trim()),
            _ => HIDDEN.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn is_token(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// The URL with the password of its user information and its query and fragment hidden.
fn url(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, value),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:{HIDDEN}@{host}"),
            None => format!("{HIDDEN}@{host}"),
        },
        None => authority.to_owned(),
    };
    let path = match path.find(['?', '#']) {
        Some(at) => format!("{}{}{HIDDEN}", &path[..at], &path[at..=at]),
        None => path.to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn header_values_are_hidden() {
        assert_eq!(
            shown(
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Bearer s3cret, x-team=a,Bearer naked-token"
            ),
            "authorization=***,x-team=***,***"
        );
        assert_eq!(shown("header", "bad key=s3cret"), "***");
    }

    #[test]
    fn url_passwords_and_queries_are_hidden() {
        assert_eq!(
            shown(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "https://me:s3cret@host:4318/v1?key=s3cret"
            ),
            "https://me:***@host:4318/v1?***"
        );
        assert_eq!(
            shown("endpoint", "http://tok3n@host/x#s3cret"),
            "http://***@host/x#***"
        );
        assert_eq!(
            shown("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://host:4317"),
            "ftp://host:4317"
        );
        assert_eq!(shown("OTEL_SERVICE_NAME", "me:s3cret@x"), "me:s3cret@x");
    }
}
