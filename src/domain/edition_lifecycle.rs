//! An edition's lifecycle: the guards on each step, and what stays once the results are out.
use chrono::{DateTime, Utc};

use super::{
    calendar::Calendar,
    edition::EditionStatus,
    refusal::{ProblemCode, Refusal, refuse},
    text::{Arg, Text},
    validation::{FieldError, is_hidden_character},
};

/// A written reason, required to force a guard or contradict an automatic check.
pub fn parse_reason(raw: &str) -> Result<String, FieldError> {
    let reason = raw.trim();
    // Line breaks and tabs are writing; other control and invisible characters (NUL,
    // zero-width spaces, direction marks…) say nothing, and a reason says something.
    if reason
        .chars()
        .any(|c| is_hidden_character(c) && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-no-control-characters"),
        ));
    }
    super::validation::check_length(reason, 10, 2000)?;
    if !reason.chars().any(char::is_alphanumeric) {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-must-say-something-letters-or"),
        ));
    }
    Ok(reason.to_owned())
}

/// What the guards of a transition look at.
pub struct EditionFacts<'a> {
    pub status: EditionStatus,
    pub calendar: &'a Calendar,
    pub criteria: usize,
    pub prizes: usize,
    /// Applications confirmed on the shortlist.
    pub shortlisted: usize,
    /// Departures from the jury composition rule.
    pub jury_findings: Vec<Text>,
    pub now: DateTime<Utc>,
}

/// Checks a move from `facts.status` to `to`. `forced` is the written reason given to force
/// a guard that allows it (leaving the application phase before the deadline).
pub fn check_transition(
    facts: &EditionFacts<'_>,
    to: EditionStatus,
    forced: bool,
) -> Result<(), Refusal> {
    if facts.status.next() != Some(to) {
        return refuse(
            ProblemCode::InvalidTransition,
            text!(
                "invalid-transition",
                status = facts.status.as_str(),
                to = to.as_str()
            ),
        );
    }
    match to {
        EditionStatus::ApplicationsOpen => {
            let missing = facts.calendar.missing();
            if !missing.is_empty() {
                return refuse(
                    ProblemCode::CalendarIncomplete,
                    text!("calendar-incomplete", missing = missing.join(", ")),
                );
            }
            if let Err(error) = facts.calendar.check_order() {
                return refuse(
                    ProblemCode::CalendarOutOfOrder,
                    text!(
                        "calendar-out-of-order",
                        field = error.field,
                        message = error.message
                    ),
                );
            }
            if facts.criteria == 0 {
                return refuse(ProblemCode::NoCriteria, text!("no-criteria"));
            }
            if facts.prizes == 0 {
                return refuse(ProblemCode::NoPrizes, text!("no-prizes"));
            }
            Ok(())
        }
        EditionStatus::Selection if !facts.calendar.deadline_passed(facts.now) && !forced => {
            refuse(ProblemCode::DeadlineNotPassed, text!("deadline-not-passed"))
        }
        EditionStatus::Ceremony if !facts.calendar.ceremony_day_reached(facts.now) && !forced => {
            refuse(
                ProblemCode::CeremonyNotReached,
                text!("ceremony-not-reached"),
            )
        }
        EditionStatus::Audition if facts.shortlisted == 0 && !forced => {
            refuse(ProblemCode::NoShortlist, text!("no-shortlist"))
        }
        EditionStatus::Audition if !facts.jury_findings.is_empty() && !forced => refuse(
            ProblemCode::JuryComposition,
            text!(
                "jury-composition",
                jury_findings = Arg::List(facts.jury_findings.clone())
            ),
        ),
        _ => Ok(()),
    }
}

/// Where a prize's ballot stands when the results are to be published.
pub struct BallotOutcome<'a> {
    pub state: super::ballot::BallotState,
    /// The candidates sharing the most votes (none before a count).
    pub leaders: &'a [uuid::Uuid],
    /// The candidate a recorded decision chose among tied leaders.
    pub tie_broken: bool,
}

/// Whether a prize is settled: a recorded decision, or a ballot closed (or published) with no
/// unresolved tie for first place. A ballot nobody voted in is settled with no laureate.
pub fn is_settled(decided: bool, ballot: Option<BallotOutcome<'_>>) -> bool {
    use super::ballot::BallotState::{Closed, Published};
    decided
        || ballot.is_some_and(|ballot| {
            matches!(ballot.state, Closed | Published)
                && (ballot.leaders.len() < 2 || ballot.tie_broken)
        })
}

/// The results are published once every prize is settled (`is_settled`); `undecided` names the
/// prizes that are not.
pub fn check_results_complete(undecided: &[String]) -> Result<(), Refusal> {
    if !undecided.is_empty() {
        return refuse(
            ProblemCode::PrizesUndecided,
            text!("prizes-undecided", undecided = undecided.join(", ")),
        );
    }
    Ok(())
}

/// Entering one of these stages ends the voting: the edition's ballots still scheduled or
/// open close then, and take no vote after.
pub fn ends_voting(to: EditionStatus) -> bool {
    to >= EditionStatus::ResultsPublished
}

/// Once the results are published, what the edition decided stays as it was: its applications'
/// review and visibility, its auditions, its ballots.
pub fn check_not_concluded(status: EditionStatus) -> Result<(), Refusal> {
    if status >= EditionStatus::ResultsPublished {
        return refuse(ProblemCode::EditionClosed, text!("edition-closed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prize_is_settled_once_decided_or_its_ballot_closed_without_an_open_tie() {
        use crate::domain::ballot::BallotState::{self, *};
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let outcome = |state: BallotState, leaders: &[uuid::Uuid], tie_broken: bool| {
            is_settled(
                false,
                Some(BallotOutcome {
                    state,
                    leaders,
                    tie_broken,
                }),
            )
        };
        assert!(is_settled(true, None));
        assert!(!is_settled(false, None));
        assert!(outcome(Closed, &[a], false));
        assert!(outcome(Published, &[a], false));
        assert!(!outcome(Open, &[a], false));
        assert!(!outcome(Scheduled, &[a], false));
        assert!(!outcome(Closed, &[a, b], false));
        assert!(outcome(Closed, &[a, b], true));
        // Nobody voted: no leader, nothing to resolve, no laureate.
        assert!(outcome(Closed, &[], false));
        assert_eq!(
            check_results_complete(&["Prix du jury".into()])
                .unwrap_err()
                .code,
            ProblemCode::PrizesUndecided
        );
        assert!(check_results_complete(&[]).is_ok());
    }

    #[test]
    fn publishing_the_results_ends_the_voting() {
        assert!(!ends_voting(EditionStatus::Ceremony));
        assert!(ends_voting(EditionStatus::ResultsPublished));
        assert!(ends_voting(EditionStatus::Archived));
    }

    fn complete_calendar() -> Calendar {
        Calendar {
            applications_open_on: "2026-03-31".parse().ok(),
            applications_deadline: "2026-06-08".parse().ok(),
            selection_on: "2026-06-25".parse().ok(),
            audition_on: "2026-11-04".parse().ok(),
            ceremony_on: "2026-12-14".parse().ok(),
        }
    }

    fn facts<'a>(status: EditionStatus, calendar: &'a Calendar, now: &str) -> EditionFacts<'a> {
        EditionFacts {
            status,
            calendar,
            criteria: 5,
            prizes: 3,
            shortlisted: 5,
            jury_findings: vec![],
            now: now.parse().unwrap(),
        }
    }

    #[test]
    fn statuses_move_one_step_forward_only() {
        let calendar = complete_calendar();
        let draft = facts(EditionStatus::Draft, &calendar, "2026-03-01T00:00:00Z");
        assert!(check_transition(&draft, EditionStatus::ApplicationsOpen, false).is_ok());
        assert_eq!(
            check_transition(&draft, EditionStatus::Selection, false)
                .unwrap_err()
                .code,
            ProblemCode::InvalidTransition
        );
        let archived = facts(EditionStatus::Archived, &calendar, "2027-01-01T00:00:00Z");
        assert_eq!(
            check_transition(&archived, EditionStatus::Draft, true)
                .unwrap_err()
                .code,
            ProblemCode::InvalidTransition
        );
        assert_eq!(
            EditionStatus::ResultsPublished.next(),
            Some(EditionStatus::Archived)
        );
    }

    #[test]
    fn opening_needs_a_complete_calendar_criteria_and_prizes() {
        let mut calendar = complete_calendar();
        calendar.ceremony_on = None;
        let refusal = check_transition(
            &facts(EditionStatus::Draft, &calendar, "2026-03-01T00:00:00Z"),
            EditionStatus::ApplicationsOpen,
            false,
        );
        assert_eq!(refusal.unwrap_err().code, ProblemCode::CalendarIncomplete);
        let calendar = complete_calendar();
        let mut no_criteria = facts(EditionStatus::Draft, &calendar, "2026-03-01T00:00:00Z");
        no_criteria.criteria = 0;
        assert_eq!(
            check_transition(&no_criteria, EditionStatus::ApplicationsOpen, false)
                .unwrap_err()
                .code,
            ProblemCode::NoCriteria
        );
        no_criteria.criteria = 5;
        no_criteria.prizes = 0;
        assert_eq!(
            check_transition(&no_criteria, EditionStatus::ApplicationsOpen, false)
                .unwrap_err()
                .code,
            ProblemCode::NoPrizes
        );
    }

    #[test]
    fn leaving_applications_before_the_deadline_needs_force() {
        let calendar = complete_calendar();
        let before = facts(
            EditionStatus::ApplicationsOpen,
            &calendar,
            "2026-06-08T21:59:59Z",
        );
        assert_eq!(
            check_transition(&before, EditionStatus::Selection, false)
                .unwrap_err()
                .code,
            ProblemCode::DeadlineNotPassed
        );
        assert!(check_transition(&before, EditionStatus::Selection, true).is_ok());
        let after = facts(
            EditionStatus::ApplicationsOpen,
            &calendar,
            "2026-06-08T22:00:00Z",
        );
        assert!(check_transition(&after, EditionStatus::Selection, false).is_ok());
    }

    #[test]
    fn a_reason_says_something_visible() {
        assert!(parse_reason("Le bureau avance la sélection.\nVoir le compte rendu.").is_ok());
        for blank in [
            "\u{200b}".repeat(12),
            "\u{ad}".repeat(12),
            "\u{202e}abcdefghijk".to_owned(),
            "\u{2800}".repeat(12),
            "\u{301}".repeat(12),
            "..........".to_owned(),
        ] {
            assert_eq!(
                parse_reason(&blank).unwrap_err().code,
                "invalid_format",
                "{blank:?}"
            );
        }
    }

    #[test]
    fn the_ceremony_stage_waits_for_its_day_or_a_reason() {
        // The 6th edition's ceremony is on 2026-12-14: that day begins at 23:00 UTC the day before.
        let calendar = complete_calendar();
        let eve = facts(EditionStatus::Audition, &calendar, "2026-12-13T22:59:59Z");
        assert_eq!(
            check_transition(&eve, EditionStatus::Ceremony, false)
                .unwrap_err()
                .code,
            ProblemCode::CeremonyNotReached
        );
        assert!(check_transition(&eve, EditionStatus::Ceremony, true).is_ok());
        let day = facts(EditionStatus::Audition, &calendar, "2026-12-13T23:00:00Z");
        assert!(check_transition(&day, EditionStatus::Ceremony, false).is_ok());
    }

    #[test]
    fn auditions_need_a_shortlist_and_a_jury_by_the_rule_or_a_reason() {
        let calendar = complete_calendar();
        let mut selection = facts(EditionStatus::Selection, &calendar, "2026-07-01T00:00:00Z");
        assert!(check_transition(&selection, EditionStatus::Audition, false).is_ok());
        selection.jury_findings = vec![text!("composition-no-councillor")];
        assert_eq!(
            check_transition(&selection, EditionStatus::Audition, false)
                .unwrap_err()
                .code,
            ProblemCode::JuryComposition
        );
        assert!(check_transition(&selection, EditionStatus::Audition, true).is_ok());
        selection.shortlisted = 0;
        assert_eq!(
            check_transition(&selection, EditionStatus::Audition, false)
                .unwrap_err()
                .code,
            ProblemCode::NoShortlist
        );
    }

    #[test]
    fn reasons_must_say_something() {
        assert!(parse_reason("   ").is_err());
        assert!(parse_reason("too short").is_err());
        assert!(parse_reason(&"\u{0}".repeat(20)).is_err());
        assert!(parse_reason("Premier motif.\nSecond motif.").is_ok());
        assert_eq!(
            parse_reason("  Le jury a besoin de plus de temps. ").unwrap(),
            "Le jury a besoin de plus de temps."
        );
    }
}
