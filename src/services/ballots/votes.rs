//! Ballots: votes and receipts, one vote per voter, with what every vote needs kept in memory.
use super::*;
use sea_orm::{Condition, sea_query::Expr};

use crate::{domain::voter::VoterKeys, entities::college};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    /// Keep it: `GET /api/v1/prizes/{id}/receipts/{code}` confirms the ballot is counted.
    #[schema(example = "k3Jd9sQ2mX7pL0aV4nR8tY1cE6wB5zH2uF9gT3oI0qA")]
    pub receipt: String,
}

/// Who is voting, as the kind of voter and their id: a public voter's identity, or a
/// councillor's account.
fn voter_of(caller: &Principal) -> (&'static str, Uuid) {
    match caller.prize_scope {
        Some(_) => ("public", caller.id),
        None => ("account", caller.id),
    }
}

/// The participation record of a voter in a ballot: keyed with the voter key, so that it
/// makes one vote per voter without naming anyone, and is never stored with the choice.
fn participation(keys: &VoterKeys, prize_id: Uuid, caller: &Principal) -> String {
    let (kind, voter) = voter_of(caller);
    keys.participation(prize_id, kind, voter)
}

/// Choices written in clear by earlier versions are sealed, once, at start-up (the clear
/// column then holds the nil id).
pub async fn seal_choices(db: &DatabaseConnection, keys: &VoterKeys) -> Result<u64, ApiError> {
    let clear = ballot_choice::Entity::find()
        .filter(ballot_choice::Column::SealedChoice.is_null())
        .all(db)
        .await?;
    let txn = db::begin_write(db).await?;
    for choice in &clear {
        ballot_choice::Entity::update_many()
            .col_expr(
                ballot_choice::Column::ApplicationId,
                Expr::value(Uuid::nil()),
            )
            .col_expr(
                ballot_choice::Column::SealedChoice,
                Expr::value(keys.seal_choice(
                    choice.prize_id,
                    &choice.receipt_hash,
                    choice.application_id,
                    None,
                )),
            )
            .filter(ballot_choice::Column::Id.eq(choice.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(clear.len() as u64)
}

/// Participation records written in clear by earlier versions (`account:<id>`,
/// `public:<id>`) are keyed like the new ones, once, at start-up.
pub async fn key_participation(db: &DatabaseConnection, keys: &VoterKeys) -> Result<u64, ApiError> {
    let clear = ballot_voter::Entity::find()
        .filter(
            Condition::any()
                .add(ballot_voter::Column::VoterKey.starts_with("account:"))
                .add(ballot_voter::Column::VoterKey.starts_with("public:")),
        )
        .all(db)
        .await?;
    let txn = db::begin_write(db).await?;
    for row in &clear {
        let (kind, voter) = row.voter_key.split_once(':').unwrap_or_default();
        let Ok(voter) = voter.parse::<Uuid>() else {
            continue;
        };
        ballot_voter::Entity::update_many()
            .col_expr(
                ballot_voter::Column::VoterKey,
                Expr::value(keys.participation(row.prize_id, kind, voter)),
            )
            .filter(ballot_voter::Column::PrizeId.eq(row.prize_id))
            .filter(ballot_voter::Column::VoterKey.eq(row.voter_key.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(clear.len() as u64)
}

/// The state of a public prize's ballot (404 for other prizes or unpublished editions).
pub async fn public_ballot_state(
    db: &DatabaseConnection,
    prize_id: Uuid,
) -> Result<BallotState, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    if prize.kind != PrizeKind::Public {
        return Err(ApiError::NotFound);
    }
    editions::find_visible(db, None, edition.id).await?;
    Ok(
        match ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
            Some(ballot) => state_of(&ballot, prize.kind, edition.status, Utc::now()),
            None => BallotState::Scheduled,
        },
    )
}

/// What is the same for every vote of a ballot, kept in memory so that a vote reads nothing
/// but its voter's roster entry before it is queued for writing. Safe because a ballot's prize, organization and candidates are settled
/// before it opens (the shortlist is confirmed during the selection).
#[derive(Debug, Clone)]
struct BallotFacts {
    kind: PrizeKind,
    organization_id: Uuid,
    candidates: std::sync::Arc<std::collections::HashSet<Uuid>>,
}

#[derive(Debug, Default)]
pub struct BallotCache(std::sync::RwLock<std::collections::HashMap<Uuid, BallotFacts>>);

impl BallotCache {
    async fn facts(
        &self,
        db: &DatabaseConnection,
        prize_id: Uuid,
    ) -> Result<BallotFacts, ApiError> {
        if let Some(facts) = self.0.read().expect("ballot cache lock").get(&prize_id) {
            return Ok(facts.clone());
        }
        let (prize, edition) = ballot_prize(db, prize_id).await?;
        let facts = BallotFacts {
            kind: prize.kind,
            organization_id: edition.organization_id,
            candidates: std::sync::Arc::new(
                candidate_applications(db, &prize)
                    .await?
                    .into_iter()
                    .map(|application| application.id)
                    .collect(),
            ),
        };
        // Before the auditions the candidates may still change: do not keep them yet.
        if edition.status >= EditionStatus::Audition {
            self.0
                .write()
                .expect("ballot cache lock")
                .insert(prize_id, facts.clone());
        }
        Ok(facts)
    }
}

/// Casts the caller's vote: an open ballot, a candidate of it, an entitled voter, once.
/// What the request alone tells is checked here; the state of the ballot and the one vote per
/// voter are checked by the writer, in the transaction that records the vote with others.
pub async fn vote(
    db: &DatabaseConnection,
    cache: &BallotCache,
    writer: &VoteWriter,
    keys: &VoterKeys,
    caller: &Principal,
    prize_id: Uuid,
    application_id: Uuid,
) -> Result<Receipt, ApiError> {
    let facts = cache.facts(db, prize_id).await?;
    let place_on_roster = if facts.kind == PrizeKind::Councillors
        && caller.prize_scope.is_none()
        && caller.has_role(Role::Councillor)
    {
        councillor::Entity::find_by_id((facts.organization_id, caller.id))
            .one(db)
            .await?
    } else {
        None
    };
    let councillor_on_roster = place_on_roster.is_some();
    let public_voter_of_prize =
        caller.has_role(Role::Public) && caller.prize_scope == Some(prize_id);
    ballot::check_entitled(facts.kind, councillor_on_roster, public_voter_of_prize)?;
    if !facts.candidates.contains(&application_id) {
        return Err(ApiError::invalid(
            "application_id",
            "invalid_value",
            text!("field-not-a-candidate-of-this"),
        ));
    }
    // The councillor's college goes into the sealed choice, for the results by college.
    let college = match &place_on_roster {
        Some(place) => college::Entity::find()
            .filter(college::Column::OrganizationId.eq(facts.organization_id))
            .filter(college::Column::Name.eq(place.college.as_str()))
            .one(db)
            .await?
            .map(|college| college.id),
        None => None,
    };
    let receipt = secret_token::generate();
    let receipt_hash = secret_token::digest(&receipt);
    writer
        .write(NewVote {
            prize_id,
            participation: participation(keys, prize_id, caller),
            sealed_choice: keys.seal_choice(prize_id, &receipt_hash, application_id, college),
            receipt_hash,
        })
        .await?;
    Ok(Receipt { receipt })
}

/// Whether the ballot with this receipt is in the count of the prize.
pub async fn check_receipt(
    db: &DatabaseConnection,
    prize_id: Uuid,
    code: &str,
) -> Result<(), ApiError> {
    ballot_choice::Entity::find()
        .filter(ballot_choice::Column::PrizeId.eq(prize_id))
        .filter(ballot_choice::Column::ReceiptHash.eq(secret_token::digest(code)))
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(ApiError::NotFound)
}
