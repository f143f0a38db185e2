//! One convention for every list: `limit` (default 50, max 200) and an opaque `cursor`.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;
use utoipa::ToSchema;

use super::validation::{FieldError, Violations};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;
const CURSOR_PREFIX: &str = "c1:";

/// A page of results; `next_cursor` is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page.
    #[schema(example = "YzE6MDE5MzUxYjQtN2U0Zi03MDAwLWE5ZDgtMDAwMDAwMDAwMDAx")]
    pub next_cursor: Option<String>,
}

/// A validated page request: at most `limit` items after the `after` key (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<K> {
    pub limit: u64,
    pub after: Option<K>,
}

impl<K: std::str::FromStr> PageRequest<K> {
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let mut violations = Violations::default();
        let limit = violations.check("limit", parse_limit(limit));
        // An empty `cursor=` means the first page, as an absent one.
        let cursor = cursor.filter(|cursor| !cursor.is_empty());
        let after = violations.check("cursor", cursor.map(decode_cursor).transpose());
        violations.finish()?;
        Ok(Self {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            after: after.flatten(),
        })
    }

    /// Turns `limit + 1` fetched rows into a page: the extra row only tells that there is a next page.
    pub fn paginate<T>(&self, mut rows: Vec<T>, key_of: impl Fn(&T) -> String) -> Page<T> {
        let has_more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = match rows.last() {
            Some(last) if has_more => Some(encode_cursor(&key_of(last))),
            _ => None,
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// How many rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> u64 {
        self.limit + 1
    }
}

impl PageRequest<String> {
    /// A page of a list read whole (a short one: a roster, a round's files): its items in the
    /// order of `key_of`, those after the cursor's key.
    pub fn page_of<T>(&self, mut items: Vec<T>, key_of: impl Fn(&T) -> String) -> Page<T> {
        items.sort_by_cached_key(&key_of);
        let rows = items
            .into_iter()
            .filter(|item| {
                self.after
                    .as_ref()
                    .is_none_or(|after| key_of(item) > *after)
            })
            .take(self.fetch_limit() as usize)
            .collect();
        self.paginate(rows, key_of)
    }
}

fn parse_limit(limit: Option<u64>) -> Result<u64, FieldError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(FieldError::new(
            "",
            "out_of_range",
            text!("field-between", min = 1, max = MAX_LIMIT),
        )),
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{key}"))
}

fn decode_cursor<K: std::str::FromStr>(cursor: &str) -> Result<K, FieldError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX)?.parse().ok())
        .ok_or_else(|| {
            FieldError::new(
                "",
                "invalid_format",
                text!("field-is-not-a-cursor-returned"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_whole_is_paged_in_the_order_of_its_keys() {
        let items = vec!["d", "a", "c", "b", "e"];
        let first = PageRequest::<String>::parse(Some(2), None)
            .unwrap()
            .page_of(items.clone(), |item| item.to_string());
        assert_eq!(first.items, ["a", "b"]);
        let next = PageRequest::<String>::parse(Some(2), first.next_cursor.as_deref())
            .unwrap()
            .page_of(items.clone(), |item| item.to_string());
        assert_eq!(next.items, ["c", "d"]);
        let last = PageRequest::<String>::parse(Some(2), next.next_cursor.as_deref())
            .unwrap()
            .page_of(items, |item| item.to_string());
        assert_eq!((last.items, last.next_cursor), (vec!["e"], None));
    }

    #[test]
    fn defaults_and_bounds() {
        let request = PageRequest::<i64>::parse(None, None).unwrap();
        assert_eq!(
            request,
            PageRequest {
                limit: 50,
                after: None
            }
        );
        assert!(PageRequest::<i64>::parse(Some(200), None).is_ok());
        for bad in [0, 201] {
            let errors = PageRequest::<i64>::parse(Some(bad), None).unwrap_err();
            assert_eq!(errors[0].field, "limit");
            assert_eq!(errors[0].code, "out_of_range");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let cursor = encode_cursor("42");
        assert_eq!(
            PageRequest::<i64>::parse(None, Some(&cursor))
                .unwrap()
                .after,
            Some(42)
        );
        for bad in ["%%%", "bm9wZQ", &encode_cursor("not-a-number")] {
            let errors = PageRequest::<i64>::parse(None, Some(bad)).unwrap_err();
            assert_eq!(errors[0].field, "cursor");
        }
    }

    #[test]
    fn paginate_reports_a_next_cursor_only_when_more_rows_exist() {
        let request = PageRequest::<i64> {
            limit: 2,
            after: None,
        };
        let page = request.paginate(vec![1, 2, 3], |n| n.to_string());
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor, Some(encode_cursor("2")));
        let last = request.paginate(vec![1, 2], |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }
}
