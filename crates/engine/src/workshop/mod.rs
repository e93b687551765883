//! Lesson packs: their format, rendering lesson text safely, and resolving paths inside a pack.

pub mod diagnostic;
pub mod learner;
pub mod markdown;
pub mod pack;
pub mod path;

pub use diagnostic::Diagnostic;
