//! Public voters: one person, one vote, without keeping their address.
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use sha2::Sha256;

use super::{Email, validation::FieldError};

/// A code is valid this long, for this many attempts.
pub const CODE_TTL_SECONDS: i64 = 600;
pub const MAX_ATTEMPTS: i32 = 5;

/// The address that identifies a person: lower case, trimmed, without a `+tag`
/// sub-address (claire+vote@example.fr is claire@example.fr); at Gmail, whose mailboxes ignore
/// dots, without dots (c.laire@gmail.com is claire@gmail.com).
pub fn normalize(raw: &str) -> Result<String, FieldError> {
    let email = Email::parse(raw)?;
    let (local, domain) = email
        .as_str()
        .rsplit_once('@')
        .expect("a parsed email has an @");
    let local = local.split('+').next().unwrap_or(local);
    let (local, domain) = if matches!(domain, "gmail.com" | "googlemail.com") {
        (local.replace('.', ""), "gmail.com")
    } else {
        (local.to_owned(), domain)
    };
    if local.is_empty() {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-must-be-a-valid-email"),
        ));
    }
    Ok(format!("{local}@{domain}"))
}

/// The registrable domain of a normalised address (`catch-all.example` for
/// `x@a.b.catch-all.example`, `example.co.uk` for `x@mail.example.co.uk`): whoever owns it
/// owns every address under it, subdomains included.
pub fn domain(normalized: &str) -> &str {
    let host = normalized.rsplit_once('@').map_or("", |(_, domain)| domain);
    psl::domain_str(host).unwrap_or(host)
}

/// The voter's identity: a keyed hash of the normalised address. Without the server's key it
/// cannot be linked back to the address.
pub fn identity(key: &[u8], normalized: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(normalized.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The keys derived from the server's voter key (`PRIX_VOTER_KEY`), one per use.
#[derive(Clone)]
pub struct VoterKeys {
    /// Keys public voters' identities (their normalised addresses).
    pub identity: Vec<u8>,
    /// Keys the participation records: who has voted in which ballot.
    pub participation: Vec<u8>,
    /// Seals the choices: what was voted, unreadable without the voter key.
    pub ballot: Vec<u8>,
    /// The Ed25519 seed of the key that signs published results documents.
    pub results_signing: Vec<u8>,
    /// Seals the webhooks' signing secrets at rest.
    pub webhook_secrets: Vec<u8>,
}

impl VoterKeys {
    pub fn derive(master: &[u8]) -> Self {
        let derive = |purpose: &str| {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
            mac.update(purpose.as_bytes());
            mac.finalize().into_bytes().to_vec()
        };
        VoterKeys {
            identity: derive("prix-ceser voter identity"),
            participation: derive("prix-ceser ballot participation"),
            ballot: derive("prix-ceser ballot choice"),
            results_signing: derive("prix-ceser results signing"),
            webhook_secrets: derive("prix-ceser webhook secrets"),
        }
    }

    /// A choice, with the voter's college if any, sealed for the ballot of `prize` under its
    /// receipt's hash (see [`BallotSeal`]).
    pub fn seal_choice(
        &self,
        prize: uuid::Uuid,
        receipt_hash: &str,
        choice: uuid::Uuid,
        college: Option<uuid::Uuid>,
    ) -> Vec<u8> {
        self.ballot_seal(prize).seal(receipt_hash, choice, college)
    }

    /// Opens every choice of the ballot of `prize` (its receipt's hash, the sealed choice), on
    /// every core: a million in a fraction of a second. `None` if any of them does not open.
    pub fn open_choices(
        &self,
        prize: uuid::Uuid,
        choices: &[(String, Option<Vec<u8>>)],
    ) -> Option<Vec<OpenedChoice>> {
        let seal = self.ballot_seal(prize);
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        let share = choices.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            let opened: Vec<_> = choices
                .chunks(share)
                .map(|part| {
                    let seal = &seal;
                    scope.spawn(move || {
                        part.iter()
                            .map(|(receipt_hash, sealed)| {
                                seal.open(receipt_hash, sealed.as_deref()?)
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                })
                .collect();
            opened
                .into_iter()
                .map(|part| part.join().ok().flatten())
                .collect::<Option<Vec<_>>>()
                .map(|parts| parts.concat())
        })
    }

    /// What seals and opens the choices of the ballot of `prize`: its own AES-256-GCM key,
    /// derived from the ballot key, so that no key seals more than one ballot's choices.
    pub fn ballot_seal(&self, prize: uuid::Uuid) -> BallotSeal {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.ballot).expect("HMAC takes any key");
        mac.update(b"prix-ceser ballot seal v1");
        mac.update(prize.as_bytes());
        BallotSeal {
            prize,
            cipher: aes_gcm::KeyInit::new(&mac.finalize().into_bytes()),
            legacy: chacha20poly1305::KeyInit::new_from_slice(&self.ballot).expect("a 32-byte key"),
        }
    }

    /// The record that `voter` (a councillor's account or a public voter's identity, by
    /// `kind`) took part in the ballot of `prize`: the same for the same voter, and without the
    /// key, linked to no one. Councillors and public voters are keyed alike.
    pub fn participation(&self, prize: uuid::Uuid, kind: &str, voter: uuid::Uuid) -> String {
        identity(&self.participation, &format!("{prize}:{kind}:{voter}"))
    }
}

/// A six-digit code.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// Seals and opens the choices of one ballot. A sealed choice is the version byte 2, a random
/// 96-bit nonce, the choice and the voter's college (nil for none: every seal has the same
/// length, so the length tells nothing) and its tag (AES-256-GCM: with the processor's AES
/// instructions, a million choices open in a fraction of a second; random nonces stay far below
/// the 2^32 choices a key may seal). The ballot and the receipt are its associated data: copied
/// to another ballot or another row, it does not open. Choices sealed by version 1 (the choice
/// alone) and before it (XChaCha20-Poly1305 under the ballot key itself: nonce, choice, tag;
/// 56 bytes) still open, without a college.
pub struct BallotSeal {
    prize: uuid::Uuid,
    cipher: aes_gcm::Aes256Gcm,
    legacy: chacha20poly1305::XChaCha20Poly1305,
}

/// What a sealed choice holds: the candidate, and the voter's college when they have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenedChoice {
    pub choice: uuid::Uuid,
    pub college: Option<uuid::Uuid>,
}

const SEAL_V1: u8 = 1;
const SEAL_V2: u8 = 2;
const SEALED_V1_LEN: usize = 1 + 12 + 16 + 16;
const SEALED_V2_LEN: usize = 1 + 12 + 32 + 16;
const SEALED_LEGACY_LEN: usize = 24 + 16 + 16;

impl BallotSeal {
    pub fn seal(
        &self,
        receipt_hash: &str,
        choice: uuid::Uuid,
        college: Option<uuid::Uuid>,
    ) -> Vec<u8> {
        use aes_gcm::AeadInPlace;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = [
            choice.into_bytes(),
            college.unwrap_or_default().into_bytes(),
        ]
        .concat();
        let tag = self
            .cipher
            .encrypt_in_place_detached(
                &nonce.into(),
                &self.associated_data(receipt_hash),
                &mut sealed,
            )
            .expect("sealing a 32-byte choice cannot fail");
        [&[SEAL_V2][..], &nonce, &sealed, &tag].concat()
    }

    /// What `sealed` holds, if it was sealed for this ballot and receipt with this key.
    pub fn open(&self, receipt_hash: &str, sealed: &[u8]) -> Option<OpenedChoice> {
        use aes_gcm::AeadInPlace;
        let aad = self.associated_data(receipt_hash);
        // The format is told by the length and the version byte: 61 bytes are version 2, 45
        // bytes version 1, 56 bytes earlier versions; anything else is not a sealed choice.
        let (body, nonce, tag) = match sealed.len() {
            SEALED_V2_LEN if sealed.first() == Some(&SEAL_V2) => {
                let (nonce, rest) = sealed[1..].split_at(12);
                let (body, tag) = rest.split_at(32);
                (body, nonce, tag)
            }
            SEALED_V1_LEN if sealed.first() == Some(&SEAL_V1) => {
                let (nonce, rest) = sealed[1..].split_at(12);
                let (body, tag) = rest.split_at(16);
                (body, nonce, tag)
            }
            SEALED_LEGACY_LEN => {
                let (nonce, rest) = sealed.split_at(24);
                let (body, tag) = rest.split_at(16);
                (body, nonce, tag)
            }
            _ => return None,
        };
        let mut body = body.to_vec();
        let tag = <[u8; 16]>::try_from(tag).ok()?.into();
        let opened = if nonce.len() == 12 {
            let nonce = <[u8; 12]>::try_from(nonce).ok()?.into();
            self.cipher
                .decrypt_in_place_detached(&nonce, &aad, &mut body, &tag)
        } else {
            let nonce = <[u8; 24]>::try_from(nonce).ok()?.into();
            self.legacy
                .decrypt_in_place_detached(&nonce, &aad, &mut body, &tag)
        };
        opened.ok()?;
        let choice = uuid::Uuid::from_slice(&body[..16]).ok()?;
        let college = match body.get(16..) {
            Some(college) if !college.is_empty() => {
                Some(uuid::Uuid::from_slice(college).ok()?).filter(|id| !id.is_nil())
            }
            _ => None,
        };
        Some(OpenedChoice { choice, college })
    }

    fn associated_data(&self, receipt_hash: &str) -> Vec<u8> {
        [self.prize.as_bytes().as_slice(), receipt_hash.as_bytes()].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_choice_opens_only_with_its_key_ballot_and_receipt() {
        let keys = VoterKeys::derive(b"a voter key of at least thirty-two bytes");
        let (prize, candidate) = (uuid::Uuid::from_u128(7), uuid::Uuid::from_u128(0xC0FFEE));
        let receipt = "5e1f";
        let college = Some(uuid::Uuid::from_u128(0xC011E6E));
        let sealed = keys.seal_choice(prize, receipt, candidate, college);
        assert!(
            !sealed
                .windows(16)
                .any(|window| window == candidate.as_bytes())
        );
        let again = keys.seal_choice(prize, receipt, candidate, college);
        assert_ne!(sealed, again, "a fresh nonce each time");
        assert_eq!(
            keys.ballot_seal(prize).open(receipt, &sealed),
            Some(OpenedChoice {
                choice: candidate,
                college
            })
        );
        // Without a college, the seal has the same length: it tells nothing either.
        let public = keys.seal_choice(prize, receipt, candidate, None);
        assert_eq!(public.len(), sealed.len());
        assert_eq!(
            keys.ballot_seal(prize).open(receipt, &public),
            Some(OpenedChoice {
                choice: candidate,
                college: None
            })
        );
        assert_eq!(
            keys.ballot_seal(uuid::Uuid::from_u128(8))
                .open(receipt, &sealed),
            None
        );
        // Copied to another row (another receipt), it does not open: no vote stuffing.
        assert_eq!(keys.ballot_seal(prize).open("dead", &sealed), None);
        let other = VoterKeys::derive(b"another voter key of thirty-two bytes!!");
        assert_eq!(other.ballot_seal(prize).open(receipt, &sealed), None);
        assert_rejects_every_change(&keys.ballot_seal(prize), receipt, &sealed);
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert_eq!(keys.ballot_seal(prize).open(receipt, &tampered), None);
        assert_eq!(keys.ballot_seal(prize).open(receipt, &sealed[..10]), None);
        // All at once: every choice, in order; one that does not open fails them all.
        let choices: Vec<(String, Option<Vec<u8>>)> = (0..1000u128)
            .map(|index| {
                let receipt = format!("{index:064x}");
                let sealed = keys.seal_choice(prize, &receipt, uuid::Uuid::from_u128(index), None);
                (receipt, Some(sealed))
            })
            .collect();
        let opened = keys.open_choices(prize, &choices).unwrap();
        assert_eq!(
            opened
                .iter()
                .map(|opened| opened.choice)
                .collect::<Vec<_>>(),
            (0..1000u128).map(uuid::Uuid::from_u128).collect::<Vec<_>>()
        );
        let mut broken = choices.clone();
        broken[700].1 = Some(tampered);
        assert_eq!(keys.open_choices(prize, &broken), None);
        broken[700].1 = None;
        assert_eq!(keys.open_choices(prize, &broken), None);
    }

    /// Every flipped bit of `sealed`, and every other length, fails to open.
    fn assert_rejects_every_change(seal: &BallotSeal, receipt: &str, sealed: &[u8]) {
        assert!(seal.open(receipt, sealed).is_some());
        for bit in 0..sealed.len() * 8 {
            let mut changed = sealed.to_vec();
            changed[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(seal.open(receipt, &changed), None, "bit {bit} flipped");
        }
        for length in 0..=80 {
            for first in [0, SEAL_V1, SEAL_V2] {
                let mut other = vec![0u8; length];
                if let Some(byte) = other.first_mut() {
                    *byte = first;
                }
                assert_eq!(seal.open(receipt, &other), None, "{length} bytes");
            }
        }
    }

    #[test]
    fn choices_sealed_before_version_1_still_open() {
        use chacha20poly1305::{AeadInPlace, KeyInit, XChaCha20Poly1305};
        let keys = VoterKeys::derive(b"a voter key of at least thirty-two bytes");
        let (prize, candidate) = (uuid::Uuid::from_u128(7), uuid::Uuid::from_u128(0xC0FFEE));
        let receipt = "5e1f";
        let nonce = [9u8; 24];
        let mut choice = candidate.into_bytes();
        let aad = [prize.as_bytes().as_slice(), receipt.as_bytes()].concat();
        let tag = XChaCha20Poly1305::new_from_slice(&keys.ballot)
            .unwrap()
            .encrypt_in_place_detached(&nonce.into(), &aad, &mut choice)
            .unwrap();
        let sealed = [&nonce[..], &choice, &tag].concat();
        let seal = keys.ballot_seal(prize);
        let without_college = Some(OpenedChoice {
            choice: candidate,
            college: None,
        });
        assert_eq!(seal.open(receipt, &sealed), without_college);
        assert_eq!(seal.open("dead", &sealed), None);
        assert_eq!(
            keys.ballot_seal(uuid::Uuid::from_u128(8))
                .open(receipt, &sealed),
            None
        );
        assert_rejects_every_change(&seal, receipt, &sealed);
        // Version 1 (the choice alone) opens without a college.
        let mut body = candidate.into_bytes();
        let nonce = [3u8; 12];
        let tag = aes_gcm::AeadInPlace::encrypt_in_place_detached(
            &seal.cipher,
            &nonce.into(),
            &aad,
            &mut body,
        )
        .unwrap();
        let version_1 = [&[SEAL_V1][..], &nonce, &body, &tag].concat();
        assert_eq!(seal.open(receipt, &version_1), without_college);
        assert_rejects_every_change(&seal, receipt, &version_1);
        // A new seal is version 2, and its version byte is checked.
        let mut sealed = seal.seal(receipt, candidate, None);
        assert_eq!((sealed.len(), sealed[0]), (61, 2));
        sealed[0] = 1;
        assert_eq!(seal.open(receipt, &sealed), None);
    }

    #[test]
    fn participation_records_name_no_one_and_depend_on_the_voter_key_only() {
        let (prize, voter) = (uuid::Uuid::from_u128(7), uuid::Uuid::from_u128(42));
        let keys = VoterKeys::derive(b"a voter key of at least thirty-two bytes");
        let record = keys.participation(prize, "account", voter);
        assert_eq!(record, keys.participation(prize, "account", voter));
        assert!(!record.contains(&voter.to_string()) && !record.contains("account"));
        assert_ne!(record, keys.participation(prize, "public", voter));
        assert_ne!(
            record,
            keys.participation(uuid::Uuid::from_u128(8), "account", voter)
        );
        let other = VoterKeys::derive(b"another voter key of thirty-two bytes!!");
        assert_ne!(record, other.participation(prize, "account", voter));
        assert_ne!(keys.identity, keys.participation);
    }

    #[test]
    fn addresses_fold_case_spaces_and_sub_addresses() {
        assert_eq!(
            normalize("  Claire.Martin+prix@Example.FR ").unwrap(),
            "claire.martin@example.fr"
        );
        assert_eq!(
            normalize("claire.martin@example.fr").unwrap(),
            "claire.martin@example.fr"
        );
        assert!(normalize("+tag@example.fr").is_err());
        assert_eq!(
            normalize("C.Laire.M+x@GoogleMail.com").unwrap(),
            "clairem@gmail.com"
        );
        assert_eq!(
            normalize("c.laire@example.fr").unwrap(),
            "c.laire@example.fr"
        );
        assert_eq!(domain("claire.martin@example.fr"), "example.fr");
        assert_eq!(domain("v1@s1.catch-all.example.fr"), "example.fr");
        assert_eq!(domain("v1@mail.example.co.uk"), "example.co.uk");
        assert!(normalize("not an address").is_err());
    }

    #[test]
    fn identities_are_keyed_and_stable() {
        let a = identity(b"key one", "claire@example.fr");
        assert_eq!(a, identity(b"key one", "claire@example.fr"));
        assert_ne!(a, identity(b"key two", "claire@example.fr"));
        assert_ne!(a, identity(b"key one", "paul@example.fr"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert!(
                code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            );
        }
    }
}
