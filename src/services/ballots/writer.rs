//! Group commit of votes. The votes that arrive while a transaction is being written wait in a
//! queue and are written together by the next one (multi-row inserts), and each vote is
//! answered only once the transaction holding it has committed: a receipt means durable.
//! Under low load a batch holds a single vote and nothing waits for a window to fill.
//!
//! The close stays exact without a lock on the ballot's row: a batch holds its ballots'
//! advisory lock shared, a close holds it exclusively (`db::lock_ballots`; on SQLite the one
//! write lock orders them), and a batch reads the ballot's state only once it holds the lock.
use std::collections::HashSet;
use std::sync::Arc;

use rand::seq::SliceRandom;
use tokio::sync::{Mutex, mpsc, oneshot};

use sea_orm::{DatabaseTransaction, DbErr, JoinType, Statement};

use super::*;

/// Votes per transaction, at most: far below both databases' bound-parameter limits.
const MAX_BATCH: usize = 512;
/// Votes waiting for a writer; beyond that, requests wait to be queued (back-pressure).
const QUEUE_CAPACITY: usize = 16_384;

/// A vote ready to be written: checked against everything the request alone can tell, the
/// choice already sealed.
#[derive(Debug, Clone)]
pub struct NewVote {
    pub prize_id: Uuid,
    /// The voter's participation record (`VoterKeys::participation`).
    pub participation: String,
    pub receipt_hash: String,
    pub sealed_choice: Vec<u8>,
}

struct Queued {
    vote: NewVote,
    answer: oneshot::Sender<Result<(), ApiError>>,
}

/// The handle requests queue their votes on; the writers run as background tasks.
#[derive(Clone)]
pub struct VoteWriter {
    queue: mpsc::Sender<Queued>,
}

impl VoteWriter {
    /// Starts the writers: one on SQLite (it has one write lock); on PostgreSQL one per core
    /// (two at least), so that a batch is collected while the previous one commits. More
    /// writers make smaller batches: on 2 cores, 2 writers did as well as 4, and 8 worse.
    pub fn start(db: DatabaseConnection) -> Self {
        let writers = match db.get_database_backend() {
            DbBackend::Sqlite => 1,
            _ => std::thread::available_parallelism().map_or(2, |cores| cores.get().max(2)),
        };
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..writers {
            tokio::spawn(run(db.clone(), receiver.clone()));
        }
        Self { queue }
    }

    /// Writes the vote with the others arriving now; answers once it has committed.
    pub async fn write(&self, vote: NewVote) -> Result<(), ApiError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || ApiError::Internal(anyhow::anyhow!("the vote writer has stopped"));
        self.queue
            .send(Queued { vote, answer })
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn run(db: DatabaseConnection, receiver: Arc<Mutex<mpsc::Receiver<Queued>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // One writer collects while the others write: whatever queued up meanwhile.
        let received = receiver.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if received == 0 {
            return;
        }
        write_batch(&db, std::mem::take(&mut batch)).await;
    }
}

#[tracing::instrument(skip_all, fields(votes = batch.len()))]
async fn write_batch(db: &DatabaseConnection, batch: Vec<Queued>) {
    let (votes, answers): (Vec<NewVote>, Vec<_>) = batch
        .into_iter()
        .map(|queued| (queued.vote, queued.answer))
        .unzip();
    match record(db, &votes).await {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                // A request that gave up (client gone) no longer listens: its vote stands.
                let _ = answer.send(outcome);
            }
        }
        // One failing vote must not fail the others: each is tried again on its own.
        Err(error) if votes.len() > 1 => {
            tracing::warn!(%error, "a batch of votes failed; writing them one by one");
            for (vote, answer) in votes.into_iter().zip(answers) {
                let outcome = match record(db, std::slice::from_ref(&vote)).await {
                    Ok(mut outcomes) => outcomes.remove(0),
                    Err(error) => Err(error),
                };
                let _ = answer.send(outcome);
            }
        }
        Err(error) => {
            let [answer] = <[_; 1]>::try_from(answers).unwrap_or_else(|_| unreachable!());
            let _ = answer.send(Err(error));
        }
    }
}

/// SQLite compiles each statement shape and keeps it in each connection's cache, in this
/// process: rows go in chunks whose sizes are powers of two (37 rows: 32, 4, 1), a handful of
/// shapes, not one large one-off statement per batch size.
fn insert_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (chunk, remaining) = rest.split_at(1 << rest.len().ilog2());
        rest = remaining;
        Some(chunk)
    })
}

fn already_voted() -> ApiError {
    ApiError::conflict(ProblemCode::AlreadyVoted, text!("already-voted"))
}

/// A ballot's prize, stored state and window, its prize's kind and its edition's stage.
type BallotRow = (
    Uuid,
    BallotState,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    PrizeKind,
    EditionStatus,
);

/// Writes a batch in one transaction and tells each vote its outcome. An `Err` means the
/// transaction failed as a whole and nothing of it was written.
async fn record(
    db: &DatabaseConnection,
    votes: &[NewVote],
) -> Result<Vec<Result<(), ApiError>>, ApiError> {
    let txn = db::begin_write(db).await?;
    let prizes: Vec<Uuid> = votes
        .iter()
        .map(|vote| vote.prize_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    db::lock_ballots(&txn, &prizes, true).await?;
    // The ballots' windows with their prize's kind and edition's stage, read under the lock.
    let prize_of_ballot = ballot_entity::Entity::belongs_to(prize::Entity)
        .from(ballot_entity::Column::PrizeId)
        .to(prize::Column::Id)
        .into();
    let edition_of_prize = prize::Entity::belongs_to(edition::Entity)
        .from(prize::Column::EditionId)
        .to(edition::Column::Id)
        .into();
    let rows: Vec<BallotRow> = ballot_entity::Entity::find()
        .select_only()
        .columns([
            ballot_entity::Column::PrizeId,
            ballot_entity::Column::State,
            ballot_entity::Column::OpensAt,
            ballot_entity::Column::ClosesAt,
        ])
        .column(prize::Column::Kind)
        .column(edition::Column::Status)
        .join(JoinType::InnerJoin, prize_of_ballot)
        .join(JoinType::InnerJoin, edition_of_prize)
        .filter(ballot_entity::Column::PrizeId.is_in(prizes.iter().copied()))
        .into_tuple()
        .all(&txn)
        .await?;
    let now = Utc::now();
    let states: std::collections::HashMap<Uuid, BallotState> = rows
        .into_iter()
        .map(|(prize_id, stored, opens_at, closes_at, kind, stage)| {
            (
                prize_id,
                ballot::state_at((stored, opens_at, closes_at), kind, stage, now),
            )
        })
        .collect();
    let mut in_batch = HashSet::new();
    let mut outcomes: Vec<Result<(), ApiError>> = votes
        .iter()
        .map(|vote| {
            let state = states
                .get(&vote.prize_id)
                .copied()
                .unwrap_or(BallotState::Scheduled);
            ballot::check_voting(state)?;
            // Twice in one batch (a double click) is voting again too.
            if !in_batch.insert((vote.prize_id, vote.participation.as_str())) {
                return Err(already_voted());
            }
            Ok(())
        })
        .collect();
    let accepted: Vec<&NewVote> = votes
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|(vote, _)| vote)
        .collect();
    if accepted.is_empty() {
        return Ok(outcomes);
    }
    let recorded = match txn.get_database_backend() {
        DbBackend::Postgres => write_postgres(&txn, &accepted).await?,
        _ => write_sqlite(&txn, &accepted).await?,
    };
    for (vote, outcome) in votes.iter().zip(&mut outcomes) {
        if outcome.is_ok() && !recorded.contains(&(vote.prize_id, vote.participation.clone())) {
            *outcome = Err(already_voted());
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}

/// The voters recorded by a batch (not those who had voted before), as (prize, participation).
type Recorded = HashSet<(Uuid, String)>;

/// PostgreSQL: the voters and their choices in one statement, whatever the size of the batch
/// (arrays: one shape, one round trip). Voters recorded before (by an earlier batch, another
/// writer or another process) are skipped with their choices; the choices are written in the
/// order of their random ids, not their voters'.
const WRITE_VOTES: &str = "
WITH batch AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::bytea[], $5::text[])
        AS batch (prize_id, voter_key, choice_id, sealed_choice, receipt_hash)
), recorded AS (
    INSERT INTO ballot_voters (prize_id, voter_key)
    SELECT prize_id, voter_key FROM batch
    ON CONFLICT DO NOTHING
    RETURNING prize_id, voter_key
), counted AS (
    INSERT INTO ballot_choices (id, prize_id, application_id, sealed_choice, receipt_hash)
    SELECT batch.choice_id, batch.prize_id, '00000000-0000-0000-0000-000000000000',
           batch.sealed_choice, batch.receipt_hash
    FROM batch JOIN recorded USING (prize_id, voter_key)
    ORDER BY batch.choice_id
)
SELECT prize_id, voter_key FROM recorded";

async fn write_postgres(txn: &DatabaseTransaction, votes: &[&NewVote]) -> Result<Recorded, DbErr> {
    let column = |field: fn(&NewVote) -> sea_orm::Value| -> Vec<sea_orm::Value> {
        votes.iter().map(|vote| field(vote)).collect()
    };
    let array = |kind, values| sea_orm::Value::Array(kind, Some(Box::new(values)));
    use sea_orm::sea_query::ArrayType;
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        WRITE_VOTES,
        [
            array(ArrayType::Uuid, column(|vote| vote.prize_id.into())),
            array(
                ArrayType::String,
                column(|vote| vote.participation.clone().into()),
            ),
            array(
                ArrayType::Uuid,
                votes.iter().map(|_| Uuid::new_v4().into()).collect(),
            ),
            array(
                ArrayType::Bytes,
                column(|vote| vote.sealed_choice.clone().into()),
            ),
            array(
                ArrayType::String,
                column(|vote| vote.receipt_hash.clone().into()),
            ),
        ],
    );
    txn.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "prize_id")?, row.try_get("", "voter_key")?)))
        .collect()
}

/// SQLite: this transaction holds the only write lock, so nobody records a voter between the
/// read of those who voted and the inserts.
async fn write_sqlite(txn: &DatabaseTransaction, votes: &[&NewVote]) -> Result<Recorded, DbErr> {
    let voted: Recorded = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.is_in(votes.iter().map(|vote| vote.prize_id)))
        .filter(
            ballot_voter::Column::VoterKey
                .is_in(votes.iter().map(|vote| vote.participation.as_str())),
        )
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.prize_id, row.voter_key))
        .collect();
    let mut new: Vec<&NewVote> = votes
        .iter()
        .copied()
        .filter(|vote| !voted.contains(&(vote.prize_id, vote.participation.clone())))
        .collect();
    for chunk in insert_chunks(&new) {
        ballot_voter::Entity::insert_many(chunk.iter().map(|vote| ballot_voter::ActiveModel {
            prize_id: Set(vote.prize_id),
            voter_key: Set(vote.participation.clone()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let recorded = new
        .iter()
        .map(|vote| (vote.prize_id, vote.participation.clone()))
        .collect();
    // Choices in another order than their voters: nothing lines them up, even by position.
    new.shuffle(&mut rand::rng());
    for chunk in insert_chunks(&new) {
        ballot_choice::Entity::insert_many(chunk.iter().map(|vote| ballot_choice::ActiveModel {
            id: Set(Uuid::new_v4()),
            prize_id: Set(vote.prize_id),
            application_id: Set(Uuid::nil()),
            sealed_choice: Set(Some(vote.sealed_choice.clone())),
            receipt_hash: Set(vote.receipt_hash.clone()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_inserts_take_power_of_two_sizes() {
        let rows: Vec<usize> = (0..37).collect();
        let chunks: Vec<&[usize]> = insert_chunks(&rows).collect();
        let sizes: Vec<usize> = chunks.iter().map(|chunk| chunk.len()).collect();
        assert_eq!(sizes, [32, 4, 1]);
        assert_eq!(chunks.concat(), rows);
        assert_eq!(insert_chunks::<usize>(&[]).count(), 0);
    }
}
