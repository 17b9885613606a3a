//! User-supplied HTML is cleaned with an allow-list before it is stored: no script,
//! style, svg, math, iframe, event handlers or `javascript:` URLs. Safe HTML passes
//! through unchanged.

use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        // Links keep the attributes the editor wrote; adding `rel` would change
        // already-safe HTML on every round trip.
        builder.link_rel(None);
        builder.add_generic_attributes(["class", "data-id"]);
        builder.add_tag_attributes("a", ["target"]);
        builder.add_tags(["s", "u", "mark", "figure", "figcaption"]);
        builder
    })
}

/// The cleaned HTML.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><img src="a.png" onerror="alert(2)"></p><svg><circle/></svg><iframe src="x"></iframe><a href="javascript:alert(3)">l</a>"#;
        let clean = sanitize(dirty);
        for banned in [
            "<script",
            "onerror",
            "onclick",
            "<svg",
            "<iframe",
            "javascript:",
        ] {
            assert!(!clean.contains(banned), "{banned} survived in {clean}");
        }
    }

    #[test]
    fn safe_html_round_trips_unchanged() {
        for safe in [
            "<p>Check the rollout notes.</p>",
            "<h1>Weekly API Report</h1><p>All checks passed.</p>",
            r#"<p><a href="https://example.com">link</a> <strong>bold</strong> <em>it</em></p>"#,
            r#"<p><img src="/file/browser/a/b/example.png" alt="x"></p>"#,
            "<ul><li>one</li><li>two</li></ul>",
            "<p>Hei, kiitos viestistä.</p>",
        ] {
            assert_eq!(sanitize(safe), safe);
        }
    }
}
