//! Scoring: scorecards, and the ranking of applications from them. Pure functions, worked examples
//! in the tests.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use chrono::NaiveDate;

use super::{
    calendar::Calendar,
    edition::{EditionStatus, ScoreScale},
    validation::FieldError,
};

stored_state! {
    pub enum Round {
        /// All eligible applications, before the shortlist.
        Selection,
        /// The shortlisted applications, after their audition.
        Audition,
    }
}

impl Round {
    /// The edition's stage during which the round is scored.
    pub fn stage(self) -> EditionStatus {
        match self {
            Round::Selection => EditionStatus::Selection,
            Round::Audition => EditionStatus::Audition,
        }
    }

    /// The round scored while the edition is at `stage`, if any.
    pub fn scored_at(stage: EditionStatus) -> Option<Round> {
        use sea_orm::Iterable;
        Round::iter().find(|round| round.stage() == stage)
    }

    /// The day the round's scores are due: the jury's selection meeting, or the auditions.
    pub fn deadline(self, calendar: &Calendar) -> Option<NaiveDate> {
        match self {
            Round::Selection => calendar.selection_on,
            Round::Audition => calendar.audition_on,
        }
    }
}

stored_state! {
    /// Where a juror's scorecard stands.
    pub enum ScorecardStatus {
        /// Being filled in by its juror.
        Draft,
        /// Locked; counted in the rankings.
        Submitted,
        /// Submitted, then its juror was found conflicted: kept, counted nowhere.
        Withdrawn,
    }
}

/// A score for every criterion, within the scale, and nothing else.
pub fn check_scores(
    scores: &BTreeMap<String, i32>,
    criteria: &[String],
    scale: ScoreScale,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for key in criteria.iter().filter(|key| !scores.contains_key(*key)) {
        errors.push(FieldError::new(
            &format!("scores.{key}"),
            "required",
            text!("field-every-criterion-needs-a-score"),
        ));
    }
    for (key, value) in scores {
        if !criteria.contains(key) {
            errors.push(FieldError::new(
                &format!("scores.{key}"),
                "unknown_criterion",
                text!("field-this-edition-has-no-such"),
            ));
        } else if !(scale.min..=scale.max).contains(value) {
            errors.push(FieldError::new(
                &format!("scores.{key}"),
                "out_of_range",
                text!("field-between", min = scale.min, max = scale.max),
            ));
        }
    }
    errors
}

/// A submitted scorecard.
#[derive(Debug, Clone)]
pub struct Card {
    pub juror: Uuid,
    pub application: Uuid,
    pub scores: BTreeMap<String, i32>,
}

/// An application of the round and how many scorecards are expected for it.
#[derive(Debug, Clone)]
pub struct ApplicationToRank {
    pub application: Uuid,
    pub expected: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RankedApplication {
    pub application_id: Uuid,
    /// Weighted mean of the scorecards' totals, on the edition's scale.
    pub total: Option<f64>,
    /// Mean score per criterion.
    pub criteria: BTreeMap<String, f64>,
    /// Standard deviation of the scorecards' totals.
    pub spread: Option<f64>,
    pub scorecards: usize,
    pub missing: usize,
    /// 1 is best; equal totals share a rank.
    pub rank: Option<usize>,
    /// Mean of each juror's standardised score (z-score over that juror's scorecards).
    pub normalized: Option<f64>,
    pub normalized_rank: Option<usize>,
    /// Another application has the same total.
    pub tied: bool,
}

const EPSILON: f64 = 1e-9;

fn weighted_total(scores: &BTreeMap<String, i32>, weights: &[(String, f64)]) -> f64 {
    let weight_sum: f64 = weights.iter().map(|(_, w)| w).sum();
    let sum: f64 = weights
        .iter()
        .map(|(key, w)| w * f64::from(*scores.get(key).unwrap_or(&0)))
        .sum();
    if weight_sum > 0.0 {
        sum / weight_sum
    } else {
        0.0
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn std_dev(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    Some((values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt())
}

/// Competition ranks ("1, 1, 3") of `value` by descending order; `None` values come last, unranked.
fn ranks(values: &[Option<f64>]) -> Vec<Option<usize>> {
    values
        .iter()
        .map(|value| {
            value.map(|v| {
                1 + values
                    .iter()
                    .flatten()
                    .filter(|other| **other > v + EPSILON)
                    .count()
            })
        })
        .collect()
}

/// Ranks the applications of a round from the submitted scorecards (conflicted jurors' cards must
/// already be left out), best first.
pub fn rank(
    weights: &[(String, f64)],
    applications: &[ApplicationToRank],
    cards: &[Card],
) -> Vec<RankedApplication> {
    let totals: Vec<(Uuid, Uuid, f64)> = cards
        .iter()
        .map(|card| {
            (
                card.juror,
                card.application,
                weighted_total(&card.scores, weights),
            )
        })
        .collect();
    // Each juror's mean and deviation over their own scorecards.
    let mut by_juror: HashMap<Uuid, Vec<f64>> = HashMap::new();
    for (juror, _, total) in &totals {
        by_juror.entry(*juror).or_default().push(*total);
    }
    let juror_stats: HashMap<Uuid, (f64, f64)> = by_juror
        .iter()
        .map(|(juror, values)| {
            (
                *juror,
                (mean(values).unwrap_or(0.0), std_dev(values).unwrap_or(0.0)),
            )
        })
        .collect();
    let mut ranked: Vec<RankedApplication> = applications
        .iter()
        .map(|entry| {
            let application_totals: Vec<f64> = totals
                .iter()
                .filter(|(_, application, _)| *application == entry.application)
                .map(|(_, _, t)| *t)
                .collect();
            let z_scores: Vec<f64> = totals
                .iter()
                .filter(|(_, application, _)| *application == entry.application)
                .map(|(juror, _, total)| {
                    let (m, sd) = juror_stats[juror];
                    if sd > EPSILON { (total - m) / sd } else { 0.0 }
                })
                .collect();
            let application_cards: Vec<&Card> = cards
                .iter()
                .filter(|card| card.application == entry.application)
                .collect();
            let criteria = weights
                .iter()
                .filter_map(|(key, _)| {
                    let values: Vec<f64> = application_cards
                        .iter()
                        .filter_map(|card| card.scores.get(key))
                        .map(|v| f64::from(*v))
                        .collect();
                    mean(&values).map(|m| (key.clone(), m))
                })
                .collect();
            RankedApplication {
                application_id: entry.application,
                total: mean(&application_totals),
                criteria,
                spread: std_dev(&application_totals),
                scorecards: application_totals.len(),
                missing: entry.expected.saturating_sub(application_totals.len()),
                rank: None,
                normalized: mean(&z_scores),
                normalized_rank: None,
                tied: false,
            }
        })
        .collect();
    let total_ranks = ranks(
        &ranked
            .iter()
            .map(|application| application.total)
            .collect::<Vec<_>>(),
    );
    let normalized_ranks = ranks(
        &ranked
            .iter()
            .map(|application| application.normalized)
            .collect::<Vec<_>>(),
    );
    for (index, application) in ranked.iter_mut().enumerate() {
        application.rank = total_ranks[index];
        application.normalized_rank = normalized_ranks[index];
    }
    let shared: Vec<bool> = ranked
        .iter()
        .map(|application| {
            application.rank.is_some()
                && ranked
                    .iter()
                    .filter(|other| other.rank == application.rank)
                    .count()
                    > 1
        })
        .collect();
    for (application, tied) in ranked.iter_mut().zip(shared) {
        application.tied = tied;
    }
    ranked.sort_by_key(|application| {
        (
            application.rank.unwrap_or(usize::MAX),
            application.application_id,
        )
    });
    ranked
}

/// The applications sharing the first place of a ranking.
pub fn first_place(ranking: &[RankedApplication]) -> Vec<Uuid> {
    ranking
        .iter()
        .filter(|application| application.rank == Some(1))
        .map(|application| application.application_id)
        .collect()
}

/// The ranking as a juror may see it: without the applications they are conflicted on, the others
/// ranked among themselves, so that no rank tells how many hidden applications stand above.
pub fn without_applications(
    ranking: Vec<RankedApplication>,
    hidden: &BTreeSet<Uuid>,
) -> Vec<RankedApplication> {
    let visible: Vec<RankedApplication> = ranking
        .into_iter()
        .filter(|application| !hidden.contains(&application.application_id))
        .collect();
    let rank_among = |value: Option<f64>, of: fn(&RankedApplication) -> Option<f64>| {
        value.map(|value| {
            1 + visible
                .iter()
                .filter(|other| of(other).is_some_and(|other| other > value + EPSILON))
                .count()
        })
    };
    let ranks: Vec<(Option<usize>, Option<usize>, bool)> = visible
        .iter()
        .map(|application| {
            let tied = application.total.is_some_and(|total| {
                visible.iter().any(|other| {
                    other.application_id != application.application_id
                        && other.total.is_some_and(|t| (t - total).abs() <= EPSILON)
                })
            });
            (
                rank_among(application.total, |application| application.total),
                rank_among(application.normalized, |application| application.normalized),
                tied,
            )
        })
        .collect();
    visible
        .into_iter()
        .zip(ranks)
        .map(
            |(application, (rank, normalized_rank, tied))| RankedApplication {
                rank,
                normalized_rank,
                tied,
                ..application
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(id: u128, total: f64, normalized: f64) -> RankedApplication {
        RankedApplication {
            application_id: Uuid::from_u128(id),
            total: Some(total),
            criteria: BTreeMap::new(),
            spread: None,
            scorecards: 1,
            missing: 0,
            rank: None,
            normalized: Some(normalized),
            normalized_rank: None,
            tied: false,
        }
    }

    #[test]
    fn hidden_files_leave_no_trace_in_the_ranks() {
        let ranking = vec![
            ranked(1, 18.0, 1.0),
            ranked(2, 16.0, 0.5),
            ranked(3, 12.0, -0.5),
            ranked(4, 12.0, -1.0),
        ];
        let seen = without_applications(
            ranking,
            &BTreeSet::from([Uuid::from_u128(1), Uuid::from_u128(2)]),
        );
        let ranks: Vec<(u128, Option<usize>, Option<usize>, bool)> = seen
            .iter()
            .map(|application| {
                (
                    application.application_id.as_u128(),
                    application.rank,
                    application.normalized_rank,
                    application.tied,
                )
            })
            .collect();
        assert_eq!(
            ranks,
            [(3, Some(1), Some(1), true), (4, Some(1), Some(2), true)]
        );
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn card(juror: u128, application: u128, a: i32, b: i32) -> Card {
        Card {
            juror: id(juror),
            application: id(application),
            scores: [("a".to_owned(), a), ("b".to_owned(), b)].into(),
        }
    }

    fn weights() -> Vec<(String, f64)> {
        vec![("a".into(), 1.0), ("b".into(), 3.0)]
    }

    fn applications(expected: usize) -> Vec<ApplicationToRank> {
        (1..=3)
            .map(|n| ApplicationToRank {
                application: id(100 + n),
                expected,
            })
            .collect()
    }

    #[test]
    fn totals_are_weighted_means_and_ranks_follow_them() {
        // Juror 1: application 101 → (10·1 + 14·3)/4 = 13; application 102 → (20 + 3·8)/4 = 11.
        let cards = [
            card(1, 101, 10, 14),
            card(1, 102, 20, 8),
            card(1, 103, 0, 0),
        ];
        let ranking = rank(&weights(), &applications(1), &cards);
        let order: Vec<(Uuid, Option<f64>, Option<usize>)> = ranking
            .iter()
            .map(|f| (f.application_id, f.total, f.rank))
            .collect();
        assert_eq!(
            order,
            [
                (id(101), Some(13.0), Some(1)),
                (id(102), Some(11.0), Some(2)),
                (id(103), Some(0.0), Some(3))
            ]
        );
        assert_eq!(
            ranking[0].criteria,
            [("a".to_owned(), 10.0), ("b".to_owned(), 14.0)].into()
        );
        assert_eq!(ranking[0].spread, Some(0.0));
    }

    #[test]
    fn a_harsh_juror_is_corrected_by_normalisation() {
        // Juror 1 is lenient and spreads widely (0 to 20), juror 2 is harsh (2 to 6). Raw
        // totals follow the lenient juror's favourite (102); standardised scores count both
        // jurors' preferences equally, and juror 2 prefers 101 by far.
        let cards = [
            card(1, 101, 10, 10),
            card(1, 102, 20, 20),
            card(1, 103, 0, 0),
            card(2, 101, 6, 6),
            card(2, 102, 3, 3),
            card(2, 103, 2, 2),
        ];
        let ranking = rank(&weights(), &applications(2), &cards);
        let by_application = |n| ranking.iter().find(|f| f.application_id == id(n)).unwrap();
        assert_eq!(
            (
                by_application(102).total,
                by_application(102).rank,
                by_application(102).normalized_rank
            ),
            (Some(11.5), Some(1), Some(2))
        );
        assert_eq!(
            (
                by_application(101).total,
                by_application(101).rank,
                by_application(101).normalized_rank
            ),
            (Some(8.0), Some(2), Some(1))
        );
        assert_eq!(by_application(103).normalized_rank, Some(3));
        assert_eq!(by_application(101).spread, Some(2.0));
    }

    #[test]
    fn missing_scorecards_are_counted_and_unscored_files_come_last() {
        let cards = [
            card(1, 101, 10, 10),
            card(2, 101, 12, 12),
            card(1, 102, 5, 5),
        ];
        let ranking = rank(&weights(), &applications(2), &cards);
        let summary: Vec<(Uuid, usize, usize, Option<usize>)> = ranking
            .iter()
            .map(|f| (f.application_id, f.scorecards, f.missing, f.rank))
            .collect();
        assert_eq!(
            summary,
            [
                (id(101), 2, 0, Some(1)),
                (id(102), 1, 1, Some(2)),
                (id(103), 0, 2, None)
            ]
        );
        assert_eq!(ranking[2].total, None);
    }

    #[test]
    fn equal_totals_are_flagged_as_ties_and_share_the_rank() {
        let cards = [
            card(1, 101, 12, 12),
            card(1, 102, 12, 12),
            card(1, 103, 4, 4),
        ];
        let ranking = rank(&weights(), &applications(1), &cards);
        let summary: Vec<(Option<usize>, bool)> =
            ranking.iter().map(|f| (f.rank, f.tied)).collect();
        assert_eq!(
            summary,
            [(Some(1), true), (Some(1), true), (Some(3), false)]
        );
        assert_eq!(first_place(&ranking), [id(101), id(102)]);
    }

    #[test]
    fn a_conflicted_juror_left_out_changes_nothing_for_the_others() {
        // Juror 3 declared a conflict on 101: the service leaves their cards out, so 101 is
        // ranked on the remaining jurors only, with one fewer expected card.
        let cards = [
            card(1, 101, 10, 10),
            card(2, 101, 14, 14),
            card(1, 102, 11, 11),
            card(2, 102, 11, 11),
        ];
        let applications = vec![
            ApplicationToRank {
                application: id(101),
                expected: 2,
            },
            ApplicationToRank {
                application: id(102),
                expected: 3,
            },
        ];
        let ranking = rank(&weights(), &applications, &cards);
        assert_eq!(
            (
                ranking[0].application_id,
                ranking[0].total,
                ranking[0].missing
            ),
            (id(101), Some(12.0), 0)
        );
        assert_eq!(
            (ranking[1].application_id, ranking[1].missing),
            (id(102), 1)
        );
    }

    #[test]
    fn scorecards_need_every_criterion_within_the_scale() {
        let criteria = vec!["a".to_owned(), "b".to_owned()];
        let scale = ScoreScale { min: 0, max: 20 };
        assert!(
            check_scores(
                &[("a".to_owned(), 0), ("b".to_owned(), 20)].into(),
                &criteria,
                scale
            )
            .is_empty()
        );
        let errors = check_scores(
            &[("a".to_owned(), 21), ("z".to_owned(), 3)].into(),
            &criteria,
            scale,
        );
        let codes: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("scores.b", "required"),
                ("scores.a", "out_of_range"),
                ("scores.z", "unknown_criterion")
            ]
        );
    }
}
