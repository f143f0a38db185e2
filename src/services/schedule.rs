//! What the prize does when its time comes rather than on a request: a ballot opened or closed
//! by its window is announced (`ballots::announce_due_openings`, `announce_due_closings`), and
//! jurors with files left to score are reminded before the round's deadline (`jury::remind_due`). A background loop runs
//! `run_due` every minute; each notice is claimed in the transaction that sends it, so that
//! several servers running the loop send it once.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    config::Settings,
    error::ApiError,
    services::{ballots, jury},
};

/// How often the loop looks for what became due.
const PERIOD: Duration = Duration::from_secs(60);

/// What the scheduled notices need from the configuration.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The front end's voting page, the prize's id appended.
    pub ballot_url: String,
    /// How many days before a round's scoring deadline jurors are reminded.
    pub reminder_days: u32,
}

impl Schedule {
    pub fn of(settings: &Settings) -> Self {
        Schedule {
            ballot_url: settings.ballot_url.clone(),
            reminder_days: settings.scoring_reminder_days,
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Done {
    pub ballots_announced: usize,
    pub ballots_closed: usize,
    pub editions_reminded: usize,
}

/// Sends what is due at `now`.
#[tracing::instrument(skip(db, schedule))]
pub async fn run_due(
    db: &DatabaseConnection,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Done, ApiError> {
    Ok(Done {
        ballots_announced: ballots::announce_due_openings(db, &schedule.ballot_url, now).await?,
        ballots_closed: ballots::announce_due_closings(db, now).await?,
        editions_reminded: jury::remind_due(db, schedule.reminder_days, now).await?,
    })
}

/// Runs `run_due` every minute until the process stops.
pub fn spawn_worker(db: DatabaseConnection, schedule: Schedule) {
    tokio::spawn(async move {
        loop {
            match run_due(&db, &schedule, Utc::now()).await {
                Ok(done) if done != Done::default() => {
                    tracing::info!(?done, "scheduled notices sent")
                }
                Ok(_) => {}
                Err(error) => tracing::error!(error = %error, "scheduled notices pass failed"),
            }
            tokio::time::sleep(PERIOD).await;
        }
    });
}
