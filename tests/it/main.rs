//! The one integration test binary: a module per feature.

mod adopt;
mod audience;
mod bad_input;
mod browser;
mod cli;
mod corpus;
mod dashboard;
mod discover;
mod exports;
mod fuzz;
mod incremental;
mod layers;
mod links;
mod parse;
mod recipes;
mod related;
mod render;
mod search;
mod security;
mod serve;
mod snapshots;
mod trust;
mod trust_items;
mod util;
mod webdriver;
