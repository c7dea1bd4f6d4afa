//! Placeholder: filled in by the diagnose work of issue 14.
