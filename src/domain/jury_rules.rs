//! When the jury may act: scoring an application, changing the shortlist, deciding a prize.
use std::collections::BTreeSet;

use uuid::Uuid;

use super::{
    edition::{EditionStatus, PrizeKind},
    edition_lifecycle::check_not_concluded,
    refusal::{Denial, ProblemCode, Refusal, refuse},
    scoring::{Round, ScorecardStatus},
    validation::FieldError,
};

/// What the scoring rule looks at for one juror and one application of a round.
pub struct ScoringFacts {
    pub round: Round,
    pub edition: EditionStatus,
    /// The juror declared a conflict of interest on the application.
    pub conflicted: bool,
    /// The application is among those the juror reviews in this round.
    pub assigned: bool,
}

/// A round is scored while the edition is at that stage, by its reviewers without a conflict.
pub fn check_scoring(facts: &ScoringFacts) -> Result<(), Refusal> {
    if facts.edition != facts.round.stage() {
        return refuse(ProblemCode::ScoringClosed, text!("scoring-closed"));
    }
    if facts.conflicted {
        return refuse(ProblemCode::ConflictOfInterest, text!("you-are-conflicted"));
    }
    if !facts.assigned {
        return refuse(ProblemCode::NotAssigned, text!("not-assigned"));
    }
    Ok(())
}

/// The shortlist is confirmed during the selection.
pub fn check_shortlist_change(edition: EditionStatus) -> Result<(), Refusal> {
    if edition != EditionStatus::Selection {
        return refuse(ProblemCode::NotInSelection, text!("not-in-selection"));
    }
    Ok(())
}

/// Shortlisted candidates are auditioned, until the results are published.
pub fn check_audition(shortlisted: bool, edition: EditionStatus) -> Result<(), Refusal> {
    if !shortlisted {
        return refuse(ProblemCode::NotShortlisted, text!("not-shortlisted"));
    }
    check_not_concluded(edition)
}

/// A submitted scorecard is locked: only staff reopen it.
pub fn check_card_open(status: Option<ScorecardStatus>) -> Result<(), Refusal> {
    if status == Some(ScorecardStatus::Submitted) {
        return refuse(ProblemCode::ScorecardSubmitted, text!("scorecard-locked"));
    }
    Ok(())
}

/// Staff reopen submitted scorecards only.
pub fn check_card_reopenable(status: ScorecardStatus) -> Result<(), Refusal> {
    if status != ScorecardStatus::Submitted {
        return refuse(
            ProblemCode::ScorecardNotSubmitted,
            text!("scorecard-not-submitted"),
        );
    }
    Ok(())
}

/// A president conflicted on a candidate of the prize leaves the decision to staff: the
/// answers a decision gives would tell how that candidate ranks.
pub fn check_president_free(conflicted_on_a_candidate: bool) -> Result<(), Refusal> {
    if conflicted_on_a_candidate {
        return refuse(
            ProblemCode::PresidentConflicted,
            text!("president-conflicted"),
        );
    }
    Ok(())
}

/// What the decision rule looks at for a prize.
pub struct DecisionFacts<'a> {
    pub edition: EditionStatus,
    pub kind: PrizeKind,
    /// The candidates of the prize's pool.
    pub pool: &'a BTreeSet<Uuid>,
    pub mentions_allowed: bool,
    /// The top of the round's ranking (jury prizes only; several on a tie).
    pub first_place: &'a [Uuid],
    pub already_decided: bool,
    /// Staff changing a decision with a written reason.
    pub staff_with_reason: bool,
}

/// What is proposed: the laureate, mentions, and whether the president's casting vote is used.
pub struct Proposal<'a> {
    pub laureate: Uuid,
    pub mentions: &'a [Uuid],
    pub casting_vote: bool,
    /// Whether the deliberation's reason is written.
    pub with_reason: bool,
}

/// A jury or category prize is decided after the auditions, before the results, for a
/// candidate of its pool; a jury prize goes to the top of the ranking (the president's casting
/// vote breaks a tie); a decision is changed by staff only, with a written reason.
pub fn check_decision(facts: &DecisionFacts<'_>, proposal: &Proposal<'_>) -> Result<(), Denial> {
    if !matches!(
        facts.edition,
        EditionStatus::Audition | EditionStatus::Ceremony
    ) {
        return Err(Refusal::new(ProblemCode::DecisionsClosed, text!("decisions-closed")).into());
    }
    if matches!(facts.kind, PrizeKind::Councillors | PrizeKind::Public) {
        return Err(Refusal::new(ProblemCode::DecidedByBallot, text!("decided-by-ballot")).into());
    }
    if !facts.pool.contains(&proposal.laureate) {
        return Err(FieldError::new(
            "laureate",
            "invalid_value",
            text!("field-the-laureate-must-be-a"),
        )
        .into());
    }
    if !proposal.mentions.is_empty() && !facts.mentions_allowed {
        return Err(FieldError::new(
            "mentions",
            "invalid_value",
            text!("field-this-prize-has-no-honourable"),
        )
        .into());
    }
    if proposal
        .mentions
        .iter()
        .any(|id| !facts.pool.contains(id) || *id == proposal.laureate)
    {
        return Err(FieldError::new(
            "mentions",
            "invalid_value",
            text!("field-mentions-go-to-other-candidates"),
        )
        .into());
    }
    if facts.kind == PrizeKind::Jury {
        check_top_ranked(facts.first_place, proposal)?;
    }
    if facts.already_decided && !facts.staff_with_reason {
        return Err(Refusal::new(ProblemCode::DecisionExists, text!("decision-exists")).into());
    }
    Ok(())
}

/// The jury deliberates after the auditions: its prize goes to the top of the ranking, whose
/// tie the president's casting vote breaks, or to another candidate of the pool with the
/// deliberation's reason written (also when the jury deliberated without scoring).
fn check_top_ranked(first_place: &[Uuid], proposal: &Proposal<'_>) -> Result<(), Denial> {
    if first_place.is_empty() && !proposal.with_reason {
        return Err(Refusal::new(ProblemCode::NoRanking, text!("no-ranking")).into());
    }
    if !first_place.contains(&proposal.laureate) {
        if !proposal.with_reason {
            return Err(Refusal::new(ProblemCode::NotTopRanked, text!("not-top-ranked")).into());
        }
        if proposal.casting_vote {
            return Err(FieldError::new(
                "casting_vote",
                "invalid_value",
                text!("field-a-casting-vote-breaks-a"),
            )
            .into());
        }
        return Ok(());
    }
    if first_place.len() > 1 && !proposal.casting_vote {
        return Err(Refusal::new(
            ProblemCode::TieNeedsCastingVote,
            text!("tie-needs-casting-vote"),
        )
        .into());
    }
    if first_place.len() == 1 && proposal.casting_vote {
        return Err(FieldError::new(
            "casting_vote",
            "invalid_value",
            text!("field-there-is-no-tie-to"),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<(), Denial>) -> ProblemCode {
        match result {
            Err(Denial::Refused(refusal)) => refusal.code,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn invalid_field(result: Result<(), Denial>) -> String {
        match result {
            Err(Denial::Invalid(error)) => error.field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_round_is_scored_at_its_stage_by_its_unconflicted_reviewers() {
        let facts = |round, edition, conflicted, assigned| ScoringFacts {
            round,
            edition,
            conflicted,
            assigned,
        };
        assert!(
            check_scoring(&facts(
                Round::Selection,
                EditionStatus::Selection,
                false,
                true
            ))
            .is_ok()
        );
        assert!(
            check_scoring(&facts(
                Round::Audition,
                EditionStatus::Audition,
                false,
                true
            ))
            .is_ok()
        );
        for (round, edition) in [
            (Round::Selection, EditionStatus::Audition),
            (Round::Audition, EditionStatus::Selection),
            (Round::Audition, EditionStatus::Ceremony),
        ] {
            assert_eq!(
                check_scoring(&facts(round, edition, false, true))
                    .unwrap_err()
                    .code,
                ProblemCode::ScoringClosed
            );
        }
        assert_eq!(
            check_scoring(&facts(
                Round::Selection,
                EditionStatus::Selection,
                true,
                true
            ))
            .unwrap_err()
            .code,
            ProblemCode::ConflictOfInterest
        );
        assert_eq!(
            check_scoring(&facts(
                Round::Selection,
                EditionStatus::Selection,
                false,
                false
            ))
            .unwrap_err()
            .code,
            ProblemCode::NotAssigned
        );
    }

    #[test]
    fn the_shortlist_changes_during_the_selection_only() {
        assert!(check_shortlist_change(EditionStatus::Selection).is_ok());
        for edition in [EditionStatus::ApplicationsOpen, EditionStatus::Audition] {
            assert_eq!(
                check_shortlist_change(edition).unwrap_err().code,
                ProblemCode::NotInSelection
            );
        }
    }

    #[test]
    fn submitted_cards_are_locked_until_staff_reopen_them() {
        assert!(check_card_open(None).is_ok());
        assert!(check_card_open(Some(ScorecardStatus::Draft)).is_ok());
        assert_eq!(
            check_card_open(Some(ScorecardStatus::Submitted))
                .unwrap_err()
                .code,
            ProblemCode::ScorecardSubmitted
        );
        assert!(check_card_reopenable(ScorecardStatus::Submitted).is_ok());
        assert_eq!(
            check_card_reopenable(ScorecardStatus::Draft)
                .unwrap_err()
                .code,
            ProblemCode::ScorecardNotSubmitted
        );
        assert!(check_president_free(false).is_ok());
        assert_eq!(
            check_president_free(true).unwrap_err().code,
            ProblemCode::PresidentConflicted
        );
    }

    #[test]
    fn shortlisted_candidates_are_auditioned_until_the_results() {
        assert!(check_audition(true, EditionStatus::Audition).is_ok());
        assert_eq!(
            check_audition(false, EditionStatus::Audition)
                .unwrap_err()
                .code,
            ProblemCode::NotShortlisted
        );
        assert_eq!(
            check_audition(true, EditionStatus::Archived)
                .unwrap_err()
                .code,
            ProblemCode::EditionClosed
        );
    }

    #[test]
    fn a_jury_prize_goes_to_the_top_of_the_ranking_or_where_the_jury_deliberates() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let pool: BTreeSet<Uuid> = [a, b, c].into();
        let facts = |first_place: &'static [Uuid]| DecisionFacts {
            edition: EditionStatus::Audition,
            kind: PrizeKind::Jury,
            pool: &pool,
            mentions_allowed: false,
            first_place,
            already_decided: false,
            staff_with_reason: false,
        };
        let propose = |laureate, casting_vote| Proposal {
            laureate,
            mentions: &[],
            casting_vote,
            with_reason: false,
        };
        let deliberated = |laureate, casting_vote| Proposal {
            laureate,
            mentions: &[],
            casting_vote,
            with_reason: true,
        };
        static TOP_A: [Uuid; 1] = [Uuid::from_u128(1)];
        static TIE_AB: [Uuid; 2] = [Uuid::from_u128(1), Uuid::from_u128(2)];
        assert!(check_decision(&facts(&TOP_A), &propose(a, false)).is_ok());
        assert_eq!(
            refused(check_decision(&facts(&[]), &propose(a, false))),
            ProblemCode::NoRanking
        );
        // A jury that deliberated without scoring writes its reason.
        assert!(check_decision(&facts(&[]), &deliberated(a, false)).is_ok());
        assert_eq!(
            refused(check_decision(&facts(&TOP_A), &propose(b, false))),
            ProblemCode::NotTopRanked
        );
        // The jury deliberates: another candidate, with the deliberation's reason.
        assert!(check_decision(&facts(&TOP_A), &deliberated(b, false)).is_ok());
        assert!(check_decision(&facts(&TIE_AB), &deliberated(c, false)).is_ok());
        assert_eq!(
            invalid_field(check_decision(
                &facts(&TOP_A),
                &deliberated(Uuid::from_u128(9), false)
            )),
            "laureate"
        );
        assert_eq!(
            invalid_field(check_decision(&facts(&TOP_A), &deliberated(b, true))),
            "casting_vote"
        );
        assert_eq!(
            refused(check_decision(&facts(&TIE_AB), &propose(b, false))),
            ProblemCode::TieNeedsCastingVote
        );
        assert!(check_decision(&facts(&TIE_AB), &propose(b, true)).is_ok());
        assert_eq!(
            invalid_field(check_decision(&facts(&TOP_A), &propose(a, true))),
            "casting_vote"
        );
        let outsider = Uuid::from_u128(9);
        assert_eq!(
            invalid_field(check_decision(&facts(&TOP_A), &propose(outsider, false))),
            "laureate"
        );
    }

    #[test]
    fn decisions_are_taken_at_their_stage_on_jury_prizes_once_unless_staff_give_a_reason() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let pool: BTreeSet<Uuid> = [a, b].into();
        let base = DecisionFacts {
            edition: EditionStatus::Ceremony,
            kind: PrizeKind::Category,
            pool: &pool,
            mentions_allowed: true,
            first_place: &[],
            already_decided: false,
            staff_with_reason: false,
        };
        let proposal = Proposal {
            laureate: a,
            mentions: &[b],
            casting_vote: false,
            with_reason: false,
        };
        assert!(check_decision(&base, &proposal).is_ok());
        let early = DecisionFacts {
            edition: EditionStatus::Selection,
            ..base
        };
        assert_eq!(
            refused(check_decision(&early, &proposal)),
            ProblemCode::DecisionsClosed
        );
        let ballot = DecisionFacts {
            kind: PrizeKind::Public,
            ..base
        };
        assert_eq!(
            refused(check_decision(&ballot, &proposal)),
            ProblemCode::DecidedByBallot
        );
        let no_mentions = DecisionFacts {
            mentions_allowed: false,
            ..base
        };
        assert_eq!(
            invalid_field(check_decision(&no_mentions, &proposal)),
            "mentions"
        );
        let self_mention = Proposal {
            laureate: a,
            mentions: &[a],
            casting_vote: false,
            with_reason: false,
        };
        assert_eq!(
            invalid_field(check_decision(&base, &self_mention)),
            "mentions"
        );
        let decided = DecisionFacts {
            already_decided: true,
            ..base
        };
        assert_eq!(
            refused(check_decision(&decided, &proposal)),
            ProblemCode::DecisionExists
        );
        let changed = DecisionFacts {
            already_decided: true,
            staff_with_reason: true,
            ..base
        };
        assert!(check_decision(&changed, &proposal).is_ok());
    }
}
