//! Reading a README's commands: `sh` blocks line by line, and commands in the prose.

/// The commands of a README: `sh` blocks line by line, then inline commands, each once, in
/// order of appearance.
pub fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut push = |command: String| {
        if !command.is_empty() && !commands.contains(&command) {
            commands.push(command);
        }
    };
    let mut fence: Option<String> = None;
    let mut pending = String::new();
    // Prose is read a paragraph at a time: a code span may wrap.
    let mut prose = String::new();
    for line in readme.lines() {
        if fence.is_none() && (line.trim().is_empty() || line.trim_start().starts_with("```")) {
            inline_commands(&prose).into_iter().for_each(&mut push);
            prose.clear();
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                None => Some(info.trim().to_owned()),
                Some(_) => None,
            };
            continue;
        }
        match fence.as_deref() {
            Some("sh") => {
                let code = strip_comment(line);
                // A comment may name a command too (`then `make bench` in another shell`).
                let comment = &line[code.len()..];
                let (code, continues) = match code.trim_end().strip_suffix('\\') {
                    Some(head) => (head.to_owned(), true),
                    None => (code.to_owned(), false),
                };
                pending.push_str(&code);
                pending.push(' ');
                if !continues {
                    push(collapse(&pending));
                    pending.clear();
                }
                inline_commands(comment).into_iter().for_each(&mut push);
            }
            Some(_) => {}
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    inline_commands(&prose).into_iter().for_each(&mut push);
    commands
}

/// The line without its `#` comment (a `#` after white space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double, mut previous) = (false, false, ' ');
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Code spans of a paragraph that are commands.
fn inline_commands(paragraph: &str) -> Vec<String> {
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(collapse)
        .filter(|span| {
            ["make ", "target/debug/", "cargo ", "curl "]
                .iter()
                .any(|start| span.starts_with(start))
                || span.starts_with("scripts/")
        })
        .collect()
}
