//! `file.staticBinary`: an executable in the workspace that needs no C library at run time, as
//! an image built `FROM scratch` requires. Read from the ELF program headers: a dynamically
//! linked executable names its loader (`PT_INTERP`); a static one (static-pie included) does not.

use std::io::Read;
use std::path::Path;

use super::{Finding, Outcome};

/// The program header type that names the dynamic loader.
const PT_INTERP: u32 = 3;
/// More program headers than any real executable has: a bound for hostile files.
const MAX_HEADERS: usize = 512;

/// How the file at hand is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linking {
    Static,
    Dynamic,
    /// Not a 64- or 32-bit little-endian ELF executable.
    NotElf,
}

/// Reads the ELF header and program headers of `bytes` (the file's start is enough).
pub fn linking(bytes: &[u8]) -> Linking {
    if bytes.len() < 0x40 || &bytes[..4] != b"\x7fELF" || bytes[5] != 1 {
        return Linking::NotElf;
    }
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let (phoff, phentsize, phnum) = match bytes[4] {
        // 64-bit
        2 => (u64_at(0x20).map(|v| v as usize), u16_at(0x36), u16_at(0x38)),
        // 32-bit
        1 => (u32_at(0x1c).map(|v| v as usize), u16_at(0x2a), u16_at(0x2c)),
        _ => return Linking::NotElf,
    };
    let (Some(phoff), Some(size), Some(count)) = (phoff, phentsize, phnum) else {
        return Linking::NotElf;
    };
    for i in 0..count.min(MAX_HEADERS) {
        match u32_at(phoff.saturating_add(i.saturating_mul(size))) {
            Some(PT_INTERP) => return Linking::Dynamic,
            Some(_) => {}
            None => return Linking::NotElf,
        }
    }
    Linking::Static
}

pub fn evaluate(path: &str, workspace: &Path) -> Outcome {
    let file = workspace.join(path);
    let mut head = Vec::new();
    // The headers sit at the start; 64 KiB is far more than they take.
    match std::fs::File::open(&file).and_then(|f| f.take(64 * 1024).read_to_end(&mut head)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => super::file::missing(path),
        Err(e) => Outcome::error(format!("cannot read `{path}`: {e}")),
        Ok(_) => match linking(&head) {
            Linking::Static => Outcome::Pass,
            Linking::Dynamic => Outcome::found(
                Finding::new("dynamicBinary").with("path", path),
                format!("`{path}` is linked dynamically: an image FROM scratch has no C library for it; build it with RUSTFLAGS='-C target-feature=+crt-static'"),
            ),
            Linking::NotElf => Outcome::found(
                Finding::new("notAnExecutable").with("path", path),
                format!("`{path}` is not a Linux executable"),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_static_is_static_and_the_system_ls_is_not() {
        let busybox = std::fs::read("/bin/busybox").expect("busybox-static (scripts/deps.sh test)");
        assert_eq!(linking(&busybox), Linking::Static);
        assert_eq!(
            linking(&std::fs::read("/bin/ls").unwrap()),
            Linking::Dynamic
        );
        assert_eq!(linking(b"#!/bin/sh\necho hi\n"), Linking::NotElf);
        // Truncated or hostile headers are not an executable, and never a panic.
        let mut cut = busybox[..0x40].to_vec();
        cut[0x38] = 0xff;
        cut[0x39] = 0xff;
        assert_eq!(linking(&cut), Linking::NotElf);
    }

    /// The Build lesson's step after a build without the static flags: the binary is there,
    /// and the step says it is the wrong kind, not that it is missing.
    #[test]
    fn a_dynamic_build_at_the_static_path_is_said_to_be_dynamic() {
        let ws = tempfile::tempdir().unwrap();
        let path = "target/x86_64-unknown-linux-gnu/release/loop-service";
        let code = |o: Outcome| match o {
            Outcome::Fail { finding, .. } => finding.map(|f| f.code),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(evaluate(path, ws.path())).as_deref(),
            Some("fileMissing")
        );
        std::fs::create_dir_all(ws.path().join(path).parent().unwrap()).unwrap();
        std::fs::copy("/bin/ls", ws.path().join(path)).unwrap();
        assert_eq!(
            code(evaluate(path, ws.path())).as_deref(),
            Some("dynamicBinary")
        );
        std::fs::copy("/bin/busybox", ws.path().join(path)).unwrap();
        assert_eq!(evaluate(path, ws.path()), Outcome::Pass);
    }
}
