//! Reading clap's `--help` pages in the CLI tests.

/// The long flags a `--help` page lists, in the order it shows them (`-h, --help` counts as
/// `--help`).
pub fn help_flags(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('-'))
        .filter_map(|line| line.split_whitespace().find(|w| w.starts_with("--")))
        .map(|flag| flag.trim_end_matches(',').to_owned())
        .collect()
}
