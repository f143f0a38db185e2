//! prix-ceser: the JSON REST API running a regional civic prize end to end.
//!
//! Layers: `http` (handlers: parse, call, map) → `services` (use cases, transactions) →
//! `domain` (pure rules) → `entities` (persistence). Access rules: `auth::policy`.
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entities;
pub mod error;
pub mod http;
pub mod openapi;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
