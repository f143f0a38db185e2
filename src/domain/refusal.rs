//! The codes the API answers with, and the typed refusal every rule of the prize returns.
//!
//! A rule is a pure function over a facts struct returning `Result<_, Refusal>`; the service
//! that gathered the facts turns the refusal into a `409` problem document. The contract lists
//! [`ProblemCode`] as the enum of `Problem.code`, and each operation the codes it may answer.
use serde::Serialize;
use utoipa::ToSchema;

use super::{text::Text, validation::FieldError};

/// Stable machine-readable code of a problem document (`Problem.code`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumString,
    strum::EnumMessage,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProblemCode {
    // What HTTP itself refuses, whatever the operation.
    /// No resource exists at this address (or it is not visible to the caller).
    NotFound,
    /// The resource does not support this method; see `Allow`.
    MethodNotAllowed,
    /// The body or the query is not well-formed.
    MalformedRequest,
    /// The body is not sent with a supported media type.
    UnsupportedMediaType,
    /// The body is larger than the operation accepts.
    PayloadTooLarge,
    /// Fields are invalid, each listed in `errors`.
    ValidationFailed,
    /// The operation needs a bearer token.
    AuthenticationRequired,
    /// The bearer token is invalid or expired.
    InvalidToken,
    /// Email or password is incorrect (the two are not told apart).
    InvalidCredentials,
    /// The refresh token is invalid, expired, revoked or already used.
    InvalidRefreshToken,
    /// The caller's roles do not allow this operation.
    Forbidden,
    /// Too many requests; see `Retry-After`.
    RateLimited,
    /// A dependency (the database) is not answering.
    ServiceUnavailable,
    /// Unexpected server error; details are logged, never returned.
    InternalError,
    // Accounts and organizations.
    /// An account with this email already exists.
    EmailTaken,
    /// The account has not confirmed its email address yet.
    EmailUnverified,
    /// Staff cannot remove their own admin role or disable their own account.
    CannotLockOutSelf,
    /// An erased account stays as its erasure left it: no name, no roles, no way back.
    AccountErased,
    /// Only accounts holding the admin role can join an organization's staff.
    NotAnAdmin,
    /// Another organization has this short name.
    ShortNameTaken,
    /// The person is not on the organization's roster of councillors.
    NotOnRoster,
    // Editions and their lifecycle.
    /// The organization already has an edition with this number.
    EditionNumberTaken,
    /// The edition's settings change only while it is a draft (its title, theme and calendar
    /// also while applications are open).
    EditionLocked,
    /// The edition cannot move to that status from its current one.
    InvalidTransition,
    /// The edition's results are published: its applications, auditions and ballots no longer change.
    EditionClosed,
    /// Applications cannot open before the calendar is complete.
    CalendarIncomplete,
    /// The calendar's dates are not in order.
    CalendarOutOfOrder,
    /// Applications cannot open without selection criteria.
    NoCriteria,
    /// Applications cannot open without a prize.
    NoPrizes,
    /// The application deadline has not passed (force it with a written reason).
    DeadlineNotPassed,
    /// No shortlist is confirmed (force it with a written reason).
    NoShortlist,
    /// The jury departs from the composition rule (give a written reason).
    JuryComposition,
    // Applications.
    /// The edition is not accepting applications.
    ApplicationsClosed,
    /// The applicant already has the most applications allowed in this edition.
    TooManyApplications,
    /// The application already has the most attachments allowed.
    TooManyAttachments,
    /// The account already has the most live API tokens allowed: revoke one first.
    TooManyTokens,
    /// The organization already has the most webhooks allowed: delete one first.
    TooManyWebhooks,
    /// The organization already has the most colleges allowed.
    TooManyColleges,
    /// Councillors are in this college or invited to it: move them first.
    CollegeInUse,
    /// The organization already has a college of this name.
    CollegeNameTaken,
    /// The ceremony day has not come (give a written reason to move to it earlier).
    CeremonyNotReached,
    /// A prize is not settled: decide it, or close its ballot and resolve any tie.
    PrizesUndecided,
    /// Only a draft application can be changed or submitted.
    NotADraft,
    /// The application has not been submitted.
    NotSubmitted,
    /// Only a submitted application reviewed as eligible can be made public.
    NotEligible,
    /// The application is already withdrawn.
    AlreadyWithdrawn,
    /// Applications can no longer be withdrawn at this stage of the edition.
    WithdrawalClosed,
    /// Eligibility is reviewed while applications are open and during the selection.
    ReviewClosed,
    // The jury: seats, conflicts, scoring, shortlist, decisions.
    /// Only enabled, verified accounts holding the jury role sit on a jury.
    NotAJuror,
    /// The seat is held by another member: one president, one youth president.
    SeatTaken,
    /// The member marked as the previous edition's laureate is not one of its laureates.
    NotPreviousLaureate,
    /// The edition has no jury seated.
    NoJury,
    /// This conflict of interest is already recorded.
    ConflictAlreadyDeclared,
    /// The juror has a declared conflict of interest with this application.
    ConflictOfInterest,
    /// The application is not assigned to this juror.
    NotAssigned,
    /// The voter is not entitled to vote in this ballot.
    NotEntitled,
    /// The edition is not in a scoring round.
    ScoringClosed,
    /// The juror already has a scorecard for this application and round.
    ScorecardExists,
    /// The scorecard is submitted and can no longer change.
    ScorecardSubmitted,
    /// The scorecard has not been submitted.
    ScorecardNotSubmitted,
    /// Submit your own scorecards before reading the others'.
    OwnScorecardPending,
    /// The shortlist can change only while the edition is in selection.
    NotInSelection,
    /// The application is not on the shortlist.
    NotShortlisted,
    /// No scorecard of the round is submitted: there is no ranking yet.
    NoRanking,
    /// Prizes can be decided only at the decision stage of the edition.
    DecisionsClosed,
    /// The prize is already decided.
    DecisionExists,
    /// This prize is decided by a ballot, not by the jury.
    DecidedByBallot,
    /// The candidate is not at the top of the audition ranking.
    NotTopRanked,
    /// The ranking is tied: the president's casting vote is needed.
    TieNeedsCastingVote,
    /// The jury's president has a conflict of interest with a tied candidate.
    PresidentConflicted,
    // Ballots and votes.
    /// The councillors' ballot opens at the ceremony; the public ballot from the auditions to
    /// the ceremony.
    EditionNotVoting,
    /// The ballot cannot take that step from its current state.
    InvalidBallotTransition,
    /// The ballot has started: its settings can no longer change.
    BallotStarted,
    /// The ballot is not open.
    BallotNotOpen,
    /// The ballot is not closed yet.
    BallotNotClosed,
    /// The ballot's result is not tied: there is nothing to break.
    NoTie,
    /// The ballot is tied: break the tie before publishing.
    TieUnresolved,
    /// The results are not published yet.
    ResultsNotPublished,
    /// The account is not a councillor of this organization.
    NotACouncillor,
    /// This voter has already voted in this ballot.
    AlreadyVoted,
    /// Too many wrong codes: ask for a new one.
    TooManyAttempts,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Why a rule refused: a stable code and an explanation for people, in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ProblemCode,
    pub detail: Text,
}

/// What a rule that also checks the request's fields answers when it says no.
#[derive(Debug, Clone, PartialEq)]
pub enum Denial {
    /// Refused by the state of things.
    Refused(Refusal),
    /// A field of the request cannot be.
    Invalid(FieldError),
}

impl From<Refusal> for Denial {
    fn from(refusal: Refusal) -> Self {
        Denial::Refused(refusal)
    }
}

impl From<FieldError> for Denial {
    fn from(error: FieldError) -> Self {
        Denial::Invalid(error)
    }
}

impl Refusal {
    pub fn new(code: ProblemCode, detail: Text) -> Self {
        Refusal { code, detail }
    }
}

/// Refuses with `code`: the one way a rule says no.
pub fn refuse<T>(code: ProblemCode, detail: Text) -> Result<T, Refusal> {
    Err(Refusal::new(code, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn codes_on_the_wire_are_snake_case_and_parse_back() {
        for code in ProblemCode::iter() {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(code.as_str().parse::<ProblemCode>().unwrap(), code);
        }
        assert_eq!(ProblemCode::TooManyAttempts.as_str(), "too_many_attempts");
    }
}
