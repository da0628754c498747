//! The one integration test binary: a module per feature.

mod util;
mod cli;
mod discover;
mod dashboard;
mod links;
mod render;
mod security;
mod serve;
mod search;
mod parse;
mod browser;
mod bad_input;
mod related;
mod corpus;
