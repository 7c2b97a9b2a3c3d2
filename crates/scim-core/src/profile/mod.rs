//! Behaviour profiles: everything that makes one SCIM service differ from another, as data.
//!
//! [`types`] holds the data ([`types::Profile`], its knobs and resource types), [`load`] reads
//! and checks profiles (the built-ins, JSON, derived ones) through [`read`] (the walk over a
//! JSON value that turns one into a profile or schema), and [`registry`] compiles one into
//! the tables the engine runs on. The engine branches on knobs, never on a profile's name.

pub(crate) mod knobs;
pub(crate) mod load;
pub(crate) mod read;
pub(crate) mod registry;
pub(crate) mod types;
