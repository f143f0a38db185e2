//! Ballots: their state over time, and counting.
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    edition::{EditionStatus, PrizeKind},
    edition_lifecycle::check_not_concluded,
    refusal::{ProblemCode, Refusal, refuse},
    validation::FieldError,
};

stored_state! {
    pub enum BallotState {
        Scheduled,
        Open,
        Closed,
        Published,
    }
}

/// The state at `now`: a scheduled ballot opens at its opening time, an open one closes at its
/// closing time, whether or not staff pressed the button. A window only opens the ballot while
/// the edition is at one of its `opening_stages`: a window set ahead for the ceremony day does
/// not open a councillors' ballot while the edition is still at the auditions.
fn effective_state(
    stored: BallotState,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    opening_stage: bool,
) -> BallotState {
    let closed_by_time = closes_at.is_some_and(|closes| now >= closes);
    match stored {
        BallotState::Scheduled if opening_stage && opens_at.is_some_and(|opens| now >= opens) => {
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

/// A stored ballot state and its window.
pub type Window = (BallotState, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The state of a ballot of `kind` at `now` while its edition is at `stage`.
pub fn state_at(
    (stored, opens_at, closes_at): Window,
    kind: PrizeKind,
    stage: EditionStatus,
    now: DateTime<Utc>,
) -> BallotState {
    effective_state(
        stored,
        opens_at,
        closes_at,
        now,
        opening_stages(kind).contains(&stage),
    )
}

/// When the edition leaves `leaving` for a stage where nobody votes: the closing time to record
/// for a ballot as it stands (one open closes now; one its window closed keeps its closing
/// time, and stays publishable), or `None` for one that never opened (it stays scheduled).
pub fn closing_time(
    window: Window,
    kind: PrizeKind,
    leaving: EditionStatus,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match state_at(window, kind, leaving, now) {
        BallotState::Open => Some(now),
        BallotState::Closed => Some(window.2.unwrap_or(now)),
        _ => None,
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

/// Counts the choices (candidates without votes included), in one pass over them.
pub fn tally(candidates: &[Uuid], choices: &[Uuid]) -> Tally {
    let mut votes: std::collections::HashMap<Uuid, u64> =
        candidates.iter().map(|candidate| (*candidate, 0)).collect();
    for choice in choices {
        if let Some(count) = votes.get_mut(choice) {
            *count += 1;
        }
    }
    Tally::of_counts(
        votes
            .into_iter()
            .map(|(application_id, votes)| CandidateCount {
                application_id,
                votes,
            })
            .collect(),
    )
}

impl Tally {
    /// The winner: the one candidate with the most votes, or, on a tie, the one a recorded
    /// tie-break chose (`None` while the tie stands).
    pub fn winner(&self, tie_break: Option<Uuid>) -> Option<Uuid> {
        match self.leaders.as_slice() {
            [single] => Some(*single),
            _ => tie_break,
        }
    }

    /// The tally of counts per candidate (as published): most votes first, then by id.
    pub fn of_counts(mut counts: Vec<CandidateCount>) -> Tally {
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
            turnout: counts.iter().map(|count| count.votes).sum(),
            counts,
            leaders,
        }
    }
}

/// A window both databases store and compare as dates: a year from 1970 to 9999 (SQLite
/// compares the text, where `+10000-…` would sort before `2026-…`), closing after opening.
pub fn check_window(
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
) -> Result<(), FieldError> {
    use chrono::Datelike;
    for (field, time) in [("opens_at", opens_at), ("closes_at", closes_at)] {
        if time.is_some_and(|time| !(1970..=9999).contains(&time.year())) {
            return Err(FieldError::new(
                field,
                "invalid_value",
                text!("field-must-be-a-time-between"),
            ));
        }
    }
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return Err(FieldError::new(
            "closes_at",
            "out_of_order",
            text!("field-must-be-after-opens-at"),
        ));
    }
    Ok(())
}

/// A ballot's window changes only while it is scheduled, before the edition's results.
pub fn check_window_change(state: BallotState, edition: EditionStatus) -> Result<(), Refusal> {
    check_not_concluded(edition)?;
    if state != BallotState::Scheduled {
        return refuse(ProblemCode::BallotStarted, text!("ballot-started"));
    }
    Ok(())
}

/// The stages of the edition during which a ballot of this kind may open: the councillors vote
/// at the ceremony; the public from the auditions to the ceremony.
pub fn opening_stages(kind: PrizeKind) -> &'static [EditionStatus] {
    match kind {
        PrizeKind::Councillors => &[EditionStatus::Ceremony],
        _ => &[EditionStatus::Audition, EditionStatus::Ceremony],
    }
}

/// Staff open a scheduled ballot during its opening stages and close an open one.
pub fn check_manual_step(
    current: BallotState,
    to: BallotState,
    edition: EditionStatus,
    kind: PrizeKind,
) -> Result<(), Refusal> {
    let allowed = match to {
        BallotState::Open => current == BallotState::Scheduled,
        BallotState::Closed => current == BallotState::Open,
        _ => false,
    };
    if !allowed {
        return refuse(
            ProblemCode::InvalidBallotTransition,
            text!(
                "invalid-ballot-transition",
                current = current.as_str(),
                to = to.as_str()
            ),
        );
    }
    if to == BallotState::Open && !opening_stages(kind).contains(&edition) {
        return refuse(ProblemCode::EditionNotVoting, text!("edition-not-voting"));
    }
    Ok(())
}

/// Who votes: the councillors on the organizer's roster in the councillors' ballot; in the
/// public ballot, a public voter whose address was verified for this prize.
pub fn check_entitled(
    kind: PrizeKind,
    councillor_on_roster: bool,
    public_voter_of_prize: bool,
) -> Result<(), Refusal> {
    let entitled = match kind {
        PrizeKind::Councillors => councillor_on_roster,
        PrizeKind::Public => public_voter_of_prize,
        PrizeKind::Jury | PrizeKind::Category => false,
    };
    if !entitled {
        return refuse(ProblemCode::NotEntitled, text!("not-entitled"));
    }
    Ok(())
}

/// Whether the split of the votes is shown: to everyone once published, to the prize's staff
/// once closed. Until it closes, anyone sees how many have voted (the ceremony screen shows it),
/// nobody the split; once closed, others wait for the publication.
pub fn tally_visible(state: BallotState, staff: bool) -> Result<bool, Refusal> {
    match state {
        BallotState::Scheduled | BallotState::Open => Ok(false),
        BallotState::Closed if !staff => refuse(
            ProblemCode::ResultsNotPublished,
            text!("results-not-published"),
        ),
        BallotState::Closed | BallotState::Published => Ok(true),
    }
}

/// A vote is taken while the ballot is open.
pub fn check_voting(state: BallotState) -> Result<(), Refusal> {
    if state != BallotState::Open {
        return refuse(ProblemCode::BallotNotOpen, text!("ballot-not-open"));
    }
    Ok(())
}

/// Staff break a tie for first place once the ballot is closed, before publication.
pub fn check_tie_break(state: BallotState, leaders: &[Uuid]) -> Result<(), Refusal> {
    if state != BallotState::Closed {
        return refuse(ProblemCode::BallotNotClosed, text!("tie-before-close"));
    }
    if leaders.len() < 2 {
        return refuse(ProblemCode::NoTie, text!("no-tie"));
    }
    Ok(())
}

/// A closed ballot's results are published once any tie for first place is broken.
pub fn check_publication(
    state: BallotState,
    leaders: &[Uuid],
    winner: Option<Uuid>,
) -> Result<(), Refusal> {
    if state != BallotState::Closed {
        return refuse(ProblemCode::BallotNotClosed, text!("publish-before-close"));
    }
    if winner.is_none() && leaders.len() > 1 {
        return refuse(ProblemCode::TieUnresolved, text!("tie-unresolved"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_winner_is_the_one_leader_or_the_tie_s_recorded_choice() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(tally(&[a, b], &[a, a, b]).winner(Some(b)), Some(a));
        assert_eq!(tally(&[a, b], &[a, b]).winner(None), None);
        assert_eq!(tally(&[a, b], &[a, b]).winner(Some(b)), Some(b));
    }

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
                at("2026-12-14T17:59:59Z"),
                true
            ),
            BallotState::Scheduled
        );
        assert_eq!(
            effective_state(
                BallotState::Scheduled,
                opens,
                closes,
                at("2026-12-14T18:00:00Z"),
                true
            ),
            BallotState::Open
        );
        assert_eq!(
            effective_state(
                BallotState::Scheduled,
                opens,
                closes,
                at("2026-12-14T19:00:00Z"),
                true
            ),
            BallotState::Closed
        );
        assert_eq!(
            effective_state(
                BallotState::Open,
                None,
                closes,
                at("2026-12-14T19:00:01Z"),
                true
            ),
            BallotState::Closed
        );
        assert_eq!(
            effective_state(
                BallotState::Open,
                None,
                None,
                at("2030-01-01T00:00:00Z"),
                true
            ),
            BallotState::Open
        );
        assert_eq!(
            effective_state(
                BallotState::Published,
                opens,
                closes,
                at("2026-12-14T18:30:00Z"),
                true
            ),
            BallotState::Published
        );
    }

    #[test]
    fn a_window_is_stored_as_a_date_both_databases_compare() {
        let time = |text: &str| Some(text.parse::<DateTime<Utc>>().unwrap());
        assert!(check_window(time("2026-12-14T18:00:00Z"), time("2026-12-14T19:00:00Z")).is_ok());
        assert!(check_window(None, time("+10000-01-01T00:00:00Z")).is_err());
        assert!(check_window(time("-5000-01-01T00:00:00Z"), None).is_err());
        let reversed = check_window(time("2026-12-14T19:00:00Z"), time("2026-12-14T18:00:00Z"));
        assert_eq!(reversed.unwrap_err().code, "out_of_order");
    }

    #[test]
    fn a_window_opens_the_ballot_only_at_an_opening_stage() {
        let opens = Some(at("2026-12-14T18:00:00Z"));
        let during = at("2026-12-14T18:30:00Z");
        let state = |stage| effective_state(BallotState::Scheduled, opens, None, during, stage);
        assert_eq!(state(false), BallotState::Scheduled);
        assert_eq!(state(true), BallotState::Open);
        // A councillors' ballot opens at the ceremony only; a public one from the auditions.
        assert!(!opening_stages(PrizeKind::Councillors).contains(&EditionStatus::Audition));
        assert!(opening_stages(PrizeKind::Public).contains(&EditionStatus::Audition));
    }

    #[test]
    fn the_end_of_voting_closes_what_is_open_and_keeps_what_its_window_closed() {
        let now = at("2026-12-14T20:00:00Z");
        let (opened, closed) = (
            Some(at("2026-12-14T18:00:00Z")),
            Some(at("2026-12-14T19:00:00Z")),
        );
        let public = |window| closing_time(window, PrizeKind::Public, EditionStatus::Ceremony, now);
        assert_eq!(public((BallotState::Open, None, None)), Some(now));
        assert_eq!(public((BallotState::Scheduled, opened, closed)), closed);
        assert_eq!(public((BallotState::Scheduled, None, None)), None);
        // A councillors' window passed during the auditions never opened it.
        let early = closing_time(
            (BallotState::Scheduled, opened, closed),
            PrizeKind::Councillors,
            EditionStatus::Audition,
            now,
        );
        assert_eq!(early, None);
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

    fn code(result: Result<(), Refusal>) -> ProblemCode {
        result.unwrap_err().code
    }

    #[test]
    fn the_window_changes_only_before_the_ballot_opens() {
        let ceremony = EditionStatus::Ceremony;
        assert!(check_window_change(BallotState::Scheduled, ceremony).is_ok());
        for state in [
            BallotState::Open,
            BallotState::Closed,
            BallotState::Published,
        ] {
            assert_eq!(
                code(check_window_change(state, ceremony)),
                ProblemCode::BallotStarted
            );
        }
        assert_eq!(
            code(check_window_change(
                BallotState::Scheduled,
                EditionStatus::Archived
            )),
            ProblemCode::EditionClosed
        );
    }

    #[test]
    fn staff_open_a_scheduled_ballot_at_its_stage_and_close_an_open_one() {
        use BallotState::*;
        let (public, councillors) = (PrizeKind::Public, PrizeKind::Councillors);
        assert!(check_manual_step(Scheduled, Open, EditionStatus::Audition, public).is_ok());
        assert!(check_manual_step(Scheduled, Open, EditionStatus::Ceremony, public).is_ok());
        assert!(check_manual_step(Scheduled, Open, EditionStatus::Ceremony, councillors).is_ok());
        assert_eq!(
            code(check_manual_step(
                Scheduled,
                Open,
                EditionStatus::Audition,
                councillors
            )),
            ProblemCode::EditionNotVoting
        );
        assert!(check_manual_step(Open, Closed, EditionStatus::ResultsPublished, public).is_ok());
        for (from, to) in [
            (Open, Open),
            (Closed, Open),
            (Scheduled, Closed),
            (Closed, Closed),
            (Open, Published),
        ] {
            assert_eq!(
                code(check_manual_step(from, to, EditionStatus::Ceremony, public)),
                ProblemCode::InvalidBallotTransition
            );
        }
        for edition in [EditionStatus::Selection, EditionStatus::ResultsPublished] {
            assert_eq!(
                code(check_manual_step(Scheduled, Open, edition, public)),
                ProblemCode::EditionNotVoting
            );
        }
    }

    #[test]
    fn councillors_and_verified_public_voters_vote_in_their_own_ballots() {
        assert!(check_entitled(PrizeKind::Councillors, true, false).is_ok());
        assert!(check_entitled(PrizeKind::Public, false, true).is_ok());
        for (kind, on_roster, public) in [
            (PrizeKind::Councillors, false, true),
            (PrizeKind::Public, true, false),
            (PrizeKind::Jury, true, true),
        ] {
            assert_eq!(
                code(check_entitled(kind, on_roster, public)),
                ProblemCode::NotEntitled
            );
        }
    }

    #[test]
    fn the_turnout_is_for_everyone_and_the_split_for_staff_once_closed_and_everyone_once_published()
    {
        assert_eq!(tally_visible(BallotState::Published, false), Ok(true));
        assert_eq!(tally_visible(BallotState::Closed, true), Ok(true));
        // Until the close, anyone sees the turnout, nobody the split.
        for state in [BallotState::Scheduled, BallotState::Open] {
            assert_eq!(tally_visible(state, true), Ok(false));
            assert_eq!(tally_visible(state, false), Ok(false));
        }
        assert_eq!(
            tally_visible(BallotState::Closed, false).unwrap_err().code,
            ProblemCode::ResultsNotPublished
        );
    }

    #[test]
    fn votes_are_taken_while_open_only() {
        assert!(check_voting(BallotState::Open).is_ok());
        for state in [
            BallotState::Scheduled,
            BallotState::Closed,
            BallotState::Published,
        ] {
            assert_eq!(code(check_voting(state)), ProblemCode::BallotNotOpen);
        }
    }

    #[test]
    fn a_tie_is_broken_once_closed_and_must_be_broken_before_publication() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(
            code(check_tie_break(BallotState::Open, &[a, b])),
            ProblemCode::BallotNotClosed
        );
        assert_eq!(
            code(check_tie_break(BallotState::Closed, &[a])),
            ProblemCode::NoTie
        );
        assert!(check_tie_break(BallotState::Closed, &[a, b]).is_ok());
        assert_eq!(
            code(check_publication(BallotState::Open, &[a], None)),
            ProblemCode::BallotNotClosed
        );
        assert_eq!(
            code(check_publication(BallotState::Closed, &[a, b], None)),
            ProblemCode::TieUnresolved
        );
        assert!(check_publication(BallotState::Closed, &[a, b], Some(b)).is_ok());
        assert!(check_publication(BallotState::Closed, &[a], None).is_ok());
        assert!(check_publication(BallotState::Closed, &[], None).is_ok());
    }
}
