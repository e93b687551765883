//! The CLI's exit codes, one meaning each, so scripts and CI can branch on them.
//!
//! 0 is success and 1 a run or check that ran and failed; 2 is clap's, for a command line it
//! cannot read; 130 is a run cancelled by Ctrl+C or a signal.

/// Input DevLoop refuses before doing anything (a broken workflow or pack, an unknown lesson,
/// a replica count out of range): distinct from work that ran and failed.
pub const REFUSED: u8 = 3;
