//! Identifiers: 20 lowercase characters, time-ordered, with 50 random bits.

use rand::Rng;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The length of every id this API creates.
pub const ID_LEN: usize = 20;

/// A new id: 10 characters of milliseconds then 10 random ones, so ids sort by
/// creation time and cannot be guessed.
pub fn new_id(now_ms: i64) -> String {
    let mut out = String::with_capacity(ID_LEN);
    push_base32(&mut out, now_ms.max(0) as u64, 10);
    let random: u64 = rand::rng().random();
    push_base32(&mut out, random, 10);
    out
}

/// Random characters from the id alphabet.
pub fn random_token(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..32)] as char)
        .collect()
}

fn push_base32(out: &mut String, mut value: u64, digits: usize) {
    let mut buf = vec![b'0'; digits];
    for slot in buf.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.push_str(std::str::from_utf8(&buf).expect("the alphabet is ASCII"));
}

/// Whether a string has the shape of an id (so it can be told from a username).
pub fn looks_like_id(value: &str) -> bool {
    value.len() == ID_LEN && value.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = new_id(1_000);
        let b = new_id(2_000);
        assert!(a < b);
        assert_ne!(new_id(5), new_id(5));
        assert!(looks_like_id(&a));
        assert!(!looks_like_id("badding"));
    }
}
