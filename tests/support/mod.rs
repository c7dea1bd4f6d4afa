//! Harnesses shared by the library's test crates: the emulator fixture and helpers
//! ([`emulator`]) and GNOME libgdata's recorded exchanges ([`recordings`]).

#![allow(dead_code, unused_imports)]

#[cfg(feature = "emulator")]
pub mod emulator;
pub mod recordings;

#[cfg(feature = "emulator")]
pub use emulator::*;
