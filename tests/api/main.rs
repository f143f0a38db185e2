//! Integration tests: each drives the real server on a random port with a real HTTP client,
//! on a fresh database. Every test runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL`
//! is set (see `helpers::api_test!`).
//!
//! The harness is ours (`harness = false`) so that, once the whole suite has run, it can check
//! the problem codes the server answered against the contract (see `problem_codes`).
use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

#[macro_use]
mod helpers;

mod access;
mod addresses;
mod api_tokens;
mod applications;
mod architecture;
mod attachments;
mod audit;
mod auth;
mod ballots;
mod cli;
mod colleges;
mod cors;
mod demo;
mod editions;
mod errors;
mod hardening;
mod jury;
mod languages;
mod mail;
mod openapi;
mod organization_scope;
mod privacy;
mod problem_codes;
mod processes;
mod proxies;
mod public_reads;
mod public_vote;
mod refusals;
mod results_documents;
mod roster;
mod secrecy;
mod tokens;
mod users;
mod webhooks;
mod widget;

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    problem_codes::record();
    let whole_suite = arguments.filter.is_none()
        && arguments.skip.is_empty()
        && !arguments.list
        && !arguments.ignored;
    let trials = inventory::iter::<helpers::ApiTest>
        .into_iter()
        .map(|test| {
            let name = test.name.trim_start_matches("api::");
            let run = test.run;
            Trial::test(name, move || {
                run();
                Ok(())
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&arguments, trials);
    if conclusion.has_failed() || !whole_suite {
        return conclusion.exit_code();
    }
    match problem_codes::check_against_contract() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(report) => {
            eprintln!("{report}");
            ExitCode::FAILURE
        }
    }
}
