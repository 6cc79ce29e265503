//! What every page shares: the base page and its one style sheet (`templates/base.html`,
//! `templates/style.css`), tables of escaped cells, the origin box that says where the
//! figures come from, and the files a page is written as.

use std::fmt::Write as _;

use askama::Template;

/// A file a report is made of: its name in the report's folder and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub contents: String,
}

impl File {
    pub fn new(name: impl Into<String>, contents: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            contents: contents.into(),
        }
    }
}

/// A chart on a page: its title (the figure's label) and its SVG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub file: &'static str,
    pub title: &'static str,
    pub svg: String,
}

/// A table of text cells, every one escaped; `id` names it for links and tests.
#[derive(Debug, Clone, Template)]
#[template(path = "table.html")]
pub struct Table {
    pub id: Option<&'static str>,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<const N: usize>(id: Option<&'static str>, headings: &[&str; N], rows: Vec<[String; N]>) -> Self {
        Self {
            id,
            headings: headings.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows.into_iter().map(Vec::from).collect(),
        }
    }

    /// The table as HTML.
    pub fn html(&self) -> String {
        self.render().expect("a table of strings renders")
    }

    /// The table as Markdown.
    pub fn markdown(&self) -> String {
        let mut md = format!(
            "| {} |\n|{}\n",
            self.headings.join(" | "),
            "---|".repeat(self.headings.len())
        );
        for row in &self.rows {
            let _ = writeln!(md, "| {} |", row.join(" | "));
        }
        md
    }
}

/// Where a page's figures come from, said first: a caveat box with its list on the
/// emulator, a plain line on AWS.
#[derive(Debug, Clone, Template)]
#[template(path = "origin.html")]
pub struct Origin<'a> {
    pub line: &'a str,
    /// `Some` for local figures: what the emulator does not do as AWS does.
    pub caveats: Option<&'a [String]>,
}

impl Origin<'_> {
    pub fn html(&self) -> String {
        self.render().expect("an origin box renders")
    }
}

/// The block a page opens with: the run in one line with where it ran, one row per
/// subject, and a few findings computed from the figures (`templates/answer.html`).
#[derive(Debug, Clone, Template)]
#[template(path = "answer.html")]
pub struct AnswerBlock {
    pub run: String,
    pub place: String,
    /// Local emulator figures: the place is marked as such.
    pub local: bool,
    pub table: String,
    pub note: Option<String>,
    pub findings: Vec<String>,
}

impl AnswerBlock {
    pub fn html(&self) -> String {
        self.render().expect("an answer block renders")
    }
}

/// A folded section: its title and one-line summary visible, its detail a click away.
#[derive(Debug, Clone, Template)]
#[template(path = "fold.html")]
pub struct Fold {
    pub id: &'static str,
    pub title: &'static str,
    pub line: String,
    pub body: String,
}

impl Fold {
    pub fn html(&self) -> String {
        self.render().expect("a folded section renders")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_and_heading_is_escaped_quotes_included() {
        let table = Table::new(
            Some("t"),
            &["a<b", "c"],
            vec![["\"x\" & 'y'".to_owned(), "<script>".to_owned()]],
        );
        let html = table.html();
        assert!(
            html.contains("<th>a&#60;b</th>") || html.contains("<th>a&lt;b</th>"),
            "{html}"
        );
        assert!(!html.contains("<script>") && !html.contains("\"x\""), "{html}");
        assert!(table.markdown().contains("| \"x\" & 'y' | <script> |"));
    }
}
