//! Placeholder: filled in by the recordings work of issue 14.
