//! The jury of an edition and the Prix du CESER rule for its composition.
use std::collections::BTreeSet;

use super::{
    refusal::{ProblemCode, Refusal, refuse},
    text::Text,
};

stored_state! {
    pub enum Seat {
        /// A councillor of the organizer.
        Councillor,
        /// The organizer's president (casting vote on ties).
        President,
        /// The president of the youth CESER (CESER des jeunes).
        YouthPresident,
        /// A qualified external personality.
        QualifiedPersonality,
    }
}

/// One departure from the composition rule: a stable code, and what to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositionFinding {
    pub code: &'static str,
    pub message: Text,
}

/// The Prix du CESER rule: councillors, exactly one president, the youth president, and
/// three qualified personalities of whom one is the previous edition's laureate.
pub fn composition_findings(members: &[(Seat, bool)]) -> Vec<CompositionFinding> {
    let count = |seat: Seat| members.iter().filter(|(s, _)| *s == seat).count();
    let mut findings = Vec::new();
    let mut expect = |code: &'static str, found: usize, expected: usize, what: Text| {
        if found != expected {
            findings.push(CompositionFinding {
                code,
                message: text!("composition-count", what, expected, found),
            });
        }
    };
    expect(
        "president",
        count(Seat::President),
        1,
        text!("composition-president"),
    );
    expect(
        "youth_president",
        count(Seat::YouthPresident),
        1,
        text!("composition-youth-president"),
    );
    expect(
        "qualified_personalities",
        count(Seat::QualifiedPersonality),
        3,
        text!("composition-qualified-personalities"),
    );
    let laureates = members
        .iter()
        .filter(|(seat, laureate)| *seat == Seat::QualifiedPersonality && *laureate)
        .count();
    expect(
        "previous_laureate",
        laureates,
        1,
        text!("composition-previous-laureate"),
    );
    if count(Seat::Councillor) == 0 {
        findings.push(CompositionFinding {
            code: "councillors",
            message: text!("composition-no-councillor"),
        });
    }
    if members
        .iter()
        .any(|(seat, laureate)| *laureate && *seat != Seat::QualifiedPersonality)
    {
        findings.push(CompositionFinding {
            code: "laureate_seat",
            message: text!("composition-laureate-seat"),
        });
    }
    findings
}

/// Whether a juror may see the other jurors' scores or their aggregates for a round: only
/// once they have submitted every card they owe for that round, so that their own judgement is
/// formed first. A juror who owes no card this round sees none either.
pub fn check_may_see_others_scores<T: Ord>(
    owed: &BTreeSet<T>,
    submitted: &BTreeSet<T>,
) -> Result<(), Refusal> {
    if owed.is_empty() || !owed.is_subset(submitted) {
        return refuse(
            ProblemCode::OwnScorecardPending,
            text!("own-scorecard-pending"),
        );
    }
    Ok(())
}

/// Who may record a conflict of interest on an application once the juror's card on it is submitted:
/// staff only, with their reason, since it withdraws a locked card from the aggregates.
pub fn check_conflict_declaration(
    card_submitted: bool,
    recorded_by_staff: bool,
) -> Result<(), Refusal> {
    if card_submitted && !recorded_by_staff {
        return refuse(
            ProblemCode::ScorecardSubmitted,
            text!("conflict-after-scorecard"),
        );
    }
    Ok(())
}

/// A seat goes to an enabled account holding the jury role.
pub fn check_seat_holder(holds_jury_role: bool) -> Result<(), Refusal> {
    if !holds_jury_role {
        return refuse(ProblemCode::NotAJuror, text!("not-a-juror"));
    }
    Ok(())
}

/// The previous edition, as far as the jury rule needs it: its number and, once its results
/// are published, who its laureates are.
pub struct PreviousEdition {
    pub number: i32,
    /// `None` while its results are not published.
    pub laureates: Option<Vec<LaureateContact>>,
}

/// A laureate application's people: the account that applied, the contact address given.
pub struct LaureateContact {
    pub applicant: Option<uuid::Uuid>,
    pub contact_email: Option<String>,
}

/// A member marked as the previous edition's laureate sits as a qualified personality and, once
/// that edition's results are published, is one of its laureates: the account that applied for
/// one, or the holder of the contact address one gave.
pub fn check_previous_laureate(
    account: uuid::Uuid,
    email: &str,
    seat: Seat,
    previous: Option<&PreviousEdition>,
) -> Result<(), Refusal> {
    if seat != Seat::QualifiedPersonality {
        return refuse(
            ProblemCode::NotPreviousLaureate,
            text!("previous-laureate-seat"),
        );
    }
    let Some(PreviousEdition {
        number,
        laureates: Some(laureates),
    }) = previous
    else {
        return Ok(());
    };
    let is_laureate = laureates.iter().any(|laureate| {
        laureate.applicant == Some(account)
            || laureate
                .contact_email
                .as_deref()
                .is_some_and(|contact| contact.eq_ignore_ascii_case(email))
    });
    if !is_laureate {
        return refuse(
            ProblemCode::NotPreviousLaureate,
            text!("not-a-previous-laureate", number),
        );
    }
    Ok(())
}

/// The president's and the youth president's seats are held by one member each.
pub fn check_seat_available(seat: Seat, held_by_another: bool) -> Result<(), Refusal> {
    if held_by_another && matches!(seat, Seat::President | Seat::YouthPresident) {
        return refuse(ProblemCode::SeatTaken, text!("seat-taken", seat));
    }
    Ok(())
}

/// Reviewers are drawn from a seated jury, never from members conflicted on the application.
pub fn check_assignment(jury_size: usize, conflicted: bool) -> Result<(), Refusal> {
    if jury_size == 0 {
        return refuse(ProblemCode::NoJury, text!("no-jury"));
    }
    if conflicted {
        return refuse(ProblemCode::ConflictOfInterest, text!("member-conflicted"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_laureate_is_checked_against_that_edition_s_laureates_once_published() {
        let (laureate, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let fifth = PreviousEdition {
            number: 5,
            laureates: Some(vec![
                LaureateContact {
                    applicant: Some(laureate),
                    contact_email: None,
                },
                LaureateContact {
                    applicant: None,
                    contact_email: Some("Contact@Solivet.example".into()),
                },
            ]),
        };
        let qualified = Seat::QualifiedPersonality;
        let check = |account, email: &str, seat, previous: Option<&PreviousEdition>| {
            check_previous_laureate(account, email, seat, previous).map_err(|refusal| refusal.code)
        };
        let refused = Err(ProblemCode::NotPreviousLaureate);
        assert!(check(laureate, "a@example.org", qualified, Some(&fifth)).is_ok());
        // The contact address of a laureate applied for without an account.
        assert!(check(other, "contact@solivet.example", qualified, Some(&fifth)).is_ok());
        assert_eq!(
            check(other, "b@example.org", qualified, Some(&fifth)),
            refused
        );
        assert_eq!(
            check(laureate, "a@example.org", Seat::Councillor, Some(&fifth)),
            refused
        );
        // Published without any laureate: nobody is its laureate.
        let none = PreviousEdition {
            number: 5,
            laureates: Some(vec![]),
        };
        assert_eq!(
            check(laureate, "a@example.org", qualified, Some(&none)),
            refused
        );
        // No previous edition, or its results not out yet: the organizer's word stands.
        assert!(check(other, "b@example.org", qualified, None).is_ok());
        let running = PreviousEdition {
            number: 5,
            laureates: None,
        };
        assert!(check(other, "b@example.org", qualified, Some(&running)).is_ok());
    }

    fn refused<T: std::fmt::Debug>(result: Result<T, Refusal>) -> ProblemCode {
        result.unwrap_err().code
    }

    #[test]
    fn others_scores_wait_for_all_of_ones_own_cards() {
        let owed = BTreeSet::from([1, 2]);
        let pending = ProblemCode::OwnScorecardPending;
        assert_eq!(
            refused(check_may_see_others_scores(&owed, &BTreeSet::new())),
            pending
        );
        assert_eq!(
            refused(check_may_see_others_scores(&owed, &BTreeSet::from([1]))),
            pending
        );
        assert!(check_may_see_others_scores(&owed, &BTreeSet::from([1, 2, 3])).is_ok());
        // The president with no card of their own sees nothing.
        let nothing_owed = BTreeSet::<i32>::new();
        assert_eq!(
            refused(check_may_see_others_scores(
                &nothing_owed,
                &BTreeSet::from([1])
            )),
            pending
        );
    }

    #[test]
    fn a_conflict_on_a_submitted_card_is_for_staff_to_record() {
        assert_eq!(
            refused(check_conflict_declaration(true, false)),
            ProblemCode::ScorecardSubmitted
        );
        assert!(check_conflict_declaration(true, true).is_ok());
        assert!(check_conflict_declaration(false, false).is_ok());
    }

    #[test]
    fn one_president_and_one_youth_president() {
        assert!(check_seat_available(Seat::President, false).is_ok());
        assert!(check_seat_available(Seat::Councillor, true).is_ok());
        assert!(check_seat_available(Seat::QualifiedPersonality, true).is_ok());
        for seat in [Seat::President, Seat::YouthPresident] {
            assert_eq!(
                refused(check_seat_available(seat, true)),
                ProblemCode::SeatTaken
            );
        }
    }

    #[test]
    fn seats_and_reviews_go_to_jurors_without_conflict() {
        assert!(check_seat_holder(true).is_ok());
        assert_eq!(refused(check_seat_holder(false)), ProblemCode::NotAJuror);
        assert!(check_assignment(7, false).is_ok());
        assert_eq!(refused(check_assignment(0, false)), ProblemCode::NoJury);
        assert_eq!(
            refused(check_assignment(7, true)),
            ProblemCode::ConflictOfInterest
        );
    }

    fn prix_du_ceser() -> Vec<(Seat, bool)> {
        vec![
            (Seat::President, false),
            (Seat::YouthPresident, false),
            (Seat::QualifiedPersonality, true),
            (Seat::QualifiedPersonality, false),
            (Seat::QualifiedPersonality, false),
            (Seat::Councillor, false),
            (Seat::Councillor, false),
        ]
    }

    #[test]
    fn the_rule_of_the_prix_du_ceser_is_met() {
        assert!(composition_findings(&prix_du_ceser()).is_empty());
    }

    #[test]
    fn each_departure_is_reported() {
        let mut jury = prix_du_ceser();
        jury.push((Seat::President, false));
        jury.retain(|(seat, laureate)| !(*seat == Seat::QualifiedPersonality && *laureate));
        let codes: Vec<&str> = composition_findings(&jury)
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            ["president", "qualified_personalities", "previous_laureate"]
        );
        let codes: Vec<&str> = composition_findings(&[])
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            [
                "president",
                "youth_president",
                "qualified_personalities",
                "previous_laureate",
                "councillors"
            ]
        );
    }
}
