//! Reading a file of the repository: regular files only, and only up to a size limit.
//!
//! Everything controlgate reads from a checkout (plans, templates, `.tf` sources, the exception
//! registry, the config file, policy packs) may come from a pull request. A FIFO named
//! `main.tf` would block a plain `read` forever and a link to `/dev/zero` would fill memory, so
//! the file's type is checked before it is opened, the open never blocks (`O_NONBLOCK`), the type
//! is checked again on the open file (the path may have been swapped in between), and the read
//! stops one byte past the limit (a file that grows, or lies about its size, is still bounded).

use std::fs::{File, FileType, OpenOptions};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Located;

/// The default `--max-file-size`: far above real plans (the largest of the corpus is 44 MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// The limit of this process, set once from `--max-file-size` before anything is read.
static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Set the size limit of every later read.
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, Ordering::Relaxed);
}

/// The size limit of reads.
pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(Ordering::Relaxed)
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A directory, FIFO, socket or device (named by `kind`).
    NotRegular(&'static str),
    /// Larger than `limit` bytes (`size` when the file says, else it grew while being read).
    TooLarge {
        size: Option<u64>,
        limit: u64,
    },
    Io(std::io::Error),
    /// Standard input is a terminal, not a pipe or a file.
    Terminal,
    /// Standard input held more than `limit` bytes.
    StreamTooLarge(u64),
    /// Standard input held nothing.
    Empty,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(f, "not a regular file: {kind}"),
            ReadError::TooLarge { size: Some(s), limit } => {
                write!(f, "{} is over the size limit of {}", show_size(*s), show_size(*limit))
            }
            ReadError::TooLarge { size: None, limit } => {
                write!(f, "over the size limit of {} (it grew while read)", show_size(*limit))
            }
            ReadError::Terminal => write!(f, "standard input is a terminal"),
            ReadError::StreamTooLarge(limit) => write!(f, "more than the size limit of {}", show_size(*limit)),
            ReadError::Empty => write!(f, "standard input is empty"),
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

impl ReadError {
    /// The error of file `shown`, with how to fix it.
    pub fn located(&self, shown: &str) -> Located {
        let l = Located::file(shown, self.to_string());
        match self {
            ReadError::NotRegular(_) => {
                l.with_help("controlgate reads only regular files (symbolic links to them are followed)")
            }
            ReadError::TooLarge { .. } | ReadError::StreamTooLarge(_) => {
                l.with_help("raise the limit with `--max-file-size` (e.g. `--max-file-size 1G`)")
            }
            ReadError::Terminal | ReadError::Empty => l.with_help(
                "`-` reads a plan or template from a pipe or a redirect: `terraform show -json plan.out | controlgate check -`",
            ),
            ReadError::Io(_) => l,
        }
    }
}

/// What kind of file `t` is, for messages.
pub fn kind(t: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// The bytes of `path` (symbolic links followed), which must be a regular file of at most the
/// process's limit.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_bounded(path, max_file_size())
}

/// The bytes of `path`, a regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // `stat` never blocks, whatever the file is; refuse before opening.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    // Room for the whole file and the one byte that shows it grew: no reallocation, whose
    // doubling would briefly hold twice the file.
    let expected = meta.len().min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(usize::MAX));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// Standard input (`check -`), up to the process's limit like a file. A terminal is refused:
/// a run would wait for typing that never comes.
pub fn read_stdin() -> Result<Vec<u8>, ReadError> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(ReadError::Terminal);
    }
    let bytes = read_limited(stdin.lock(), max_file_size())?;
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(bytes)
}

/// At most `limit` bytes of `reader`; more is an error.
fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::StreamTooLarge(limit));
    }
    Ok(bytes)
}

/// `read` as UTF-8 text (a byte-order mark removed), or a located error for file `shown`.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Located> {
    let bytes = read(path).map_err(|e| e.located(shown))?;
    let mut text = String::from_utf8(bytes).map_err(|e| Located::file(shown, format!("invalid UTF-8: {e}")))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// A size as `--max-file-size` takes it: bytes, or with a suffix `K`, `M`, `G` (powers of 1024,
/// an optional `iB`/`B` after it), e.g. `512M`, `1G`, `300MiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write bytes or e.g. 512M, 1G"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("`{text}`: unknown unit `{unit}` (use K, M or G)")),
    };
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A size for messages: `256 MiB`, `1.5 GiB`, `10 bytes`.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if bytes >= size {
            let whole = bytes / size;
            let tenth = (bytes % size) * 10 / size;
            return if tenth == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenth} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("300MiB").unwrap(), 300 << 20);
        assert_eq!(parse_size("4k").unwrap(), 4096);
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert_eq!(show_size(DEFAULT_MAX_FILE_SIZE), "256 MiB");
        assert_eq!(show_size(3 << 29), "1.5 GiB");
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_over_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_bounded(&p, 10).unwrap(), b"0123456789");
        let e = read_bounded(&p, 9).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    size: Some(10),
                    limit: 9
                }
            ),
            "{e:?}"
        );
        assert!(e.located("f.json").help.unwrap().contains("--max-file-size"));
    }

    #[test]
    fn a_stream_is_bounded_like_a_file() {
        assert_eq!(read_limited(&b"0123456789"[..], 10).unwrap(), b"0123456789");
        let e = read_limited(&b"0123456789"[..], 9).unwrap_err();
        assert!(matches!(e, ReadError::StreamTooLarge(9)), "{e:?}");
        assert!(e.located("<stdin>").help.unwrap().contains("--max-file-size"));
    }

    #[test]
    fn directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_bounded(dir.path(), 10).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("main.tf");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // With no writer, a plain open would block this test forever.
            let e = read_bounded(&fifo, 10).unwrap_err();
            assert!(e.to_string().contains("FIFO"), "{e}");
        }
        let zero = dir.path().join("zero.tf");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_bounded(&zero, 10).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn links_to_regular_files_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink("t.yaml", dir.path().join("l.yaml")).unwrap();
        assert_eq!(read_text(&dir.path().join("l.yaml"), "l.yaml").unwrap(), "a: 1\n");
    }

    #[test]
    fn text_loses_its_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.yaml");
        std::fs::write(&p, b"\xEF\xBB\xBFa: 1\n").unwrap();
        assert_eq!(read_text(&p, "c.yaml").unwrap(), "a: 1\n");
        std::fs::write(&p, b"\xC3\x28").unwrap();
        assert!(read_text(&p, "c.yaml").unwrap_err().message.contains("UTF-8"));
    }
}
