//! Civil dates of an edition, in Europe/Paris. A deadline of 2026-06-08 means until
//! 23:59:59 Paris time that day, whatever the server's time zone.
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::FieldError;

/// The first instant after the civil day `date` ends in Paris.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(date.checked_add_days(Days::new(1)).unwrap_or(date))
}

/// The first instant of the civil day `date` in Paris.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Paris never skips or repeats midnight, but stay total anyway.
    Paris
        .from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// Today's date in Paris.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Paris).date_naive()
}

/// The calendar of an edition. Every date is optional while the edition is a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "applications_open_on": "2026-03-31", "applications_deadline": "2026-06-08",
    "selection_on": "2026-06-25", "audition_on": "2026-11-04", "ceremony_on": "2026-12-14"
}))]
pub struct Calendar {
    pub applications_open_on: Option<NaiveDate>,
    /// Last day to submit (until 23:59:59 Europe/Paris).
    pub applications_deadline: Option<NaiveDate>,
    pub selection_on: Option<NaiveDate>,
    pub audition_on: Option<NaiveDate>,
    pub ceremony_on: Option<NaiveDate>,
}

impl Calendar {
    fn named(&self) -> [(&'static str, Option<NaiveDate>); 5] {
        [
            ("applications_open_on", self.applications_open_on),
            ("applications_deadline", self.applications_deadline),
            ("selection_on", self.selection_on),
            ("audition_on", self.audition_on),
            ("ceremony_on", self.ceremony_on),
        ]
    }

    /// The dates that are set must come in calendar order.
    pub fn check_order(&self) -> Result<(), FieldError> {
        let set: Vec<_> = self
            .named()
            .into_iter()
            .filter_map(|(name, date)| date.map(|d| (name, d)))
            .collect();
        for pair in set.windows(2) {
            let ((earlier, a), (later, b)) = (pair[0], pair[1]);
            if b < a {
                return Err(FieldError::new(
                    later,
                    "out_of_order",
                    text!("field-must-not-be-before", earlier),
                ));
            }
        }
        Ok(())
    }

    /// Names of the dates still missing.
    pub fn missing(&self) -> Vec<&'static str> {
        self.named()
            .into_iter()
            .filter(|(_, date)| date.is_none())
            .map(|(name, _)| name)
            .collect()
    }

    /// Whether `now` is past the end of the deadline day in Paris (false when no deadline).
    pub fn deadline_passed(&self, now: DateTime<Utc>) -> bool {
        self.applications_deadline
            .is_some_and(|deadline| now >= end_of_day(deadline))
    }

    /// Whether the ceremony day has begun (in Paris).
    pub fn ceremony_day_reached(&self, now: DateTime<Utc>) -> bool {
        self.ceremony_on.is_some_and(|day| now >= start_of_day(day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn deadline_is_the_end_of_the_day_in_paris_in_summer_and_winter() {
        // CEST (UTC+2): 2026-06-08 ends at 2026-06-08T22:00:00Z.
        assert_eq!(end_of_day(date("2026-06-08")), at("2026-06-08T22:00:00Z"));
        // CET (UTC+1): 2026-12-14 ends at 2026-12-14T23:00:00Z.
        assert_eq!(end_of_day(date("2026-12-14")), at("2026-12-14T23:00:00Z"));
        let calendar = Calendar {
            applications_deadline: Some(date("2026-06-08")),
            ..Default::default()
        };
        assert!(!calendar.deadline_passed(at("2026-06-08T21:59:59Z")));
        assert!(calendar.deadline_passed(at("2026-06-08T22:00:00Z")));
    }

    #[test]
    fn today_is_the_paris_date() {
        assert_eq!(today(at("2026-06-08T22:30:00Z")), date("2026-06-09"));
        assert_eq!(today(at("2026-06-08T21:30:00Z")), date("2026-06-08"));
    }

    #[test]
    fn dates_must_be_in_order() {
        let mut calendar = Calendar {
            applications_open_on: Some(date("2026-03-31")),
            applications_deadline: Some(date("2026-06-08")),
            selection_on: Some(date("2026-06-25")),
            audition_on: Some(date("2026-11-04")),
            ceremony_on: Some(date("2026-12-14")),
        };
        assert!(calendar.check_order().is_ok());
        assert!(calendar.missing().is_empty());
        calendar.selection_on = Some(date("2026-06-01"));
        assert_eq!(calendar.check_order().unwrap_err().field, "selection_on");
        calendar.audition_on = None;
        assert_eq!(calendar.missing(), ["audition_on"]);
    }
}
