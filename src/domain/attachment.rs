//! Attachments: which files are accepted (by their content, never their name) and how many.
use super::refusal::{ProblemCode, Refusal, refuse};

/// At most this many files per application.
pub const MAX_PER_APPLICATION: usize = 10;

/// The accepted types, recognised from the file's first bytes.
pub const ACCEPTED: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// The type of a file from its first bytes, if it is one of the accepted ones.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    ACCEPTED
        .into_iter()
        .find(|accepted| *accepted == kind.mime_type())
}

/// A file name safe to store and to send back in `Content-Disposition`: no path, no control
/// or quote characters, at most 200 characters.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        // Bidirectional controls would make `cv\u{202E}fdp.exe` read as `cvexe.pdf`.
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '"' | ';' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

/// An application holds at most [`MAX_PER_APPLICATION`] attachments.
pub fn check_room_for_attachment(held: usize) -> Result<(), Refusal> {
    if held >= MAX_PER_APPLICATION {
        return refuse(
            ProblemCode::TooManyAttachments,
            text!(
                "too-many-attachments",
                max_per_application = MAX_PER_APPLICATION
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_holds_a_bounded_number_of_attachments() {
        assert!(check_room_for_attachment(MAX_PER_APPLICATION - 1).is_ok());
        assert_eq!(
            check_room_for_attachment(MAX_PER_APPLICATION)
                .unwrap_err()
                .code,
            ProblemCode::TooManyAttachments
        );
    }

    #[test]
    fn filenames_lose_bidirectional_controls() {
        assert_eq!(sanitize_filename("cv\u{202E}fdp.exe"), "cvfdp.exe");
        assert_eq!(sanitize_filename("a\u{2067}b\u{200F}.pdf"), "ab.pdf");
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(
            detect(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3"),
            Some("application/pdf")
        );
        assert_eq!(
            detect(&[
                0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D
            ]),
            Some("image/png")
        );
        assert_eq!(
            detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']),
            Some("image/jpeg")
        );
        assert_eq!(
            detect(b"MZ\x90\x00\x03\x00\x00\x00"),
            None,
            "an executable named .pdf is refused"
        );
        assert_eq!(detect(b"GIF89a"), None, "a GIF is not accepted");
        assert_eq!(detect(b"just text"), None);
    }

    #[test]
    fn file_names_lose_paths_and_dangerous_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitize_filename("C:\\Users\\me\\dossier \"final\".pdf"),
            "dossier final.pdf"
        );
        assert_eq!(sanitize_filename("..."), "document");
        assert_eq!(sanitize_filename("budget\n2025.pdf"), "budget2025.pdf");
        assert_eq!(sanitize_filename(&"é".repeat(300)).chars().count(), 200);
    }
}
