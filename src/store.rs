//! The persistent build cache: tables of work already done (a post-mortem parsed, its
//! words counted and its causes inferred), kept in the cache folder between builds and
//! between CI runs, so a build with one post-mortem changed redoes the work of that one.
//!
//! A table maps a key (a hash of everything its value is a function of: the source
//! text, its path and folder defaults) to the encoded value. What the key leaves out is
//! in the table's *salt*: the format, the executable (version, commit, size and time of
//! its file, as for [`crate::uptodate`]) and the configuration. A table written under
//! another salt is not read at all, so a new hindsight or an edited site.toml never
//! reuses a value computed by another.
//!
//! A table is split in [`SHARDS`] files by key, so a build that changed one post-mortem
//! rewrites one or two files, not the whole table. Each file is written whole to a
//! temporary file and renamed into place, and ends with a BLAKE3 hash of its contents:
//! a file cut short, damaged or of another salt is ignored (with a note saying so) and
//! rewritten; its values are computed again. The cache is never a source of truth.
//!
//! Layout of a shard file: `MAGIC`, the 32-byte salt, the entry count (u32 LE), then
//! per entry its 16-byte key, its length (u32 LE) and its bytes, in key order; then the
//! BLAKE3 hash of everything before it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

/// A value's key: the first 16 bytes of a BLAKE3 hash.
pub(crate) type Key = [u8; 16];

/// Files per table. 64 keeps each file near a megabyte at 1,000 post-mortems and a
/// few at 10,000, and a one-file change rewrites a sixty-fourth of the table.
pub(crate) const SHARDS: usize = 64;

const MAGIC: &[u8; 8] = b"HSTORE01";

/// The key of the fields given, each length-prefixed so no two lists of fields share
/// a key.
pub(crate) fn key(fields: &[&[u8]]) -> Key {
    let mut h = blake3::Hasher::new();
    for f in fields {
        h.update(&(f.len() as u64).to_le_bytes());
        h.update(f);
    }
    let mut key = [0; 16];
    key.copy_from_slice(&h.finalize().as_bytes()[..16]);
    key
}

/// What identifies the running executable: its version and commit, and the size and
/// modification time of its file, so a rebuilt binary (even of the same commit, with
/// local changes) never trusts what another computed. Its bytes are not hashed: a
/// release binary is over 100 MB, more than reading every post-mortem.
pub(crate) fn executable_id() -> Option<Vec<u8>> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(
        format!(
            "{} {} {} {mtime}",
            env!("CARGO_PKG_VERSION"),
            env!("HINDSIGHT_COMMIT"),
            meta.len()
        )
        .into_bytes(),
    )
}

/// One table of the cache: the values found on disk, and what saving needs to know of
/// the files they came from.
#[derive(Debug)]
pub(crate) struct Table<V> {
    dir: PathBuf,
    name: &'static str,
    salt: [u8; 32],
    /// Values read, by key.
    values: HashMap<Key, V>,
    /// What each shard file held when read.
    on_disk: Vec<OnDisk>,
    /// Why some of the table could not be used, once per table.
    pub(crate) notice: Option<String>,
}

/// A shard file as the table found it.
#[derive(Debug)]
enum OnDisk {
    /// No file.
    Absent,
    /// A file that cannot be used (damaged, or of another salt): replaced or removed
    /// when the table is saved.
    Unusable,
    /// A usable file and the keys it holds.
    Keys(HashSet<Key>),
}

/// Which shard a key lives in.
fn shard_of(key: &Key) -> usize {
    usize::from(key[0]) % SHARDS
}

/// Why a shard file is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// Written by another executable or for another configuration: not damaged, and
    /// the normal outcome of an upgrade or a site.toml edit.
    Foreign,
    /// Damaged, cut short or not a cache file at all.
    Damaged(&'static str),
}

/// One note for everything that kept a table's files from being used.
fn notice(dir: &Path, problems: &BTreeMap<usize, (PathBuf, Problem)>) -> Option<String> {
    let damaged: Vec<(&PathBuf, &str)> = problems
        .values()
        .filter_map(|(path, p)| match p {
            Problem::Damaged(why) => Some((path, *why)),
            Problem::Foreign => None,
        })
        .collect();
    if let Some((path, why)) = damaged.first() {
        let more = match damaged.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more file)".to_string(),
            n => format!(" (and {n} more files)"),
        };
        return Some(format!(
            "build cache file {} is {why}{more}; it is ignored, and what it held is computed again and saved anew",
            path.display()
        ));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "the build cache in {} was written by another hindsight or for another configuration; it is not used, and this build saves it anew",
            dir.display()
        )
    })
}

/// The entries of one shard file's bytes, when it is whole and of this salt.
fn entries<'a>(bytes: &'a [u8], salt: &[u8; 32]) -> Result<Vec<(Key, &'a [u8])>, Problem> {
    let cut = Problem::Damaged("cut short");
    let body_len = bytes.len().checked_sub(32).ok_or(cut.clone())?;
    let (body, hash) = bytes.split_at(body_len);
    if blake3::hash(body).as_bytes() != hash {
        return Err(Problem::Damaged(
            "damaged or cut short (its checksum does not match)",
        ));
    }
    let rest = body
        .strip_prefix(MAGIC.as_slice())
        .ok_or(Problem::Damaged("not a hindsight cache file"))?;
    let (file_salt, rest) = rest.split_at_checked(32).ok_or(cut.clone())?;
    if file_salt != salt {
        return Err(Problem::Foreign);
    }
    let mut at = 4;
    let count = u32::from_le_bytes(
        rest.get(..4)
            .ok_or(cut.clone())?
            .try_into()
            .unwrap_or_default(),
    );
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let key: Key = rest
            .get(at..at + 16)
            .and_then(|k| k.try_into().ok())
            .ok_or(cut.clone())?;
        let len = rest
            .get(at + 16..at + 20)
            .and_then(|l| l.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or(cut.clone())? as usize;
        let value = rest.get(at + 20..at + 20 + len).ok_or(cut.clone())?;
        out.push((key, value));
        at += 20 + len;
    }
    if at != rest.len() {
        return Err(Problem::Damaged("damaged (bytes after its last entry)"));
    }
    Ok(out)
}

impl<V: Send + Sync> Table<V> {
    /// Read the table `name` of `dir` under `salt`, decoding the values whose keys are
    /// `wanted` (the others are dropped when the table is saved). A value `decode`
    /// cannot read is left out: it is computed again.
    pub(crate) fn open(
        dir: &Path,
        name: &'static str,
        salt: &[u8],
        wanted: &HashSet<Key>,
        decode: impl Fn(&[u8]) -> Option<V> + Sync,
    ) -> Table<V> {
        let salt = *blake3::hash(salt).as_bytes();
        let problems: Mutex<BTreeMap<usize, (PathBuf, Problem)>> = Mutex::default();
        let shards: Vec<(Vec<(Key, V)>, OnDisk)> = (0..SHARDS)
            .into_par_iter()
            .map(|shard| {
                let path = shard_path(dir, name, shard);
                let Ok(bytes) = std::fs::read(&path) else {
                    return (Vec::new(), OnDisk::Absent);
                };
                match entries(&bytes, &salt) {
                    Ok(entries) => {
                        let keys = entries.iter().map(|(k, _)| *k).collect();
                        let values = entries
                            .into_iter()
                            .filter(|(k, _)| wanted.contains(k))
                            .filter_map(|(k, bytes)| Some((k, decode(bytes)?)))
                            .collect();
                        (values, OnDisk::Keys(keys))
                    }
                    Err(why) => {
                        if let Ok(mut p) = problems.lock() {
                            p.insert(shard, (path, why));
                        }
                        (Vec::new(), OnDisk::Unusable)
                    }
                }
            })
            .collect();
        let mut values = HashMap::with_capacity(wanted.len());
        let mut on_disk = Vec::with_capacity(SHARDS);
        for (found, keys) in shards {
            values.extend(found);
            on_disk.push(keys);
        }
        let problems = problems.into_inner().unwrap_or_default();
        let notice = notice(dir, &problems);
        Table {
            dir: dir.to_path_buf(),
            name,
            salt,
            values,
            on_disk,
            notice,
        }
    }

    /// The value of `key` read from disk, taken out of the table.
    pub(crate) fn take(&mut self, key: &Key) -> Option<V> {
        self.values.remove(key)
    }

    /// The value of `key` read from disk.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &Key) -> Option<&V> {
        self.values.get(key)
    }

    /// Save the table as exactly `current` (every key of this build), `fresh` being
    /// the keys whose values this build computed: `encode` gives their bytes when
    /// their shard is written, so a build never holds the whole table encoded. A shard
    /// is rewritten only when its keys differ from what its file holds; the values it
    /// keeps are copied from that file as they are. A key of `current` with no value
    /// anywhere is left out.
    pub(crate) fn save(
        &self,
        current: &HashSet<Key>,
        fresh: &HashSet<Key>,
        encode: impl Fn(&Key) -> Option<Vec<u8>> + Sync,
    ) -> std::io::Result<Written> {
        let mut by_shard: Vec<Vec<Key>> = vec![Vec::new(); SHARDS];
        for key in current {
            by_shard[shard_of(key)].push(*key);
        }
        std::fs::create_dir_all(&self.dir)?;
        let rewritten = by_shard
            .into_par_iter()
            .enumerate()
            .map(|(shard, mut keys)| -> std::io::Result<usize> {
                keys.sort_unstable();
                let unchanged = match &self.on_disk[shard] {
                    OnDisk::Keys(on_disk) => {
                        on_disk.len() == keys.len()
                            && keys
                                .iter()
                                .all(|k| on_disk.contains(k) && !fresh.contains(k))
                    }
                    OnDisk::Absent => keys.is_empty(),
                    OnDisk::Unusable => false,
                };
                if unchanged {
                    return Ok(0);
                }
                self.rewrite(shard, &keys, fresh, &encode)?;
                Ok(1)
            })
            .collect::<std::io::Result<Vec<usize>>>()?;
        Ok(Written {
            files: rewritten.iter().sum(),
        })
    }

    /// Write one shard file anew: fresh values, and the others copied from its file.
    fn rewrite(
        &self,
        shard: usize,
        keys: &[Key],
        fresh: &HashSet<Key>,
        encode: &(impl Fn(&Key) -> Option<Vec<u8>> + Sync),
    ) -> std::io::Result<()> {
        let path = shard_path(&self.dir, self.name, shard);
        let old = match self.on_disk[shard] {
            OnDisk::Keys(_) => std::fs::read(&path).unwrap_or_default(),
            OnDisk::Absent | OnDisk::Unusable => Vec::new(),
        };
        let old: HashMap<Key, &[u8]> = entries(&old, &self.salt)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&0u32.to_le_bytes());
        let mut count = 0u32;
        for key in keys {
            let encoded;
            let value = if fresh.contains(key) {
                match encode(key) {
                    Some(bytes) => {
                        encoded = bytes;
                        &encoded[..]
                    }
                    None => continue,
                }
            } else {
                match old.get(key) {
                    Some(bytes) => *bytes,
                    None => continue,
                }
            };
            out.extend_from_slice(key);
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
            count += 1;
        }
        if count == 0 {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let at = MAGIC.len() + 32;
        out[at..at + 4].copy_from_slice(&count.to_le_bytes());
        let hash = blake3::hash(&out);
        out.extend_from_slice(hash.as_bytes());
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &out)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// What saving a table wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Written {
    /// Shard files rewritten (or removed, when emptied).
    pub(crate) files: usize,
}

fn shard_path(dir: &Path, name: &str, shard: usize) -> PathBuf {
    dir.join(format!("{name}-{shard:02}.bin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u8) -> Vec<Key> {
        (0..n).map(|i| key(&[&[i]])).collect()
    }

    fn open(dir: &Path, salt: &[u8], wanted: &[Key]) -> Table<Vec<u8>> {
        let wanted = wanted.iter().copied().collect();
        Table::open(dir, "t", salt, &wanted, |b| Some(b.to_vec()))
    }

    /// Save `table` as `current`, with `fresh` the values computed anew.
    fn save_map(
        table: &Table<Vec<u8>>,
        current: &HashSet<Key>,
        fresh: &HashMap<Key, Vec<u8>>,
    ) -> usize {
        let keys = fresh.keys().copied().collect();
        table
            .save(current, &keys, |k| fresh.get(k).cloned())
            .unwrap()
            .files
    }

    fn save_all(table: &Table<Vec<u8>>, values: &[(Key, Vec<u8>)]) -> usize {
        let current = values.iter().map(|(k, _)| *k).collect();
        save_map(table, &current, &values.iter().cloned().collect())
    }

    #[test]
    fn values_come_back_and_an_unchanged_table_rewrites_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ks = keys(100);
        let values: Vec<(Key, Vec<u8>)> = ks.iter().map(|k| (*k, k[..4].to_vec())).collect();
        let table = open(dir.path(), b"s", &ks);
        assert!(table.values.is_empty() && table.notice.is_none());
        let files = save_all(&table, &values);
        assert!(files > 30, "100 keys spread over the shards, {files} files");

        let mut table = open(dir.path(), b"s", &ks);
        assert_eq!(table.notice, None);
        for (k, v) in &values {
            assert_eq!(table.take(k).as_ref(), Some(v));
        }
        // Every value is on disk already: nothing is written.
        let current = ks.iter().copied().collect();
        assert_eq!(save_map(&table, &current, &HashMap::new()), 0);
    }

    #[test]
    fn a_changed_value_rewrites_its_shard_only_and_keeps_the_others_values() {
        let dir = tempfile::tempdir().unwrap();
        let ks = keys(100);
        let values: Vec<(Key, Vec<u8>)> = ks.iter().map(|k| (*k, vec![k[1]])).collect();
        save_all(&open(dir.path(), b"s", &ks), &values);

        // One key replaced by another (an edited post-mortem): its old shard and its
        // new one are rewritten, the old value is dropped, the rest are kept.
        let new_key = key(&[b"edited"]);
        let mut current: HashSet<Key> = ks.iter().copied().collect();
        current.remove(&ks[0]);
        current.insert(new_key);
        let table = open(
            dir.path(),
            b"s",
            &current.iter().copied().collect::<Vec<_>>(),
        );
        let fresh = HashMap::from([(new_key, b"new".to_vec())]);
        let files = save_map(&table, &current, &fresh);
        let expected = if shard_of(&new_key) == shard_of(&ks[0]) {
            1
        } else {
            2
        };
        assert_eq!(files, expected);

        let all: Vec<Key> = ks.iter().copied().chain([new_key]).collect();
        let mut table = open(dir.path(), b"s", &all);
        assert_eq!(table.take(&new_key), Some(b"new".to_vec()));
        assert_eq!(table.take(&ks[0]), None, "the old value is gone");
        for k in &ks[1..] {
            assert_eq!(table.take(k), Some(vec![k[1]]));
        }
    }

    #[test]
    fn another_salt_or_a_damaged_file_is_ignored_with_a_notice_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let ks = keys(20);
        let values: Vec<(Key, Vec<u8>)> = ks.iter().map(|k| (*k, vec![7; 10])).collect();
        save_all(&open(dir.path(), b"s", &ks), &values);

        let other = open(dir.path(), b"another version", &ks);
        assert!(other.values.is_empty());
        let notice = other.notice.clone().unwrap();
        assert!(notice.contains("written by another hindsight"), "{notice}");

        // Flip a byte inside one file, cut another short.
        let path = shard_path(dir.path(), "t", shard_of(&ks[0]));
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[60] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let cut = shard_path(dir.path(), "t", shard_of(&ks[1]));
        assert_ne!(cut, path, "the test keys live in two shards");
        let bytes = std::fs::read(&cut).unwrap();
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let mut table = open(dir.path(), b"s", &ks);
        let notice = table.notice.clone().unwrap();
        assert!(notice.contains("checksum does not match"), "{notice}");
        assert!(notice.contains("(and 1 more file)"), "{notice}");
        assert_eq!(table.get(&ks[0]), None);
        assert_eq!(table.get(&ks[1]), None);
        let elsewhere = ks
            .iter()
            .find(|k| ![shard_of(&ks[0]), shard_of(&ks[1])].contains(&shard_of(k)))
            .unwrap();
        assert_eq!(
            table.take(elsewhere),
            Some(vec![7; 10]),
            "the other files are read"
        );

        // Saved again with the lost values computed anew (as a build does for every
        // key it did not find), the table is whole.
        let fresh: HashMap<Key, Vec<u8>> = ks
            .iter()
            .filter(|k| *k != elsewhere && table.get(k).is_none())
            .map(|k| (*k, vec![7; 10]))
            .collect();
        assert!(fresh.contains_key(&ks[0]) && fresh.contains_key(&ks[1]));
        let current = ks.iter().copied().collect();
        save_map(&table, &current, &fresh);
        let table = open(dir.path(), b"s", &ks);
        assert_eq!(table.notice, None);
        assert_eq!(table.values.len(), 20);
    }

    #[test]
    fn a_damaged_file_whose_keys_are_all_gone_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ks = keys(1);
        save_all(&open(dir.path(), b"s", &ks), &[(ks[0], vec![1])]);
        let path = shard_path(dir.path(), "t", shard_of(&ks[0]));
        std::fs::write(&path, b"damaged").unwrap();
        // The only post-mortem of that shard was edited: its key is another's now.
        let other = key(&[b"other"]);
        assert_ne!(shard_of(&other), shard_of(&ks[0]));
        let table = open(dir.path(), b"s", &[other]);
        assert!(table.notice.is_some());
        save_all(&table, &[(other, vec![2])]);
        assert!(!path.exists(), "the damaged file is gone");
        assert_eq!(open(dir.path(), b"s", &[other]).notice, None);
    }

    #[test]
    fn a_value_that_cannot_be_decoded_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let ks = keys(3);
        let values: Vec<(Key, Vec<u8>)> = ks.iter().map(|k| (*k, vec![k[0]])).collect();
        save_all(&open(dir.path(), b"s", &ks), &values);
        let wanted = ks.iter().copied().collect();
        let bad = ks[1][0];
        let table = Table::open(dir.path(), "t", b"s", &wanted, |b: &[u8]| {
            (b[0] != bad).then(|| b.to_vec())
        });
        assert_eq!(table.values.len(), 2);
        assert_eq!(table.get(&ks[1]), None);
        assert_eq!(table.notice, None);
    }
}
