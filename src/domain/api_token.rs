//! API tokens: how long they live and how many an account holds.
use super::{
    refusal::{ProblemCode, Refusal, refuse},
    validation::FieldError,
};

/// How long a token may live at most, in days.
pub const MAX_DAYS: i64 = 365;
/// How long a token lives when its creator does not say.
pub const DEFAULT_DAYS: i64 = 90;
/// Live (unrevoked, unexpired) tokens an account may hold at once: its list stays short.
pub const MAX_LIVE: u64 = 20;

/// A token's lifetime in days: 1 to [`MAX_DAYS`], [`DEFAULT_DAYS`] when not given.
pub fn parse_days(days: Option<i64>) -> Result<i64, FieldError> {
    let days = days.unwrap_or(DEFAULT_DAYS);
    if (1..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(
            "",
            "out_of_range",
            text!("field-between", min = 1, max = MAX_DAYS),
        ))
    }
}

/// One more token, for an account that holds `live` of them.
pub fn check_another(live: u64) -> Result<(), Refusal> {
    if live >= MAX_LIVE {
        return refuse(
            ProblemCode::TooManyTokens,
            text!("too-many-tokens", max_live = MAX_LIVE),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_live_one_day_to_a_year_and_an_account_holds_twenty() {
        assert_eq!(parse_days(None).unwrap(), 90);
        assert_eq!(parse_days(Some(1)).unwrap(), 1);
        assert_eq!(parse_days(Some(365)).unwrap(), 365);
        for bad in [0, -1, 366, i64::MAX] {
            assert_eq!(parse_days(Some(bad)).unwrap_err().code, "out_of_range");
        }
        assert!(check_another(19).is_ok());
        assert_eq!(
            check_another(20).unwrap_err().code,
            ProblemCode::TooManyTokens
        );
    }
}
