//! [`Scope`]: one Google Data scope, a feed URL prefix such as
//! `https://www.google.com/calendar/feeds/`. OAuth 1.0 (`scope`), AuthSub (`scope`) and the
//! OAuth 2.0 bridge all carry lists of them, space-separated on the wire (PROTOCOLS.md §2.1,
//! §3.2), so a scope is non-empty and holds no whitespace or control characters.

use thiserror::Error;

/// Why a scope (or a scope list) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// A scope is the empty string.
    #[error("a scope is empty")]
    Empty,
    /// A scope holds whitespace (it would split into two on the provider's side) or a
    /// control character.
    #[error("a scope contains whitespace or a control character")]
    Whitespace,
    /// A scope list has no scope in it.
    #[error("at least one scope is required")]
    NoScopes,
    /// A scope holds a dot segment (`.`, `..`), an encoded dot, slash or backslash (`%2e`,
    /// `%2f`, `%5c`, any case) or a backslash: URL parsing would turn it into another, often
    /// wider, scope than the one shown to the user (issue 15 §1).
    #[error(
        "a scope contains a dot segment, an encoded dot, slash or backslash, or a backslash \
         (it would not mean what it shows)"
    )]
    Ambiguous,
}

/// Whether `scope` holds something URL parsing would rewrite into another path: a `.` or
/// `..` segment, `%2e`, `%2f` or `%5c` (any case), or a backslash. A server that shows the
/// scope as written and grants it normalized would grant more than it showed
/// (`…/calendar/feeds/x/../../../` reads as `/`); such scopes are refused wherever they are
/// built or accepted (SECURITY.md §5.1 row 20 for paths, issue 15 §1 for scopes).
pub fn is_ambiguous_scope(scope: &str) -> bool {
    if scope.contains('\\') {
        return true;
    }
    let lower = scope.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c"].iter().any(|e| lower.contains(e)) {
        return true;
    }
    let before_query = scope.split(['?', '#']).next().unwrap_or_default();
    before_query.split('/').any(|seg| seg == "." || seg == "..")
}

/// One Google Data scope: a feed URL prefix such as `https://www.google.com/calendar/feeds/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Scope(String);

impl Scope {
    /// A scope, checked: non-empty, no whitespace, no control characters, and nothing URL
    /// parsing would rewrite ([`is_ambiguous_scope`]).
    pub fn new(scope: impl Into<String>) -> Result<Self, ScopeError> {
        let scope = scope.into();
        if scope.is_empty() {
            return Err(ScopeError::Empty);
        }
        if scope.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ScopeError::Whitespace);
        }
        if is_ambiguous_scope(&scope) {
            return Err(ScopeError::Ambiguous);
        }
        Ok(Self(scope))
    }

    /// Splits a space-separated list (the wire form of `scope`) into scopes.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, ScopeError> {
        list.split_ascii_whitespace().map(Self::new).collect()
    }

    /// Joins scopes with single spaces: the wire value of a `scope` parameter.
    pub fn join(scopes: &[Self]) -> String {
        let mut out = String::with_capacity(scopes.iter().map(|s| s.0.len() + 1).sum());
        for (i, scope) in scopes.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&scope.0);
        }
        out
    }

    /// The scope as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for Scope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Scope {
    type Err = ScopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Scope {
    type Error = ScopeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for Scope {
    type Error = ScopeError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> Self {
        scope.0
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_table() {
        assert_eq!(Scope::new(""), Err(ScopeError::Empty));
        assert_eq!(Scope::new("a b"), Err(ScopeError::Whitespace));
        assert_eq!(Scope::new("a\u{7}"), Err(ScopeError::Whitespace));
        let list = Scope::parse_list("  http://a/feeds/ https://b/m8/feeds/ ").unwrap();
        assert_eq!(Scope::join(&list), "http://a/feeds/ https://b/m8/feeds/");
    }

    #[test]
    fn a_scope_with_dot_segments_is_refused() {
        for bad in [
            "http://www.google.com/calendar/feeds/x/../../../",
            "http://www.google.com/calendar/feeds/%2e%2e/%2e%2e/m8/feeds/",
            "http://www.google.com/calendar/feeds/%2E%2E/",
            "http://www.google.com/calendar/feeds/..%2fm8/",
            "http://www.google.com/calendar/feeds/..%2Fm8/",
            "http://www.google.com/calendar/./feeds/",
            "http://www.google.com/calendar/feeds/..",
            "http://www.google.com\\calendar\\feeds\\",
            "http://www.google.com/calendar/feeds/%5c",
        ] {
            assert_eq!(Scope::new(bad), Err(ScopeError::Ambiguous), "{bad}");
        }
        for good in [
            "http://www.google.com/calendar/feeds/",
            "https://www.googleapis.com/auth/drive.file",
            "email",
            "http://www.google.com/m8/feeds/..x/",
        ] {
            assert!(Scope::new(good).is_ok(), "{good}");
        }
    }
}
