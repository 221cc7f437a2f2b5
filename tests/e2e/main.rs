//! The end-to-end tests: one binary, one module per story.

mod support;

mod cli;
mod delivery;
mod invites;
mod story;
