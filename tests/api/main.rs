//! Integration tests: each drives the real server on a random port with a real HTTP client,
//! on a fresh database. Every test runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL`
//! is set (see `helpers::api_test!`).
#[macro_use]
mod helpers;

mod access;
mod addresses;
mod applications;
mod attachments;
mod audit;
mod auth;
mod ballots;
mod cli;
mod demo;
mod editions;
mod errors;
mod hardening;
mod jury;
mod openapi;
mod organization_scope;
mod privacy;
mod proxies;
mod public_vote;
mod roster;
mod tokens;
mod users;
