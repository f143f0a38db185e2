//! CSV answers: one writer for every export, whose cells a spreadsheet will not run.
use std::borrow::Cow;

use actix_web::{HttpResponse, http::header};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    domain::{Lang, Text},
    error::ApiError,
    i18n,
};

/// A cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a leading tab or
/// carriage return, which some programs skip) is prefixed with `'`, which makes it text.
/// Numbers, negative ones included, are left as they are.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// How a CSV download is written: commas (the default) or semicolons, as French spreadsheets
/// expect, with a byte-order mark if asked (so that Excel reads UTF-8).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CsvFormat {
    /// `comma` (default) or `semicolon`.
    #[serde(default)]
    #[param(inline)]
    pub separator: Separator,
    /// Start with a UTF-8 byte-order mark (default `false`).
    #[serde(default)]
    pub bom: bool,
}

#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    #[default]
    Comma,
    Semicolon,
}

/// A `text/csv` answer: a header row in `lang`, then the rows, every cell neutralised; offered
/// as a download named `filename`.
pub fn respond(
    lang: Lang,
    header: &[Text],
    rows: impl IntoIterator<Item = Vec<String>>,
    filename: &str,
    format: &CsvFormat,
) -> Result<HttpResponse, ApiError> {
    let mut body = Vec::new();
    if format.bom {
        body.extend_from_slice("\u{feff}".as_bytes());
    }
    let delimiter = match format.separator {
        Separator::Comma => b',',
        Separator::Semicolon => b';',
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(body);
    let header = header
        .iter()
        .map(|column| i18n::render(lang, column))
        .collect();
    for row in std::iter::once(header).chain(rows) {
        writer
            .write_record(row.iter().map(|cell| neutralize(cell).into_owned()))
            .map_err(anyhow::Error::from)?;
    }
    let body = writer
        .into_inner()
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"clic\")",
            "+33 4 72 00 00 00",
            "-2+3",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
        ] {
            assert_eq!(neutralize(formula), format!("'{formula}"));
        }
        for safe in ["Résonansemble", "-0.750", "12", "", "a=b", "2024-01-01"] {
            assert_eq!(neutralize(safe), safe);
        }
    }
}
