//! A table lesson's file in a classroom link. Always its SHA-256, so that a student who drops
//! a file is told when it is not, byte for byte, the teacher's; and, when the teacher chooses
//! to share it and it is small, the file itself, deflated and written in base64url, so that
//! the link alone opens the lesson. The page's address keeps the lesson in its fragment
//! (`#/teach?…`), which a browser never sends to a server: a shared file travels only where
//! the teacher sends the link.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::TeachError;

/// The longest packed file a link carries, in characters. Browsers open far longer addresses
/// (Chromium 2 MB), but a link is pasted into chats and learning platforms: 24 K characters
/// hold a table of a few hundred rows (penguins.csv, 13 kB, packs to about 5 K).
pub const MAX_PACKED_CHARS: usize = 24 * 1024;

/// Files larger than this are not even tried: deflate does not shrink CSV text much past 5×.
pub const MAX_PACK_INPUT_BYTES: u64 = 256 * 1024;

/// The most a packed file may inflate to: a link is input from anyone, and a few kilobytes of
/// deflate can otherwise expand to gigabytes.
pub const MAX_UNPACKED_BYTES: usize = 8 * 1024 * 1024;

/// What a table's lesson knows of the file the table was read from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FileSeal {
    /// The SHA-256 of the file's bytes, in lowercase hexadecimal.
    pub sha256: String,
    /// The file packed for a link ([`pack`]); `None` when it is too large to carry.
    pub packed: Option<String>,
}

impl FileSeal {
    /// The seal of a file held whole.
    pub fn of(bytes: &[u8]) -> FileSeal {
        let mut digest = FileDigest::new(bytes.len() as u64);
        digest.update(bytes);
        digest.finish()
    }
}

/// A file's seal computed as its chunks are read: the page's worker and the CLI feed it what
/// they read, and it keeps the bytes only of a file small enough to be packed.
pub struct FileDigest {
    sha256: Sha256,
    whole: Option<Vec<u8>>,
}

impl FileDigest {
    /// A digest of a file of `size` bytes.
    pub fn new(size: u64) -> FileDigest {
        FileDigest {
            sha256: Sha256::new(),
            whole: (size <= MAX_PACK_INPUT_BYTES).then(Vec::new),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.sha256.update(chunk);
        if let Some(whole) = &mut self.whole {
            whole.extend_from_slice(chunk);
        }
    }

    pub fn finish(self) -> FileSeal {
        let sha256 = self
            .sha256
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        FileSeal {
            sha256,
            packed: self.whole.as_deref().and_then(pack),
        }
    }
}

/// `bytes` deflated and written in base64url (no padding: the text goes in a link as it is);
/// `None` when that is longer than [`MAX_PACKED_CHARS`].
pub fn pack(bytes: &[u8]) -> Option<String> {
    if bytes.len() as u64 > MAX_PACK_INPUT_BYTES {
        return None;
    }
    let deflated = miniz_oxide::deflate::compress_to_vec(bytes, 9);
    let text = URL_SAFE_NO_PAD.encode(deflated);
    (text.len() <= MAX_PACKED_CHARS).then_some(text)
}

/// The file a link's `data` packed.
pub fn unpack(text: &str) -> Result<Vec<u8>, TeachError> {
    let refused = |reason: String| TeachError::LinkFile { reason };
    if text.len() > MAX_PACKED_CHARS {
        return Err(refused(format!(
            "it is {} characters long; a link carries at most {MAX_PACKED_CHARS}",
            text.len()
        )));
    }
    let deflated = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|error| refused(format!("it is not base64url ({error})")))?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_UNPACKED_BYTES).map_err(
        |error| {
            refused(match error.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                    "it inflates to more than {} MB",
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
                status => format!("it is not deflate data ({status:?})"),
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_file_unpacks_to_the_same_bytes() {
        let csv: String = (0..300)
            .map(|i| format!("{i},{},{}\n", i % 7, if i % 3 == 0 { "a" } else { "b" }))
            .collect();
        let seal = FileSeal::of(csv.as_bytes());
        let packed = seal.packed.expect("a small file is packed");
        assert!(
            packed.len() < csv.len() / 2,
            "{} of {}",
            packed.len(),
            csv.len()
        );
        assert!(
            packed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(unpack(&packed).unwrap(), csv.as_bytes());
    }

    #[test]
    fn the_digest_is_sha256_whichever_way_the_file_is_read() {
        // FIPS 180-2's example.
        assert_eq!(
            FileSeal::of(b"abc").sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut digest = FileDigest::new(3);
        digest.update(b"a");
        digest.update(b"bc");
        assert_eq!(digest.finish(), FileSeal::of(b"abc"));
        // A file too large to pack keeps none of its bytes, and has the same digest.
        let mut digest = FileDigest::new(MAX_PACK_INPUT_BYTES + 1);
        digest.update(b"abc");
        assert_eq!(
            digest.finish(),
            FileSeal {
                packed: None,
                ..FileSeal::of(b"abc")
            }
        );
    }

    #[test]
    fn a_large_or_incompressible_file_is_not_packed() {
        let mut state = 1u64;
        let noise: Vec<u8> = (0..40_000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 56) as u8
            })
            .collect();
        assert_eq!(pack(&noise), None);
        assert_eq!(pack(&vec![b'a'; MAX_PACK_INPUT_BYTES as usize + 1]), None);
    }

    #[test]
    fn a_bad_or_explosive_packed_file_is_refused() {
        let error = |text: &str| unpack(text).unwrap_err().to_string();
        assert!(
            error("not*base64").contains("base64url"),
            "{}",
            error("not*base64")
        );
        assert!(error("AAAA").contains("deflate"), "{}", error("AAAA"));
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
            &vec![0u8; MAX_UNPACKED_BYTES + 1],
            9,
        ));
        assert!(bomb.len() < MAX_PACKED_CHARS);
        assert!(error(&bomb).contains("more than 8 MB"), "{}", error(&bomb));
    }
}
