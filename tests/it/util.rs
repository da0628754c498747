//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `hindsight` binary built for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hindsight"))
}

/// Folder of the fixture archives.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copy a folder recursively (fixtures are built in a temporary copy).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of fixture `name`.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

/// Run the binary with `args` in `cwd`; returns (exit code, stdout, stderr).
pub fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("HINDSIGHT_TIMINGS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The searchable texts of a browser search document file
/// (`hindsightDocs(n,[...],"<zlib, base 64>");`), unpacked as search.js does it.
pub fn search_doc_texts(file: &str) -> Vec<String> {
    let packed = file
        .rsplit_once(",\"")
        .map(|(_, p)| p.trim_end().trim_end_matches(");").trim_end_matches('"'))
        .unwrap_or("");
    let digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in packed.bytes().filter(|&b| b != b'=') {
        let digit = digits.iter().position(|&d| d == b).expect("base 64") as u32;
        acc = acc << 6 | digit;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let json = miniz_oxide::inflate::decompress_to_vec_zlib(&bytes).expect("zlib");
    serde_json::from_slice(&json).expect("a JSON array of texts")
}
