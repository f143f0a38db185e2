//! The steps of an application's life and when each is allowed: creating, changing,
//! withdrawing, reopening, reviewing, showing in the public gallery.
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    application::{ApplicationStatus, Eligibility, MAX_APPLICATIONS_PER_EDITION},
    calendar::{self, Calendar},
    edition::EditionStatus,
    edition_lifecycle::check_not_concluded,
    refusal::{ProblemCode, Refusal, refuse},
};

/// Where the edition stands, as the application rules see it.
pub struct EditionPhase {
    pub status: EditionStatus,
    pub calendar: Calendar,
    pub now: DateTime<Utc>,
}

impl EditionPhase {
    fn today(&self) -> NaiveDate {
        calendar::today(self.now)
    }
}

/// Applications are accepted while the edition is open for them, from the opening day to the
/// end of the deadline day (Europe/Paris).
pub fn check_accepting(phase: &EditionPhase) -> Result<(), Refusal> {
    let started = phase
        .calendar
        .applications_open_on
        .is_none_or(|opens| phase.today() >= opens);
    if phase.status == EditionStatus::ApplicationsOpen
        && started
        && !phase.calendar.deadline_passed(phase.now)
    {
        Ok(())
    } else {
        refuse(
            ProblemCode::ApplicationsClosed,
            text!("applications-closed"),
        )
    }
}

/// An applicant holds at most [`MAX_APPLICATIONS_PER_EDITION`] applications per edition, withdrawn
/// ones included.
pub fn check_room_for_another(held: u64) -> Result<(), Refusal> {
    if held >= MAX_APPLICATIONS_PER_EDITION {
        return refuse(
            ProblemCode::TooManyApplications,
            text!(
                "too-many-applications",
                max_applications_per_edition = MAX_APPLICATIONS_PER_EDITION
            ),
        );
    }
    Ok(())
}

/// Only a draft changes (content, attachments, submission).
pub fn check_draft(status: ApplicationStatus) -> Result<(), Refusal> {
    if status == ApplicationStatus::Draft {
        Ok(())
    } else {
        refuse(ProblemCode::NotADraft, text!("not-a-draft"))
    }
}

/// The applicant withdraws until the selection day, while applications are open or in
/// selection.
pub fn check_withdrawal(status: ApplicationStatus, phase: &EditionPhase) -> Result<(), Refusal> {
    if status == ApplicationStatus::Withdrawn {
        return refuse(ProblemCode::AlreadyWithdrawn, text!("already-withdrawn"));
    }
    let before_selection_day = phase
        .calendar
        .selection_on
        .is_none_or(|day| phase.today() <= day);
    let stage_allows = matches!(
        phase.status,
        EditionStatus::ApplicationsOpen | EditionStatus::Selection
    );
    if !(stage_allows && before_selection_day) {
        return refuse(ProblemCode::WithdrawalClosed, text!("withdrawal-closed"));
    }
    Ok(())
}

/// Staff send a submitted application back to draft while applications are still accepted.
pub fn check_reopening(status: ApplicationStatus, phase: &EditionPhase) -> Result<(), Refusal> {
    if status != ApplicationStatus::Submitted {
        return refuse(ProblemCode::NotSubmitted, text!("reopen-not-submitted"));
    }
    check_accepting(phase)
}

/// Staff review the eligibility of submitted applications, while applications are open and during
/// the selection: the shortlist and the prizes' pools are drawn from it afterwards.
pub fn check_reviewable(status: ApplicationStatus, edition: EditionStatus) -> Result<(), Refusal> {
    if status != ApplicationStatus::Submitted {
        return refuse(ProblemCode::NotSubmitted, text!("review-not-submitted"));
    }
    if !matches!(
        edition,
        EditionStatus::ApplicationsOpen | EditionStatus::Selection
    ) {
        return refuse(ProblemCode::ReviewClosed, text!("review-closed"));
    }
    Ok(())
}

/// Only submitted applications reviewed as eligible appear in the public gallery; it no longer
/// changes once the results are published.
pub fn check_visibility_change(
    status: ApplicationStatus,
    eligibility: Eligibility,
    edition: EditionStatus,
    public: bool,
) -> Result<(), Refusal> {
    check_not_concluded(edition)?;
    let publishable =
        status == ApplicationStatus::Submitted && eligibility == Eligibility::Eligible;
    if public && !publishable {
        return refuse(ProblemCode::NotEligible, text!("not-eligible"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sixth_edition() -> Calendar {
        Calendar {
            applications_open_on: Some("2026-03-02".parse().unwrap()),
            applications_deadline: Some("2026-06-08".parse().unwrap()),
            selection_on: Some("2026-07-06".parse().unwrap()),
            audition_on: Some("2026-10-12".parse().unwrap()),
            ceremony_on: Some("2026-12-14".parse().unwrap()),
        }
    }

    fn phase(status: EditionStatus, calendar: &Calendar, now: &str) -> EditionPhase {
        EditionPhase {
            status,
            calendar: calendar.clone(),
            now: now.parse().unwrap(),
        }
    }

    fn code<T: std::fmt::Debug>(result: Result<T, Refusal>) -> ProblemCode {
        result.unwrap_err().code
    }

    #[test]
    fn applications_are_accepted_from_the_opening_day_to_the_end_of_the_deadline_day() {
        let calendar = sixth_edition();
        let open = EditionStatus::ApplicationsOpen;
        // Paris is UTC+1 on 2 March: the opening day starts at 23:00 UTC the day before.
        assert!(check_accepting(&phase(open, &calendar, "2026-03-01T23:00:00Z")).is_ok());
        assert_eq!(
            code(check_accepting(&phase(
                open,
                &calendar,
                "2026-03-01T22:59:59Z"
            ))),
            ProblemCode::ApplicationsClosed
        );
        assert!(check_accepting(&phase(open, &calendar, "2026-06-08T21:59:59Z")).is_ok());
        assert_eq!(
            code(check_accepting(&phase(
                open,
                &calendar,
                "2026-06-08T22:00:00Z"
            ))),
            ProblemCode::ApplicationsClosed
        );
        assert_eq!(
            code(check_accepting(&phase(
                EditionStatus::Draft,
                &calendar,
                "2026-04-01T00:00:00Z"
            ))),
            ProblemCode::ApplicationsClosed
        );
    }

    #[test]
    fn an_applicant_holds_a_bounded_number_of_applications() {
        assert!(check_room_for_another(MAX_APPLICATIONS_PER_EDITION - 1).is_ok());
        assert_eq!(
            code(check_room_for_another(MAX_APPLICATIONS_PER_EDITION)),
            ProblemCode::TooManyApplications
        );
    }

    #[test]
    fn only_a_draft_changes() {
        assert!(check_draft(ApplicationStatus::Draft).is_ok());
        for status in [ApplicationStatus::Submitted, ApplicationStatus::Withdrawn] {
            assert_eq!(code(check_draft(status)), ProblemCode::NotADraft);
        }
    }

    #[test]
    fn withdrawal_is_possible_until_the_selection_day() {
        let calendar = sixth_edition();
        let submitted = ApplicationStatus::Submitted;
        let selection = EditionStatus::Selection;
        assert!(
            check_withdrawal(
                submitted,
                &phase(selection, &calendar, "2026-07-06T12:00:00Z")
            )
            .is_ok()
        );
        assert_eq!(
            code(check_withdrawal(
                submitted,
                &phase(selection, &calendar, "2026-07-06T22:00:00Z")
            )),
            ProblemCode::WithdrawalClosed
        );
        assert_eq!(
            code(check_withdrawal(
                submitted,
                &phase(EditionStatus::Audition, &calendar, "2026-07-01T00:00:00Z")
            )),
            ProblemCode::WithdrawalClosed
        );
        assert_eq!(
            code(check_withdrawal(
                ApplicationStatus::Withdrawn,
                &phase(selection, &calendar, "2026-07-01T00:00:00Z")
            )),
            ProblemCode::AlreadyWithdrawn
        );
    }

    #[test]
    fn reopening_needs_a_submitted_file_and_an_open_application_phase() {
        let calendar = sixth_edition();
        let open = phase(
            EditionStatus::ApplicationsOpen,
            &calendar,
            "2026-05-01T00:00:00Z",
        );
        assert!(check_reopening(ApplicationStatus::Submitted, &open).is_ok());
        assert_eq!(
            code(check_reopening(ApplicationStatus::Draft, &open)),
            ProblemCode::NotSubmitted
        );
        let late = phase(EditionStatus::Selection, &calendar, "2026-06-20T00:00:00Z");
        assert_eq!(
            code(check_reopening(ApplicationStatus::Submitted, &late)),
            ProblemCode::ApplicationsClosed
        );
    }

    #[test]
    fn review_and_gallery_need_a_submitted_file_in_time() {
        let selection = EditionStatus::Selection;
        let submitted = ApplicationStatus::Submitted;
        assert!(check_reviewable(submitted, selection).is_ok());
        assert!(check_reviewable(submitted, EditionStatus::ApplicationsOpen).is_ok());
        assert_eq!(
            code(check_reviewable(ApplicationStatus::Draft, selection)),
            ProblemCode::NotSubmitted
        );
        for late in [EditionStatus::Audition, EditionStatus::Archived] {
            assert_eq!(
                code(check_reviewable(submitted, late)),
                ProblemCode::ReviewClosed
            );
        }
        let publish =
            |status, eligibility| check_visibility_change(status, eligibility, selection, true);
        assert!(publish(submitted, Eligibility::Eligible).is_ok());
        for (status, eligibility) in [
            (submitted, Eligibility::Pending),
            (submitted, Eligibility::Ineligible),
            (ApplicationStatus::Withdrawn, Eligibility::Eligible),
        ] {
            assert_eq!(code(publish(status, eligibility)), ProblemCode::NotEligible);
        }
        let hidden = check_visibility_change(
            ApplicationStatus::Draft,
            Eligibility::Pending,
            selection,
            false,
        );
        assert!(hidden.is_ok());
        let archived = EditionStatus::Archived;
        assert_eq!(
            code(check_visibility_change(
                submitted,
                Eligibility::Eligible,
                archived,
                false
            )),
            ProblemCode::EditionClosed
        );
    }
}
