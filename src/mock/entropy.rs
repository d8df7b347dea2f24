//! Unpredictable bytes for secrets, token ids and refresh tokens.
//!
//! The mock's tokens are fake, so a SHA-256 counter stream seeded from the standard
//! library's per-process random hash keys and the clock is plenty, and it saves a
//! dependency on a random-number crate.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use sha2::{Digest, Sha256};

/// A SHA-256 counter-mode byte stream with a random seed.
pub(super) struct Entropy {
    seed: [u8; 32],
    counter: u64,
}

impl Entropy {
    /// Seeds from fresh `RandomState` keys and the current time.
    pub(super) fn new() -> Self {
        let mut hasher = Sha256::new();
        for salt in 0u8..4 {
            hasher.update(RandomState::new().hash_one(salt).to_le_bytes());
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        hasher.update(nanos.to_le_bytes());
        hasher.update(std::process::id().to_le_bytes());
        Self {
            seed: hasher.finalize().into(),
            counter: 0,
        }
    }

    /// The next 32 bytes of the stream.
    pub(super) fn next_block(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(self.counter.to_le_bytes());
        hasher.finalize().into()
    }

    /// A uniformly-ish distributed number in `0..bound` (bound > 0).
    pub(super) fn below(&mut self, bound: u64) -> u64 {
        let block = self.next_block();
        let mut word = [0u8; 8];
        word.copy_from_slice(&block[..8]);
        u64::from_le_bytes(word) % bound
    }
}
