//! The live view's page: self-contained (styles, script, charts), with the current
//! snapshot inside so its first paint shows the counters; the live feed takes over.

use askama::Template;

#[derive(Debug, Template)]
#[template(path = "watch.html", escape = "none")]
struct Page<'a> {
    snapshot: &'a str,
}

/// The page with `snapshot` (the snapshot's JSON) as its first data.
pub fn page(snapshot: &str) -> String {
    // `</` cannot end the script element early: JSON allows `<\/` for `</`.
    let snapshot = snapshot.replace("</", "<\\/");
    Page { snapshot: &snapshot }.render().expect("the live page renders")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_snapshot_cannot_end_the_script_early() {
        let page = super::page(r#"{"lanes":[],"note":"</script><script>alert(1)</script>"}"#);
        assert!(page.contains(r#"const initial = {"lanes":[],"note":"<\/script><script>alert(1)<\/script>"};"#));
        assert_eq!(page.matches("</script>").count(), 1);
    }

    /// The live charts are sparklines, batch bars and a timeline drawn by the page's script:
    /// the timeline's scale is their only text, so no label of theirs can meet another (the
    /// figures sit in HTML beside them). Checked here: the page tests open the watch with a
    /// stack (`bench/tests/watch/`), these pages from fixtures.
    #[test]
    fn the_live_charts_draw_one_label_at_most() {
        let page = super::page(r#"{"lanes":[]}"#);
        assert!(page.contains(r#"el("svg:svg""#) && page.contains("svg:polyline"));
        assert_eq!(
            page.matches("svg:text").count(),
            1,
            "the timeline's scale, and nothing else"
        );
        assert!(!page.contains("<text"));
    }
}
