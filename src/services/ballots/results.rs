//! Ballots: results, laureates, and the ceremony screen's live view.
use super::*;
use crate::{domain::notification::NotificationKind, services::notify};
use crate::{
    domain::{
        college::{self, CollegeResult},
        edition_lifecycle::{self, BallotOutcome},
        pagination::{Page, PageRequest},
        voter::{OpenedChoice, VoterKeys},
    },
    entities::ballot_college_count,
};
use sea_orm::{Condition, TransactionTrait};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    pub prize_id: Uuid,
    pub state: BallotState,
    /// Ballots cast so far.
    pub turnout: u64,
    /// The split: staff once closed, everyone once published.
    pub tally: Option<Tally>,
    /// The winner once a tie, if any, is resolved.
    pub winner: Option<Uuid>,
    /// How a tie was resolved.
    pub tie_break_reason: Option<String>,
    /// The councillors' ballot by college, once published (for everyone): each college's
    /// turnout, and its split where at least three of it voted.
    pub by_college: Option<Vec<CollegeResult>>,
}

/// Turnout only while open (staff); the tally for staff once closed; for everyone once
/// published. Nothing else reveals counts earlier.
pub async fn results(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    caller: Option<&Principal>,
    prize_id: Uuid,
) -> Result<Results, ApiError> {
    let (prize, ballot, state, show_tally) = tally_access(db, caller, prize_id).await?;
    // A ballot closed by its time may still have a batch of votes, accepted just before,
    // committing: the count waits for it, as a close does.
    let txn = if state == BallotState::Closed {
        let txn = db::begin_write(db).await?;
        db::lock_ballots(&txn, &[prize_id], false).await?;
        txn
    } else {
        db.begin().await?
    };
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize_id))
        .count(&txn)
        .await?;
    let tally = if show_tally {
        Some(match published_tally(&txn, prize_id, state).await? {
            Some(tally) => tally,
            None => open_count(&txn, keys, &prize, turnout).await?,
        })
    } else {
        None
    };
    let by_college = published_by_college(&txn, &prize, state).await?;
    txn.commit().await?;
    let winner = tally
        .as_ref()
        .and_then(|tally| tally.winner(ballot.tie_break_id));
    Ok(Results {
        prize_id,
        state,
        turnout,
        tally,
        winner,
        tie_break_reason: ballot.tie_break_reason,
        by_college,
    })
}

/// A ballot as the caller may see its count: the prize, the ballot, its state, and whether the
/// tally shows (staff once closed, everyone once published; refused while open).
async fn tally_access(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    prize_id: Uuid,
) -> Result<(prize::Model, ballot_entity::Model, BallotState, bool), ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, caller, edition.id).await?;
    let staff = match caller {
        Some(caller) => staff::staff_scope(db, caller)
            .await?
            .covers(edition.organization_id),
        None => false,
    };
    let ballot = ensure_ballot(db, prize_id).await?;
    let state = state_of(&ballot, prize.kind, edition.status, Utc::now());
    let show_tally = ballot::tally_visible(state, staff)?;
    Ok((prize, ballot, state, show_tally))
}

/// The SHA-256 of every receipt in the count, in order, a page at a time: whoever may see the
/// tally may check that their receipt is in it. Empty while the tally is not theirs to see.
pub async fn receipt_hashes(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    prize_id: Uuid,
    page: PageRequest<String>,
) -> Result<Page<String>, ApiError> {
    let (.., show_tally) = tally_access(db, caller, prize_id).await?;
    if !show_tally {
        return Ok(page.paginate(Vec::new(), String::clone));
    }
    let mut query = ballot_choice::Entity::find()
        .select_only()
        .column(ballot_choice::Column::ReceiptHash)
        .filter(ballot_choice::Column::PrizeId.eq(prize_id))
        .order_by_asc(ballot_choice::Column::ReceiptHash)
        .limit(page.fetch_limit());
    if let Some(after) = &page.after {
        query = query.filter(ballot_choice::Column::ReceiptHash.gt(after.as_str()));
    }
    let hashes: Vec<String> = query.into_tuple().all(db).await?;
    Ok(page.paginate(hashes, String::clone))
}

/// The count stored at publication (`None` before it, or for ballots published by a version
/// that did not store it).
async fn published_tally(
    db: &impl ConnectionTrait,
    prize_id: Uuid,
    state: BallotState,
) -> Result<Option<Tally>, ApiError> {
    if state != BallotState::Published {
        return Ok(None);
    }
    crate::services::lookups::stored_count(db, prize_id).await
}

/// Writes the count of a ballot being published, every candidate included, in clear.
pub(super) async fn store_count(
    txn: &impl ConnectionTrait,
    prize_id: Uuid,
    tally: &Tally,
) -> Result<(), ApiError> {
    if tally.counts.is_empty() {
        return Ok(());
    }
    ballot_count::Entity::insert_many(tally.counts.iter().map(|count| ballot_count::ActiveModel {
        prize_id: Set(prize_id),
        application_id: Set(count.application_id),
        votes: Set(count.votes as i64),
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The ballot's count as the caller's transaction sees it: its turnout, every sealed choice
/// opened. Inside a transaction holding the ballot (`db::lock_ballots`), nothing changes it.
pub(super) async fn count_now(
    txn: &impl ConnectionTrait,
    keys: &VoterKeys,
    prize: &prize::Model,
) -> Result<Tally, ApiError> {
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize.id))
        .count(txn)
        .await?;
    open_count(txn, keys, prize, turnout).await
}

/// Opens every sealed choice of the ballot: its candidates, and what each choice holds.
/// Every choice opens, or this fails: never a count that leaves some out.
async fn open_all(
    db: &impl ConnectionTrait,
    keys: &VoterKeys,
    prize: &prize::Model,
    turnout: u64,
) -> Result<(Vec<Uuid>, Vec<OpenedChoice>), ApiError> {
    let prize_id = prize.id;
    let choices: Vec<(String, Option<Vec<u8>>)> = ballot_choice::Entity::find()
        .select_only()
        .column(ballot_choice::Column::ReceiptHash)
        .column(ballot_choice::Column::SealedChoice)
        .filter(ballot_choice::Column::PrizeId.eq(prize_id))
        .order_by_asc(ballot_choice::Column::ReceiptHash)
        .into_tuple()
        .all(db)
        .await?;
    let candidates: Vec<Uuid> = candidate_applications(db, prize)
        .await?
        .into_iter()
        .map(|application| application.id)
        .collect();
    let opening = {
        let keys = keys.clone();
        tokio::task::spawn_blocking(move || keys.open_choices(prize_id, &choices))
    };
    let opened = opening
        .await
        .map_err(|error| ApiError::Internal(error.into()))?;
    let opened = opened.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "a choice of ballot {prize_id} does not open with this voter key"
        ))
    })?;
    // One choice per participation, written together: any other count is tampering.
    if opened.len() as u64 != turnout {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "ballot {prize_id} holds {} choices for {turnout} voters",
            opened.len()
        )));
    }
    Ok((candidates, opened))
}

/// Opens every sealed choice of the ballot and counts them.
async fn open_count(
    db: &impl ConnectionTrait,
    keys: &VoterKeys,
    prize: &prize::Model,
    turnout: u64,
) -> Result<Tally, ApiError> {
    let (candidates, opened) = open_all(db, keys, prize, turnout).await?;
    let chosen: Vec<Uuid> = opened.iter().map(|opened| opened.choice).collect();
    Ok(ballot::tally(&candidates, &chosen))
}

/// The count of each of the organization's colleges (`colleges`: id and name, in order), as the
/// caller's transaction sees it. Choices sealed without a college count in no college.
pub(super) async fn count_by_college(
    txn: &impl ConnectionTrait,
    keys: &VoterKeys,
    prize: &prize::Model,
    colleges: &[(Uuid, String)],
) -> Result<Vec<(String, Tally)>, ApiError> {
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize.id))
        .count(txn)
        .await?;
    let (candidates, opened) = open_all(txn, keys, prize, turnout).await?;
    Ok(colleges
        .iter()
        .map(|(id, name)| {
            let chosen: Vec<Uuid> = opened
                .iter()
                .filter(|opened| opened.college == Some(*id))
                .map(|opened| opened.choice)
                .collect();
            (name.clone(), ballot::tally(&candidates, &chosen))
        })
        .collect())
}

/// Writes each college's count of a councillors' ballot being published, in clear, every
/// college and candidate included.
pub(super) async fn store_college_counts(
    txn: &impl ConnectionTrait,
    prize_id: Uuid,
    counts: &[(String, Tally)],
) -> Result<(), ApiError> {
    let rows: Vec<ballot_college_count::ActiveModel> = counts
        .iter()
        .flat_map(|(college, tally)| {
            tally
                .counts
                .iter()
                .map(move |count| ballot_college_count::ActiveModel {
                    prize_id: Set(prize_id),
                    college: Set(college.clone()),
                    application_id: Set(count.application_id),
                    votes: Set(count.votes as i64),
                })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    ballot_college_count::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The published councillors' results by college (`None` before publication, or for another
/// ballot), the split withheld where too few voted.
async fn published_by_college(
    db: &impl ConnectionTrait,
    prize: &prize::Model,
    state: BallotState,
) -> Result<Option<Vec<CollegeResult>>, ApiError> {
    if state != BallotState::Published || prize.kind != PrizeKind::Councillors {
        return Ok(None);
    }
    let rows = ballot_college_count::Entity::find()
        .filter(ballot_college_count::Column::PrizeId.eq(prize.id))
        .order_by_asc(ballot_college_count::Column::College)
        .all(db)
        .await?;
    let mut tallies: Vec<(String, Vec<CandidateCount>)> = Vec::new();
    for row in rows {
        let count = CandidateCount {
            application_id: row.application_id,
            votes: row.votes as u64,
        };
        match tallies.last_mut() {
            Some((college, counts)) if *college == row.college => counts.push(count),
            _ => tallies.push((row.college, vec![count])),
        }
    }
    Ok(Some(college::college_results(
        tallies
            .into_iter()
            .map(|(college, counts)| (college, Tally::of_counts(counts)))
            .collect(),
    )))
}

/// The names of the edition's prizes that are not settled (`edition_lifecycle::is_settled`) as
/// the caller's transaction sees them: counts closed ballots, which needs the voter key.
pub async fn unsettled_prizes(
    txn: &impl ConnectionTrait,
    keys: &VoterKeys,
    edition: &edition::Model,
) -> Result<Vec<String>, ApiError> {
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition.id))
        .order_by_asc(prize::Column::Position)
        .all(txn)
        .await?;
    let mut unsettled = Vec::new();
    for prize in prizes {
        let decided = prize_decision::Entity::find_by_id(prize.id)
            .one(txn)
            .await?
            .is_some();
        let ballot = match prize.kind {
            PrizeKind::Councillors | PrizeKind::Public if !decided => {
                ballot_entity::Entity::find_by_id(prize.id).one(txn).await?
            }
            _ => None,
        };
        let mut leaders = Vec::new();
        let outcome = match &ballot {
            Some(ballot) => {
                let state = state_of(ballot, prize.kind, edition.status, Utc::now());
                if state == BallotState::Closed {
                    leaders = count_now(txn, keys, &prize).await?.leaders;
                }
                Some((state, ballot.tie_break_id.is_some()))
            }
            None => None,
        };
        let outcome = outcome.map(|(state, tie_broken)| BallotOutcome {
            state,
            leaders: &leaders,
            tie_broken,
        });
        if !edition_lifecycle::is_settled(decided, outcome) {
            unsettled.push(prize.name);
        }
    }
    Ok(unsettled)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Laureate {
    pub prize_id: Uuid,
    #[serde(flatten)]
    pub name: PrizeName,
    pub kind: PrizeKind,
    pub sponsors: Vec<String>,
    pub laureate: Candidate,
    /// Honourable mentions.
    pub mentions: Vec<Candidate>,
}

/// The published laureates of an edition: jury and category decisions once the edition's
/// results are published; ballot winners once their ballot is published.
pub async fn laureates(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    edition_id: Uuid,
) -> Result<Vec<Laureate>, ApiError> {
    let edition = editions::find_visible(db, None, edition_id).await?;
    Ok(published_laureates(db, keys, &edition)
        .await?
        .into_iter()
        .map(|(laureate, _)| laureate)
        .collect())
}

/// The laureates of `edition` made public, as the caller's connection or transaction sees them,
/// each with its prize.
pub async fn published_laureates(
    db: &impl ConnectionTrait,
    keys: &VoterKeys,
    edition: &edition::Model,
) -> Result<Vec<(Laureate, prize::Model)>, ApiError> {
    let results_out = edition.status >= EditionStatus::ResultsPublished;
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition.id))
        .order_by_asc(prize::Column::Position)
        .all(db)
        .await?;
    let mut laureates = Vec::new();
    for prize in prizes {
        let decision = prize_decision::Entity::find_by_id(prize.id).one(db).await?;
        let (winner, mentions) = match (decision, prize.kind) {
            (Some(decision), _) if results_out => (
                Some(decision.laureate_id),
                serde_json::from_str::<Vec<Uuid>>(&decision.mentions).unwrap_or_default(),
            ),
            (None, PrizeKind::Councillors | PrizeKind::Public) => {
                (published_winner(db, keys, &prize).await?, Vec::new())
            }
            _ => (None, Vec::new()),
        };
        let Some(winner) = winner else { continue };
        let view = |id: Uuid| async move {
            let model = application::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound)?;
            applications::candidate_view(db, model).await
        };
        let mut mention_views = Vec::new();
        for mention in mentions {
            mention_views.push(view(mention).await?);
        }
        laureates.push((
            Laureate {
                prize_id: prize.id,
                name: PrizeName::of(&prize),
                kind: prize.kind,
                sponsors: serde_json::from_str(&prize.sponsors).unwrap_or_default(),
                laureate: view(winner).await?,
                mentions: mention_views,
            },
            prize,
        ));
    }
    Ok(laureates)
}

/// Tells the shortlisted applicants of `edition`, and its laureates, the laureates made public
/// (those of `prize` only, when one ballot's results come out after the edition's), each
/// recipient which prize or mention is theirs.
pub async fn announce_laureates(
    txn: &impl ConnectionTrait,
    keys: &VoterKeys,
    edition: &edition::Model,
    prize: Option<Uuid>,
) -> Result<(), ApiError> {
    let laureates: Vec<_> = published_laureates(txn, keys, edition)
        .await?
        .into_iter()
        .filter(|(laureate, _)| prize.is_none_or(|only| laureate.prize_id == only))
        .collect();
    if laureates.is_empty() {
        return Ok(());
    }
    let honoured: Vec<Uuid> = laureates
        .iter()
        .flat_map(|(laureate, _)| {
            std::iter::once(laureate.laureate.id).chain(laureate.mentions.iter().map(|m| m.id))
        })
        .collect();
    let recipients = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition.id))
        .filter(
            Condition::any()
                .add(application::Column::Shortlisted.eq(true))
                .add(application::Column::Id.is_in(honoured)),
        )
        .order_by_asc(application::Column::Id)
        .all(txn)
        .await?;
    let structures: HashMap<Uuid, Option<String>> = recipients
        .iter()
        .map(|application| (application.id, application.structure_name.clone()))
        .collect();
    for recipient in &recipients {
        let values = |lang: Lang| {
            let prize_name =
                |prize: &prize::Model| PrizeName::of(prize).in_language(lang).localized_prize_name;
            let mut yours = Vec::new();
            let mut mentioned = Vec::new();
            let mut shown = Vec::new();
            for (laureate, prize) in &laureates {
                let candidate = &laureate.laureate;
                if candidate.id == recipient.id {
                    yours.push(
                        json!({"prize": prize_name(prize), "action_title": candidate.action_title}),
                    );
                }
                if let Some(mention) = laureate.mentions.iter().find(|m| m.id == recipient.id) {
                    mentioned.push(
                        json!({"prize": prize_name(prize), "action_title": mention.action_title}),
                    );
                }
                shown.push(json!({
                    "prize": prize_name(prize),
                    "action_title": candidate.action_title,
                    "structure_name": structures.get(&candidate.id).cloned().flatten(),
                    "mentions": laureate.mentions.iter().map(|m| &m.action_title).collect::<Vec<_>>(),
                }));
            }
            json!({"laureates": shown, "yours": yours, "mentioned": mentioned})
        };
        notify::send(
            txn,
            edition,
            NotificationKind::LaureatesPublished,
            recipient.applicant_id,
            values,
            None,
        )
        .await?;
    }
    Ok(())
}

/// The winner of a published ballot (`None` while it is not): from the count its publication
/// stored, or counted again for a ballot published before counts were stored.
async fn published_winner(
    db: &impl ConnectionTrait,
    keys: &VoterKeys,
    prize: &prize::Model,
) -> Result<Option<Uuid>, ApiError> {
    let Some(ballot) = ballot_entity::Entity::find_by_id(prize.id)
        .one(db)
        .await?
        .filter(|ballot| ballot.state == BallotState::Published)
    else {
        return Ok(None);
    };
    let tally = match crate::services::lookups::stored_count(db, prize.id).await? {
        Some(tally) => tally,
        None => count_now(db, keys, prize).await?,
    };
    Ok(tally.winner(ballot.tie_break_id))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveTurnout {
    pub state: BallotState,
    pub turnout: u64,
}

/// What the ceremony screen shows.
pub enum LiveView {
    Turnout(LiveTurnout),
    Published(Results),
}

/// What the ceremony screen shows now: the turnout, or the results once published.
pub async fn live(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    prize_id: Uuid,
) -> Result<LiveView, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, None, edition.id).await?;
    let state = match ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
        Some(ballot) => state_of(&ballot, prize.kind, edition.status, Utc::now()),
        None => BallotState::Scheduled,
    };
    if state == BallotState::Published {
        return Ok(LiveView::Published(
            results(db, keys, None, prize_id).await?,
        ));
    }
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize_id))
        .count(db)
        .await?;
    Ok(LiveView::Turnout(LiveTurnout { state, turnout }))
}
