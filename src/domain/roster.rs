//! A councillor roster as CSV: `email,name,college`, one councillor a line, with a header.
use super::{
    DisplayName, Email,
    refusal::{ProblemCode, Refusal, refuse},
    validation::FieldError,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub email: Email,
    pub name: DisplayName,
    pub college: String,
}

/// Parses the whole file; any bad line makes it fail, every problem named with its line.
pub fn parse(csv_text: &str) -> Result<Vec<RosterEntry>, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
            .collect(),
        Err(error) => {
            return Err(vec![FieldError::new(
                "line 1",
                "invalid_format",
                text!("field-unreadable", reason = error),
            )]);
        }
    };
    if header != ["email", "name", "college"] {
        return Err(vec![FieldError::new(
            "line 1",
            "invalid_format",
            text!("field-the-header-must-be-email"),
        )]);
    }
    let (mut entries, mut errors) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) if record.len() == 3 => record,
            Ok(_) => {
                errors.push(FieldError::new(
                    &format!("line {line}"),
                    "invalid_format",
                    text!("field-expected-3-columns-email-name"),
                ));
                continue;
            }
            Err(error) => {
                errors.push(FieldError::new(
                    &format!("line {line}"),
                    "invalid_format",
                    text!("field-unreadable", reason = error),
                ));
                continue;
            }
        };
        let email = Email::parse(&record[0]).map_err(|e| e.on(&format!("line {line}.email")));
        let name = DisplayName::parse(&record[1]).map_err(|e| e.on(&format!("line {line}.name")));
        let college = super::validation::check_length(&record[2], 1, 100)
            .map(|_| record[2].to_owned())
            .map_err(|e| e.on(&format!("line {line}.college")));
        match (email, name, college) {
            (Ok(email), Ok(name), Ok(college)) => {
                if !seen.insert(email.as_str().to_owned()) {
                    errors.push(FieldError::new(
                        &format!("line {line}.email"),
                        "duplicate",
                        text!("field-this-address-appears-earlier-in"),
                    ));
                }
                entries.push(RosterEntry {
                    line,
                    email,
                    name,
                    college,
                });
            }
            (email, name, college) => errors.extend(
                [email.err(), name.err(), college.err()]
                    .into_iter()
                    .flatten(),
            ),
        }
    }
    if entries.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "line 2",
            "required",
            text!("field-the-file-lists-no-councillor"),
        ));
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// Every line names one of the organization's colleges (`known`); the entries come back with
/// each college's name as the organization writes it.
pub fn check_colleges(
    entries: Vec<RosterEntry>,
    known: &[String],
) -> Result<Vec<RosterEntry>, Vec<FieldError>> {
    let (mut checked, mut errors) = (Vec::new(), Vec::new());
    for entry in entries {
        match super::college::check_known(&entry.college, known) {
            Ok(college) => checked.push(RosterEntry { college, ..entry }),
            Err(error) => errors.push(error.on(&format!("line {}.college", entry.line))),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

/// A councillor's college changes for an account holding the councillor role that is on the
/// organization's roster (it joins the roster by accepting an invitation).
pub fn check_college_change(holds_councillor_role: bool, on_roster: bool) -> Result<(), Refusal> {
    if !holds_councillor_role {
        return refuse(ProblemCode::NotACouncillor, text!("not-a-councillor"));
    }
    if !on_roster {
        return refuse(ProblemCode::NotOnRoster, text!("not-on-roster"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_college_is_set_for_councillors_on_the_roster() {
        assert!(check_college_change(true, true).is_ok());
        assert_eq!(
            check_college_change(false, true).unwrap_err().code,
            ProblemCode::NotACouncillor
        );
        assert_eq!(
            check_college_change(true, false).unwrap_err().code,
            ProblemCode::NotOnRoster
        );
    }

    #[test]
    fn a_good_roster_parses_with_french_names() {
        let entries = parse("email,name,college\nA.Dupont@example.fr, Anne Dupont ,Collège 1\nb@example.fr,Bérénice Ôté,Collège 4\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].email.as_str(), "a.dupont@example.fr");
        assert_eq!(entries[1].name.clone().into_inner(), "Bérénice Ôté");
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let errors = parse("email,name,college\nok@example.fr,Ok,C1\nnot-an-email,,C2\nok@example.fr,Twice,C3\nshort,line\n").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["line 3.email", "line 3.name", "line 4.email", "line 5"]
        );
        assert_eq!(parse("mail,nom\nx,y\n").unwrap_err()[0].field, "line 1");
        assert_eq!(
            parse("email,name,college\n").unwrap_err()[0].code,
            "required"
        );
    }

    #[test]
    fn every_line_names_a_college_of_the_organization() {
        let entries = parse("email,name,college\na@example.fr,A,C1\nb@example.fr,B,C9\n").unwrap();
        assert_eq!(entries[1].line, 3);
        let known = vec!["C1".to_owned(), "C2".to_owned()];
        let errors = check_colleges(entries.clone(), &known).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["line 3.college"]
        );
        // Written another way, a college is the organization's, as the organization writes it.
        let entries = parse("email,name,college\na@example.fr,A,c1\n").unwrap();
        assert_eq!(check_colleges(entries, &known).unwrap()[0].college, "C1");
    }
}
