//! Checks, over the whole suite, the problem codes the server answered against the contract:
//! every code an operation answered is documented on that operation, and every code of an
//! operation's own list (`http::problem_codes`) was answered by it in some test.
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{LazyLock, Mutex},
};

use prix_ceser::{auth::access::PROBLEM_LOG_TARGET, http::problem_codes, openapi};

use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    Layer,
    filter::Targets,
    layer::{Context, SubscriberExt},
    util::SubscriberInitExt,
};

/// `(operationId, code)` of every problem the servers of this run answered.
static ANSWERED: LazyLock<Mutex<BTreeSet<(String, String)>>> = LazyLock::new(Default::default);

#[derive(Default)]
struct Answer {
    operation: String,
    code: String,
}

impl Visit for Answer {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "operation" => self.operation = value.to_owned(),
            "code" => self.code = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

struct Recorder;

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut answer = Answer::default();
        event.record(&mut answer);
        ANSWERED
            .lock()
            .unwrap()
            .insert((answer.operation, answer.code));
    }
}

/// Starts recording the problems the servers answer (the server logs each one).
pub fn record() {
    tracing_subscriber::registry()
        .with(
            Recorder
                .with_filter(Targets::new().with_target(PROBLEM_LOG_TARGET, tracing::Level::INFO)),
        )
        .init();
}

/// The codes the contract documents for each operation, over all its responses.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let document = serde_json::to_value(openapi::document()).unwrap();
    let shared = &document["components"]["responses"];
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap().to_owned();
            let listed = codes.entry(id).or_default();
            for response in operation["responses"].as_object().unwrap().values() {
                let response = match response["$ref"].as_str() {
                    Some(reference) => &shared[reference.rsplit('/').next().unwrap()],
                    None => response,
                };
                let schema = &response["content"]["application/problem+json"]["schema"];
                for part in schema["allOf"].as_array().into_iter().flatten() {
                    for code in part["properties"]["code"]["enum"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        listed.insert(code.as_str().unwrap().to_owned());
                    }
                }
            }
        }
    }
    codes
}

/// Compares what was answered with what is documented; `Err` lists every difference.
pub fn check_against_contract() -> Result<String, String> {
    let answered = ANSWERED.lock().unwrap().clone();
    let documented = documented();
    let mut report = Vec::new();
    for (operation, code) in &answered {
        let listed = documented
            .get(operation)
            .is_some_and(|codes| codes.contains(code));
        if !listed {
            report.push(format!(
                "`{operation}` answered `{code}`, which its documentation does not list"
            ));
        }
    }
    for (operation, codes) in problem_codes::OPERATION_CODES {
        for code in *codes {
            let racing = problem_codes::RACE_ONLY.contains(&(*operation, *code));
            if !racing && !answered.contains(&(operation.to_string(), code.to_string())) {
                report.push(format!(
                    "`{operation}` documents `{code}`, which no test made it answer"
                ));
            }
        }
    }
    if report.is_empty() {
        Ok(format!(
            "problem codes: the {} (operation, code) pairs answered are documented, and every operation's own codes were answered",
            answered.len()
        ))
    } else {
        Err(format!(
            "problem codes differ from the contract (src/http/problem_codes.rs):\n{}",
            report.join("\n")
        ))
    }
}
