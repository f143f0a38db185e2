//! An edition's move to its next stage, with the guards that look beyond the edition itself:
//! the results are published only once every prize is settled, which counts the ballots.
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::{edition::EditionStatus, edition_lifecycle, voter::VoterKeys},
    error::ApiError,
    services::{ballots, editions},
};

#[tracing::instrument(skip(db, keys, caller, reason), fields(caller = %caller.id))]
pub async fn transition(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    caller: &Principal,
    id: Uuid,
    to: EditionStatus,
    reason: Option<String>,
) -> Result<editions::Edition, ApiError> {
    let txn = db::begin_write(db).await?;
    // Publishing closes the ballots still open: the guard then sees them as closed.
    let edition = editions::transition_in(&txn, caller, id, to, reason).await?;
    if to == EditionStatus::ResultsPublished {
        let unsettled = ballots::unsettled_prizes(&txn, keys, &edition).await?;
        edition_lifecycle::check_results_complete(&unsettled)?;
        ballots::announce_laureates(&txn, keys, &edition, None).await?;
    }
    let view = editions::view(&txn, edition).await?;
    txn.commit().await?;
    Ok(view)
}
