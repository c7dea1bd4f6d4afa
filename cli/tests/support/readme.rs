//! Shared by the CLI tests that run the README's examples.

/// Splits a README shell command: backslash continuations joined, single quotes honoured
/// (the README uses no other quoting).
fn shell_words(command: &str) -> Vec<String> {
    let joined = command.replace("\\\n", " ");
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in joined.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {command:?}");
    if in_word {
        words.push(word);
    }
    words
}

/// The README and its example that starts with `cargo run --release -- {command}`: the
/// arguments after `--`, and the output printed below it in a `text` block.
pub fn readme_example(command: &str) -> (String, Vec<String>, String) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find(&format!("```sh\ncargo run --release -- {command}"))
        .unwrap_or_else(|| panic!("README has no `{command}` example"));
    let rest = &readme[start + "```sh\n".len()..];
    let (shell, rest) = rest.split_once("```\n").unwrap();
    let output = rest
        .strip_prefix("```text\n")
        .and_then(|r| r.split_once("\n```"))
        .map(|(o, _)| o.to_owned())
        .unwrap();
    let words = shell_words(shell);
    assert_eq!(words[..4], ["cargo", "run", "--release", "--"]);
    let args = words[4..].to_vec();
    (readme, args, output)
}
