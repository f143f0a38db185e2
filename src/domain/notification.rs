//! Who hears what, and when: the emails the prize sends as it goes, each of which an edition
//! may switch off.
use chrono::{Days, NaiveDate};
use serde::Serialize;

stored_state! {
    /// A kind of notification an edition sends (all of them unless switched off).
    pub enum NotificationKind {
        /// To the applicant: their application is submitted, with a summary of it.
        ApplicationSubmitted,
        /// To the applicant: the eligibility decision, with the reason when staff depart from
        /// the automatic check.
        EligibilityDecided,
        /// To each eligible applicant: on the shortlist or not.
        ShortlistDecided,
        /// To the applicant: their audition's time and place, with a calendar entry.
        AuditionScheduled,
        /// To each shortlisted applicant, and each laureate: the laureates made public, and
        /// which prize is theirs.
        LaureatesPublished,
        /// To a juror: the files given to them to score.
        FilesAssigned,
        /// To a juror with files still to score: the scoring deadline is near.
        ScoringReminder,
        /// To each councillor: the councillors' ballot is open, with the link to vote.
        BallotOpened,
    }
}

/// How many kinds there are: the most an edition can switch off.
pub const KINDS: usize = 8;

/// How many days before a round's scoring deadline jurors are reminded, unless configured.
pub const REMINDER_DAYS_BEFORE: u32 = 3;

/// Whether an edition that switched off `off` sends `kind`.
pub fn is_sent(kind: NotificationKind, off: &[NotificationKind]) -> bool {
    !off.contains(&kind)
}

/// Whether the reminder of a scoring deadline is due on `today`: from `days_before` days before
/// the deadline to the deadline day itself (a reminder after it would be no use).
pub fn reminder_due(today: NaiveDate, deadline: NaiveDate, days_before: u32) -> bool {
    deadline
        .checked_sub_days(Days::new(days_before.into()))
        .is_some_and(|from| (from..=deadline).contains(&today))
}

/// An eligibility decision as the applicant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityNotice {
    pub eligible: bool,
    /// The staff's written reason, told when their decision differs from the automatic check.
    pub reason: Option<String>,
}

/// Whether a decision departs from the automatic check (or is taken without one): staff then
/// give a written reason, and the applicant is told it.
pub fn contradicts_check(eligible: bool, automatic: Option<bool>) -> bool {
    automatic != Some(eligible)
}

/// What the applicant is told of a decision: the reason only when staff contradicted the
/// automatic check (otherwise the check's own findings speak for it).
pub fn eligibility_notice(
    eligible: bool,
    automatic: Option<bool>,
    reason: Option<&str>,
) -> EligibilityNotice {
    let contradicts = contradicts_check(eligible, automatic);
    EligibilityNotice {
        eligible,
        reason: reason.filter(|_| contradicts).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_told_when_staff_contradict_the_automatic_check() {
        let told = eligibility_notice(true, Some(false), Some("Action en cours depuis 2019."));
        assert_eq!(told.reason.as_deref(), Some("Action en cours depuis 2019."));
        assert_eq!(
            eligibility_notice(true, Some(true), Some("Conforme.")).reason,
            None
        );
        assert_eq!(
            eligibility_notice(false, None, Some("Hors région."))
                .reason
                .as_deref(),
            Some("Hors région."),
            "no automatic check to agree with"
        );
    }

    #[test]
    fn jurors_are_reminded_from_some_days_before_the_deadline_to_the_day_itself() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let deadline = day("2026-06-25");
        assert!(!reminder_due(day("2026-06-21"), deadline, 3));
        assert!(reminder_due(day("2026-06-22"), deadline, 3));
        assert!(reminder_due(day("2026-06-25"), deadline, 3));
        assert!(!reminder_due(day("2026-06-26"), deadline, 3), "too late");
        assert!(reminder_due(day("2026-06-25"), deadline, 0));
        assert!(!reminder_due(day("2026-06-24"), deadline, 0));
    }

    #[test]
    fn kinds_counts_every_kind() {
        use sea_orm::Iterable;
        assert_eq!(NotificationKind::iter().count(), KINDS);
    }

    #[test]
    fn an_edition_sends_every_kind_it_did_not_switch_off() {
        let off = [NotificationKind::ShortlistDecided];
        assert!(is_sent(NotificationKind::ApplicationSubmitted, &off));
        assert!(!is_sent(NotificationKind::ShortlistDecided, &off));
    }
}
