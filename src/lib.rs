//! prix-ceser: the JSON REST API running a regional civic prize end to end.
//!
//! Layers: `http` (handlers: parse, call, map) → `services` (use cases, transactions) →
//! `domain` (pure rules) → `entities` (persistence). Access rules: `auth::policy`.
// First: the `text!` macro (`domain::text`) is used by every module after it.
#[macro_use]
pub mod domain;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod http;
pub mod i18n;
pub mod openapi;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
