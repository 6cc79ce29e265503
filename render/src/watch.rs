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
}
