//! CSV answers: one writer for every export, whose cells a spreadsheet will not run.
use std::borrow::Cow;

use actix_web::{HttpResponse, http::header};

use crate::error::ApiError;

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

/// A `text/csv` answer: a header row, then the rows, every cell neutralised; offered as a
/// download named `filename`.
pub fn respond(
    header: &[String],
    rows: impl IntoIterator<Item = Vec<String>>,
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in std::iter::once(header.to_vec()).chain(rows) {
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
