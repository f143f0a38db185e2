//! The problem codes each operation may answer, beyond those of the responses every operation
//! shares (`400`, `401`, `403`, `404`, `422`…, in `error`): the one table of them, and the
//! step that writes it into the contract.
//!
//! The integration suite checks this table against what the server answers: a code answered
//! by an operation that does not list it, or listed but answered in no test, fails the suite.
use std::collections::BTreeMap;

use strum::EnumMessage;
use utoipa::openapi::{OpenApi, RefOr, path::Operation};

use crate::{
    domain::refusal::ProblemCode::{self, *},
    error::{Problem, problem_response, status_of},
};

/// `(operationId, codes)` for every operation that refuses by the state of things.
pub const OPERATION_CODES: &[(&str, &[ProblemCode])] = &[
    ("add_assignment", &[ConflictOfInterest, EditionClosed]),
    ("add_organization_admin", &[EmailUnverified, NotAnAdmin]),
    ("assign_reviewers", &[EditionClosed, NoJury]),
    (
        "break_tie",
        &[BallotNotClosed, EditionClosed, NoTie, ResultsNotPublished],
    ),
    ("cast_vote", &[AlreadyVoted, BallotNotOpen, NotEntitled]),
    ("close_ballot", &[InvalidBallotTransition]),
    (
        "confirm_shortlist",
        &[InvalidTransition, JuryComposition, NotInSelection],
    ),
    ("confirm_voter_code", &[TooManyAttempts]),
    (
        "create_application",
        &[ApplicationsClosed, TooManyApplications],
    ),
    ("create_api_token", &[TooManyTokens]),
    ("create_college", &[CollegeNameTaken, TooManyColleges]),
    ("create_edition", &[EditionNumberTaken]),
    ("create_organization", &[ShortNameTaken]),
    ("create_prize", &[EditionLocked]),
    ("create_user", &[EmailTaken]),
    ("create_webhook", &[TooManyWebhooks]),
    (
        "decide_prize",
        &[
            DecidedByBallot,
            DecisionExists,
            DecisionsClosed,
            NoRanking,
            NotTopRanked,
            OwnScorecardPending,
            PresidentConflicted,
            TieNeedsCastingVote,
        ],
    ),
    (
        "declare_conflict",
        &[ConflictAlreadyDeclared, EditionClosed, ScorecardSubmitted],
    ),
    ("delete_attachment", &[ApplicationsClosed, NotADraft]),
    ("delete_college", &[CollegeInUse]),
    ("delete_prize", &[EditionLocked]),
    ("export_rankings", &[OwnScorecardPending]),
    ("get_prize_decision", &[OwnScorecardPending]),
    ("get_rankings", &[OwnScorecardPending]),
    ("get_results", &[ResultsNotPublished]),
    ("list_receipt_hashes", &[ResultsNotPublished]),
    ("import_councillors", &[EmailTaken]),
    ("issue_token", &[InvalidCredentials]),
    ("list_scorecards", &[OwnScorecardPending]),
    ("open_ballot", &[EditionNotVoting, InvalidBallotTransition]),
    ("publish_results", &[BallotNotClosed, TieUnresolved]),
    ("refresh_session", &[InvalidRefreshToken]),
    ("remove_assignment", &[EditionClosed]),
    ("remove_jury_member", &[EditionClosed]),
    ("remove_organization_admin", &[CannotLockOutSelf]),
    ("rename_college", &[CollegeNameTaken]),
    ("reopen_application", &[ApplicationsClosed, NotSubmitted]),
    ("reopen_scorecard", &[EditionClosed, ScorecardNotSubmitted]),
    ("replace_criteria", &[EditionLocked]),
    ("request_voter_code", &[BallotNotOpen]),
    ("review_application", &[NotSubmitted, ReviewClosed]),
    (
        "save_scorecard",
        &[
            ConflictOfInterest,
            NotAssigned,
            ScorecardExists,
            ScorecardSubmitted,
            ScoringClosed,
        ],
    ),
    ("schedule_audition", &[EditionClosed, NotShortlisted]),
    ("set_application_visibility", &[EditionClosed, NotEligible]),
    ("set_ballot_window", &[BallotStarted, EditionClosed]),
    ("set_councillor", &[NotACouncillor, NotOnRoster]),
    (
        "set_jury_member",
        &[
            EditionClosed,
            EmailUnverified,
            NotAJuror,
            NotPreviousLaureate,
            SeatTaken,
        ],
    ),
    (
        "submit_application",
        &[ApplicationsClosed, EmailUnverified, NotADraft],
    ),
    (
        "submit_scorecard",
        &[
            ConflictOfInterest,
            NotAssigned,
            ScorecardSubmitted,
            ScoringClosed,
        ],
    ),
    (
        "transition_edition",
        &[
            CalendarIncomplete,
            CeremonyNotReached,
            DeadlineNotPassed,
            InvalidTransition,
            NoPrizes,
            NoShortlist,
            PrizesUndecided,
        ],
    ),
    ("update_application", &[ApplicationsClosed, NotADraft]),
    ("update_edition", &[EditionLocked, EditionNumberTaken]),
    ("update_organization", &[ShortNameTaken]),
    ("update_prize", &[EditionLocked]),
    (
        "update_user",
        &[AccountErased, CannotLockOutSelf, EmailUnverified],
    ),
    (
        "upload_attachment",
        &[
            ApplicationsClosed,
            EmailUnverified,
            NotADraft,
            TooManyAttachments,
        ],
    ),
    (
        "withdraw_application",
        &[AlreadyWithdrawn, WithdrawalClosed],
    ),
];

/// Codes only two requests racing each other can produce (the loser of a unique index, a
/// state read twice): documented, and not asked of the test suite.
pub const RACE_ONLY: &[(&str, ProblemCode)] = &[
    ("save_scorecard", ScorecardExists),
    ("import_councillors", EmailTaken),
    ("confirm_shortlist", InvalidTransition),
    ("break_tie", ResultsNotPublished),
];

/// The codes `operation_id` may answer beyond the shared ones.
pub fn codes_of(operation_id: &str) -> &'static [ProblemCode] {
    OPERATION_CODES
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, codes)| *codes)
        .unwrap_or_default()
}

/// Writes each operation's own codes into its responses: one response per status, listing
/// the codes with their meaning and restricting `Problem.code` to them.
pub fn document(openapi: &mut OpenApi) {
    crate::openapi::operations_mut(openapi).for_each(document_operation);
}

fn document_operation(operation: &mut Operation) {
    let mut by_status: BTreeMap<u16, Vec<ProblemCode>> = BTreeMap::new();
    for code in codes_of(operation.operation_id.as_deref().unwrap_or_default()) {
        by_status
            .entry(status_of(*code).as_u16())
            .or_default()
            .push(*code);
    }
    for (status, codes) in by_status {
        let meanings: Vec<String> = codes
            .iter()
            .map(|code| format!("- `{code}`: {}", meaning(*code)))
            .collect();
        let description = format!("Refused; `code` says why:\n{}", meanings.join("\n"));
        let example = Problem::example(codes[0]);
        operation.responses.responses.insert(
            status.to_string(),
            RefOr::T(problem_response(&description, &codes, example)),
        );
    }
}

/// What a code means, as its documentation in `ProblemCode` says.
fn meaning(code: ProblemCode) -> &'static str {
    code.get_documentation().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_is_an_operations_own_and_listed_once() {
        for (operation, codes) in OPERATION_CODES {
            assert_eq!(
                OPERATION_CODES
                    .iter()
                    .filter(|(id, _)| id == operation)
                    .count(),
                1,
                "{operation} is listed twice"
            );
            for code in *codes {
                assert!(!meaning(*code).is_empty(), "{code} has no documentation");
                assert!(
                    codes.iter().filter(|other| *other == code).count() == 1,
                    "{operation} lists {code} twice"
                );
            }
        }
    }
}
