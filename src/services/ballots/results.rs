//! Ballots: results, laureates, and the ceremony screen's live view.
use super::*;
use crate::domain::voter::VoterKeys;

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
    /// SHA-256 of every receipt in the count (with the tally).
    pub receipt_hashes: Option<Vec<String>>,
}

/// Turnout only while open (staff); the tally for staff once closed; for everyone once
/// published. Nothing else reveals counts earlier.
pub async fn results(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    caller: Option<&Principal>,
    prize_id: Uuid,
) -> Result<Results, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, caller, edition.id).await?;
    let staff = match caller {
        Some(caller) => staff::staff_scope(db, caller)
            .await?
            .covers(edition.organization_id),
        None => false,
    };
    let ballot = ensure_ballot(db, prize_id).await?;
    let state = state_of(&ballot, Utc::now());
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize_id))
        .count(db)
        .await?;
    let show_tally = ballot::tally_visible(state, staff)?;
    let (tally, receipt_hashes) = if show_tally {
        let choices = ballot_choice::Entity::find()
            .filter(ballot_choice::Column::PrizeId.eq(prize_id))
            .order_by_asc(ballot_choice::Column::ReceiptHash)
            .all(db)
            .await?;
        let candidates: Vec<Uuid> = candidate_applications(db, &prize)
            .await?
            .into_iter()
            .map(|application| application.id)
            .collect();
        // Every choice is counted, or the count fails: never a tally that leaves some out.
        let chosen: Vec<Uuid> = choices
            .iter()
            .map(|choice| {
                choice
                    .sealed_choice
                    .as_deref()
                    .and_then(|sealed| keys.open_choice(prize_id, &choice.receipt_hash, sealed))
                    .ok_or_else(|| {
                        ApiError::Internal(anyhow::anyhow!(
                            "a choice of ballot {prize_id} does not open with this voter key"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        // One choice per participation, written together: any other count is tampering.
        if chosen.len() as u64 != turnout {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "ballot {prize_id} holds {} choices for {turnout} voters",
                chosen.len()
            )));
        }
        (
            Some(ballot::tally(&candidates, &chosen)),
            Some(
                choices
                    .into_iter()
                    .map(|choice| choice.receipt_hash)
                    .collect(),
            ),
        )
    } else {
        (None, None)
    };
    let winner = tally
        .as_ref()
        .and_then(|tally| match tally.leaders.as_slice() {
            [single] => Some(*single),
            _ => ballot.tie_break_id,
        });
    Ok(Results {
        prize_id,
        state,
        turnout,
        tally,
        winner,
        tie_break_reason: ballot.tie_break_reason,
        receipt_hashes,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Laureate {
    pub prize_id: Uuid,
    #[schema(example = "Prix du public")]
    pub prize_name: String,
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
    let results_out = edition.status >= EditionStatus::ResultsPublished;
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition_id))
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
                let published = ballot_entity::Entity::find_by_id(prize.id)
                    .one(db)
                    .await?
                    .is_some_and(|b| b.state == BallotState::Published);
                let winner = if published {
                    results(db, keys, None, prize.id).await?.winner
                } else {
                    None
                };
                (winner, Vec::new())
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
        laureates.push(Laureate {
            prize_id: prize.id,
            prize_name: prize.name.clone(),
            kind: prize.kind,
            sponsors: serde_json::from_str(&prize.sponsors).unwrap_or_default(),
            laureate: view(winner).await?,
            mentions: mention_views,
        });
    }
    Ok(laureates)
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
    let (_, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, None, edition.id).await?;
    let state = match ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
        Some(ballot) => state_of(&ballot, Utc::now()),
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
