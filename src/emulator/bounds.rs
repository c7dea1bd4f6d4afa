//! Bounded tables: which entries to drop, oldest first, so one more fits under a cap. Every
//! protocol's state keeps its tables this way (the ten-token rules, per-user and global
//! caps), so the rule is written once.

use std::collections::HashMap;
use std::hash::Hash;

/// The keys to drop, oldest first, so that one more entry of a group keeps the group within
/// `cap`. `order` places an entry in the group with its issue order, or leaves it out
/// (`None`).
pub fn oldest_over_cap<K: Clone + Eq + Hash, V>(
    entries: &HashMap<K, V>,
    cap: usize,
    order: impl Fn(&K, &V) -> Option<u64>,
) -> Vec<K> {
    let mut held: Vec<(&K, u64)> = entries
        .iter()
        .filter_map(|(k, v)| order(k, v).map(|seq| (k, seq)))
        .collect();
    let excess = (held.len() + 1).saturating_sub(cap);
    if excess == 0 {
        return Vec::new();
    }
    held.sort_unstable_by_key(|(_, seq)| *seq);
    held.into_iter()
        .take(excess)
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_oldest_of_the_group() {
        let m: HashMap<String, (&str, u64)> = [("a", ("x", 3)), ("b", ("x", 1)), ("c", ("y", 2))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let of = |who: Option<&'static str>| {
            move |_: &String, v: &(&str, u64)| who.is_none_or(|w| v.0 == w).then_some(v.1)
        };
        assert_eq!(oldest_over_cap(&m, 2, of(Some("x"))), ["b"]);
        assert_eq!(oldest_over_cap(&m, 2, of(None)), ["b", "c"]);
        assert!(oldest_over_cap(&m, 2, of(Some("y"))).is_empty());
        assert_eq!(oldest_over_cap(&m, 1, of(Some("x"))), ["b", "a"]);
    }
}
