//! An organization's colleges: the groups its councillors belong to (the CESER's four), and the
//! councillors' results read by college.
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    ballot::{CandidateCount, Tally},
    refusal::{ProblemCode, Refusal, refuse},
    validation::{FieldError, check_name},
};

/// Colleges an organization may have.
pub const MAX_PER_ORGANIZATION: usize = 20;

/// Below this many votes, a college's split is withheld from its published results: with one or
/// two voters, it would tell how each of them voted.
pub const MIN_VOTES_SPLIT: u64 = 3;

/// A college's name: 1 to 100 characters, nothing hidden, in one canonical writing (Unicode NFC,
/// each run of spaces one space, trimmed), so that two names that look alike are alike.
pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    check_name(raw, 1, 100)?;
    Ok(canonical(raw))
}

fn canonical(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = name.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What tells two college names apart: neither case, nor the way accents or spaces are written.
fn key(name: &str) -> String {
    canonical(name).to_lowercase()
}

/// A councillor is put in one of the organization's colleges; the name comes back as the
/// organization writes it.
pub fn check_known(name: &str, known: &[String]) -> Result<String, FieldError> {
    if let Some(college) = known.iter().find(|college| key(college) == key(name)) {
        return Ok(college.clone());
    }
    let listed = if known.is_empty() {
        text!("field-no-college-yet")
    } else {
        text!("field-one-of-the-colleges", colleges = known.join("; "))
    };
    Err(FieldError::new("", "invalid_value", listed))
}

/// A name no other college of the organization (`others`) has, whatever its case or writing.
pub fn check_name_free(name: &str, others: &[String]) -> Result<(), Refusal> {
    if others.iter().any(|other| key(other) == key(name)) {
        return refuse(ProblemCode::CollegeNameTaken, text!("college-name-taken"));
    }
    Ok(())
}

pub fn check_room(existing: usize) -> Result<(), Refusal> {
    if existing >= MAX_PER_ORGANIZATION {
        return refuse(
            ProblemCode::TooManyColleges,
            text!(
                "too-many-colleges",
                max_per_organization = MAX_PER_ORGANIZATION
            ),
        );
    }
    Ok(())
}

/// A college is deleted only once nobody is in it or invited to it.
pub fn check_deletable(members: u64) -> Result<(), Refusal> {
    if members > 0 {
        return refuse(ProblemCode::CollegeInUse, text!("college-in-use", members));
    }
    Ok(())
}

/// One college's part of a published councillors' ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CollegeResult {
    #[schema(example = "Collège 3 — associations")]
    pub college: String,
    /// Ballots cast by the college's councillors.
    pub turnout: u64,
    /// Votes per candidate, most first; `null` when fewer than three of the college voted
    /// (the split would tell how each voted).
    pub counts: Option<Vec<CandidateCount>>,
}

/// Each college's result from its tally, the split withheld where too few voted; colleges in
/// the order given, those without a vote included.
pub fn college_results(tallies: Vec<(String, Tally)>) -> Vec<CollegeResult> {
    tallies
        .into_iter()
        .map(|(college, tally)| CollegeResult {
            college,
            turnout: tally.turnout,
            counts: (tally.turnout >= MIN_VOTES_SPLIT).then_some(tally.counts),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::tally;
    use uuid::Uuid;

    #[test]
    fn a_college_is_named_one_way_and_found_however_it_is_written() {
        let known = vec!["Collège 1".to_owned(), "Collège 2".to_owned()];
        assert_eq!(check_known("Collège 1", &known).unwrap(), "Collège 1");
        // Case, a decomposed accent, a no-break space or two spaces: the same college.
        for alike in [
            "collège 1",
            "Colle\u{300}ge 1",
            "Collège\u{a0}1",
            "Collège  1",
        ] {
            assert_eq!(check_known(alike, &known).unwrap(), "Collège 1", "{alike}");
        }
        assert_eq!(
            check_known("Collège 3", &known).unwrap_err().code,
            "invalid_value"
        );
        assert_eq!(
            check_known("Collège 1", &[]).unwrap_err().message,
            text!("field-no-college-yet")
        );
        assert_eq!(
            parse_name("  Colle\u{300}ge \u{a0} 4 ").unwrap(),
            "Collège 4"
        );
        assert!(parse_name("Coll\u{200b}ège").is_err());
        assert!(parse_name(" ").is_err());
        assert_eq!(
            check_name_free("COLLÈGE 2", &known).unwrap_err().code,
            ProblemCode::CollegeNameTaken
        );
        assert!(check_name_free("Collège 3", &known).is_ok());
    }

    #[test]
    fn colleges_are_bounded_and_kept_while_in_use() {
        assert!(check_room(MAX_PER_ORGANIZATION - 1).is_ok());
        assert_eq!(
            check_room(MAX_PER_ORGANIZATION).unwrap_err().code,
            ProblemCode::TooManyColleges
        );
        assert!(check_deletable(0).is_ok());
        assert_eq!(
            check_deletable(1).unwrap_err().code,
            ProblemCode::CollegeInUse
        );
    }

    #[test]
    fn a_college_s_split_is_withheld_below_three_votes() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let results = college_results(vec![
            ("Collège 1".into(), tally(&[a, b], &[a, a, b])),
            ("Collège 2".into(), tally(&[a, b], &[b, b])),
            ("Collège 3".into(), tally(&[a, b], &[])),
        ]);
        assert_eq!(results[0].turnout, 3);
        assert_eq!(
            results[0].counts.as_ref().unwrap()[0],
            CandidateCount {
                application_id: a,
                votes: 2
            }
        );
        assert_eq!((results[1].turnout, results[1].counts.as_ref()), (2, None));
        assert_eq!((results[2].turnout, results[2].counts.as_ref()), (0, None));
    }
}
