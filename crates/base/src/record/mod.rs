//! The records the histories keep and more than one domain reads, below the store that keeps them and the domains that make and read them.

pub mod alert;
pub mod deploy;
pub mod release;
pub mod run;
