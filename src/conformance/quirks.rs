//! Placeholder: filled in by the quirks work of issue 14.
