//! The count of a ballot of a million votes, in memory: every sealed choice opened, then
//! tallied (what `GET /prizes/{id}/results` does once a ballot is closed, after reading the
//! rows). Prints figures; run with `cargo bench --bench count`.
use std::time::Instant;

use prix_ceser::domain::{ballot, voter::VoterKeys};
use uuid::Uuid;

const BALLOTS: usize = 1_000_000;

fn main() {
    let keys = VoterKeys::derive(b"a bench voter key, thirty-two bytes or more");
    let prize = Uuid::new_v4();
    let candidates: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let colleges: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let sealed: Vec<(String, Option<Vec<u8>>)> = (0..BALLOTS)
        .map(|index| {
            let receipt_hash = format!("{index:064x}");
            let college = Some(colleges[index % 4]);
            let choice = keys.seal_choice(prize, &receipt_hash, candidates[index % 5], college);
            (receipt_hash, Some(choice))
        })
        .collect();

    let started = Instant::now();
    let chosen = keys.open_choices(prize, &sealed).unwrap();
    let opened = started.elapsed();
    let chosen: Vec<Uuid> = chosen.iter().map(|opened| opened.choice).collect();
    let tally = ballot::tally(&candidates, &chosen);
    let counted = started.elapsed();
    assert_eq!(tally.turnout, BALLOTS as u64);
    println!(
        "{BALLOTS} sealed choices opened in {:.0} ms, counted in {:.0} ms in all ({:.2} µs a ballot, {} cores)",
        opened.as_secs_f64() * 1e3,
        counted.as_secs_f64() * 1e3,
        counted.as_secs_f64() * 1e6 / BALLOTS as f64,
        std::thread::available_parallelism().map_or(1, |cores| cores.get())
    );
}
