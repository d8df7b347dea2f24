//! Extracting the server's own words from an error body, whatever shape it came in.

/// The most useful one-line message in a response body: the JSON fields PAIRS and its gateways
/// use (`message`, `error` + `error_description`, `httpMessage` + `moreInformation`,
/// `errorMessage`), an HTML page's title, or the start of the text. Control characters are
/// removed so that a hostile body cannot drive the terminal.
pub fn server_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(trimmed) {
        let field = |k: &str| map.get(k).and_then(scalar_text);
        let found = field("message")
            .or_else(|| join(field("error"), field("error_description")))
            .or_else(|| join(field("httpMessage"), field("moreInformation")))
            .or_else(|| field("errorMessage"))
            .or_else(|| field("description"));
        return found.map(|m| clean(&m));
    }
    if looks_like_html(trimmed) {
        let title = html_title(trimmed).unwrap_or_default();
        return Some(if title.is_empty() {
            "an HTML page instead of JSON".to_owned()
        } else {
            format!("an HTML page instead of JSON: \"{}\"", clean(&title))
        });
    }
    Some(clean(trimmed))
}

/// Whether a body is an HTML page (a proxy's or gateway's error page, typically).
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(64).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = lower[start..].find("</title>")? + start;
    text.get(start..end).map(|t| t.trim().to_owned())
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn join(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}: {b}")),
        (a, b) => a.or(b),
    }
}

/// One line, at most 300 characters, with control characters replaced by spaces.
fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some((i, _)) = out.char_indices().nth(300) {
        out.truncate(i);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_pairs_uses() {
        assert_eq!(
            server_message(br#"{"message":"Error: 404 Not Found."}"#).unwrap(),
            "Error: 404 Not Found."
        );
        assert_eq!(
            server_message(br#"{"error":"invalid_grant","error_description":"used twice"}"#).unwrap(),
            "invalid_grant: used twice"
        );
        assert_eq!(
            server_message(br#"{"httpCode":"401","httpMessage":"Unauthorized","moreInformation":"Invalid client id or secret."}"#)
                .unwrap(),
            "Unauthorized: Invalid client id or secret."
        );
        assert_eq!(server_message(br#"{"errorCode":"X","errorMessage":"bad key"}"#).unwrap(), "bad key");
    }

    #[test]
    fn empty_object_and_empty_body_have_no_message() {
        assert_eq!(server_message(b"{}"), None);
        assert_eq!(server_message(b"  \n"), None);
    }

    #[test]
    fn html_pages_are_named_by_title() {
        let m = server_message(b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>")
            .unwrap();
        assert_eq!(m, "an HTML page instead of JSON: \"502 Bad Gateway\"");
    }

    #[test]
    fn escape_sequences_never_reach_the_screen() {
        let m = server_message(b"\x1b[2J\x1b]52;c;aGk=\x07oops\r\nmore").unwrap();
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert!(m.contains("oops"));
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(1000);
        assert_eq!(server_message(long.as_bytes()).unwrap().chars().count(), 301);
    }
}
