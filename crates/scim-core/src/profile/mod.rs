//! Behaviour profiles: everything that makes one SCIM service differ from another, as data.
//!
//! [`types`] holds the data ([`types::Profile`], its knobs and resource types), [`load`] reads
//! and checks profiles (the built-ins, JSON, derived ones), and [`registry`] compiles one into
//! the tables the engine runs on. The engine branches on knobs, never on a profile's name.

pub(crate) mod knobs;
pub(crate) mod load;
pub(crate) mod registry;
pub(crate) mod types;
