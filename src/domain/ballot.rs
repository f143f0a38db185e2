//! Ballots: their state over time, and counting.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BallotState {
    Scheduled,
    Open,
    Closed,
    Published,
}

impl BallotState {
    pub fn as_str(self) -> &'static str {
        match self {
            BallotState::Scheduled => "scheduled",
            BallotState::Open => "open",
            BallotState::Closed => "closed",
            BallotState::Published => "published",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Scheduled, Self::Open, Self::Closed, Self::Published]
            .into_iter()
            .find(|state| state.as_str() == value)
    }
}

/// The state at `now`: a scheduled ballot opens at its opening time, an open one closes at its
/// closing time, whether or not staff pressed the button.
pub fn effective_state(
    stored: BallotState,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> BallotState {
    let closed_by_time = closes_at.is_some_and(|closes| now >= closes);
    match stored {
        BallotState::Scheduled if opens_at.is_some_and(|opens| now >= opens) => {
            if closed_by_time {
                BallotState::Closed
            } else {
                BallotState::Open
            }
        }
        BallotState::Open if closed_by_time => BallotState::Closed,
        other => other,
    }
}

/// Votes per candidate, most first; `leaders` share the most votes (a tie when several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub turnout: u64,
    pub counts: Vec<CandidateCount>,
    pub leaders: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CandidateCount {
    pub application_id: Uuid,
    pub votes: u64,
}

pub fn tally(candidates: &[Uuid], choices: &[Uuid]) -> Tally {
    let mut counts: Vec<CandidateCount> = candidates
        .iter()
        .map(|candidate| CandidateCount {
            application_id: *candidate,
            votes: choices.iter().filter(|choice| *choice == candidate).count() as u64,
        })
        .collect();
    counts.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.application_id.cmp(&b.application_id))
    });
    let top = counts.first().map(|count| count.votes).unwrap_or(0);
    let leaders = if top == 0 {
        Vec::new()
    } else {
        counts
            .iter()
            .filter(|count| count.votes == top)
            .map(|count| count.application_id)
            .collect()
    };
    Tally {
        turnout: choices.len() as u64,
        counts,
        leaders,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_opens_and_closes_the_ballot() {
        let (opens, closes) = (
            Some(at("2026-12-14T18:00:00Z")),
            Some(at("2026-12-14T19:00:00Z")),
        );
        assert_eq!(
            effective_state(
                BallotState::Scheduled,
                opens,
                closes,
                at("2026-12-14T17:59:59Z")
            ),
            BallotState::Scheduled
        );
        assert_eq!(
            effective_state(
                BallotState::Scheduled,
                opens,
                closes,
                at("2026-12-14T18:00:00Z")
            ),
            BallotState::Open
        );
        assert_eq!(
            effective_state(
                BallotState::Scheduled,
                opens,
                closes,
                at("2026-12-14T19:00:00Z")
            ),
            BallotState::Closed
        );
        assert_eq!(
            effective_state(BallotState::Open, None, closes, at("2026-12-14T19:00:01Z")),
            BallotState::Closed
        );
        assert_eq!(
            effective_state(BallotState::Open, None, None, at("2030-01-01T00:00:00Z")),
            BallotState::Open
        );
        assert_eq!(
            effective_state(
                BallotState::Published,
                opens,
                closes,
                at("2026-12-14T18:30:00Z")
            ),
            BallotState::Published
        );
    }

    #[test]
    fn counting_reports_ties_as_ties() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let result = tally(&[a, b, c], &[b, a, b, a, c]);
        assert_eq!(result.turnout, 5);
        assert_eq!(result.leaders, [a, b]);
        assert_eq!(
            result.counts[2],
            CandidateCount {
                application_id: c,
                votes: 1
            }
        );
        assert_eq!(tally(&[a, b], &[b]).leaders, [b]);
        assert!(tally(&[a, b], &[]).leaders.is_empty());
    }
}
