//! Copying through the terminal: OSC 52 asks the terminal itself to set the clipboard, so it
//! works over SSH, where no local clipboard program could reach the user's desktop.

use std::fmt;

use base64::Engine;

/// The most a copy may weigh once base64-encoded: many terminals drop longer OSC 52 sequences
/// (xterm's default limit is about 100 KB), so a bigger copy is refused with a message instead
/// of failing silently.
pub const MAX_ENCODED: usize = 100_000;

/// Text on its way to the clipboard. It may be an access token, so it never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Clip(Vec<u8>);

impl Clip {
    /// Wraps the bytes to copy.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The size of the text, in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is nothing to copy.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the terminal is likely to accept it.
    pub fn fits(&self) -> bool {
        Self::fits_len(self.0.len())
    }

    /// Whether `len` bytes, base64-encoded, are within [`MAX_ENCODED`].
    pub fn fits_len(len: usize) -> bool {
        len.div_ceil(3) * 4 <= MAX_ENCODED
    }

    /// The escape sequence that copies it; wrapped for tmux, which otherwise swallows it.
    pub fn osc52(&self, tmux: bool) -> Vec<u8> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.0);
        let osc = format!("\x1b]52;c;{encoded}\x07");
        if !tmux {
            return osc.into_bytes();
        }
        // In tmux, the plain sequence reaches tmux's own clipboard (with `set-clipboard on`),
        // and a copy wrapped in a DCS `tmux;` string, every ESC inside doubled, goes through to
        // the outer terminal (with `allow-passthrough on`). Either setting is enough.
        let mut out = osc.clone().into_bytes();
        out.extend_from_slice(b"\x1bPtmux;");
        for b in osc.bytes() {
            if b == 0x1b {
                out.push(0x1b);
            }
            out.push(b);
        }
        out.extend_from_slice(b"\x1b\\");
        out
    }
}

impl fmt::Debug for Clip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clip({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_osc52_is_base64_between_the_markers() {
        assert_eq!(Clip::new("hi!").osc52(false), b"\x1b]52;c;aGkh\x07");
    }

    #[test]
    fn tmux_gets_the_plain_sequence_and_a_wrapped_one_with_doubled_escapes() {
        assert_eq!(Clip::new("hi!").osc52(true), b"\x1b]52;c;aGkh\x07\x1bPtmux;\x1b\x1b]52;c;aGkh\x07\x1b\\");
    }

    #[test]
    fn size_limit_counts_the_encoded_length() {
        assert!(Clip::new(vec![b'a'; 75_000]).fits());
        assert!(!Clip::new(vec![b'a'; 75_003]).fits());
    }

    #[test]
    fn debug_never_shows_the_content() {
        assert_eq!(format!("{:?}", Clip::new("secret-token")), "Clip(12 bytes)");
    }
}
