//! Paths inside a lesson pack: anything that would leave the pack is refused, symlinks included.

use std::path::{Component, Path, PathBuf};

/// Why a path written in a pack cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("`{0}` is absolute; write it relative to the lesson folder")]
    Absolute(String),
    #[error("`{0}` climbs out of the pack with `..`")]
    Climbs(String),
    #[error("`{0}` does not exist in the pack")]
    Missing(String),
    #[error("`{0}` is a link that points outside the pack")]
    LinksOut(String),
    #[error("`{0}` is not a plain relative path")]
    Strange(String),
}

/// Resolves `written` (as found in a lesson) against `base` (a folder inside `root`), and
/// checks that the file exists and that it, after following every symlink, is inside `root`.
pub fn resolve(root: &Path, base: &Path, written: &str) -> Result<PathBuf, PathError> {
    let rel = Path::new(written);
    if written.is_empty() || written.contains('\0') {
        return Err(PathError::Strange(written.to_owned()));
    }
    let mut clean = PathBuf::new();
    for part in rel.components() {
        match part {
            Component::Normal(p) => clean.push(p),
            Component::CurDir => {}
            Component::ParentDir => return Err(PathError::Climbs(written.to_owned())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(PathError::Absolute(written.to_owned()))
            }
        }
    }
    let joined = base.join(&clean);
    let real = joined
        .canonicalize()
        .map_err(|_| PathError::Missing(written.to_owned()))?;
    let real_root = root
        .canonicalize()
        .map_err(|_| PathError::Missing(root.display().to_string()))?;
    if real.starts_with(&real_root) {
        Ok(real)
    } else {
        Err(PathError::LinksOut(written.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pack/lessons/code/img")).unwrap();
        std::fs::write(dir.path().join("pack/lessons/code/img/loop.svg"), "<svg/>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
        dir
    }

    #[test]
    fn a_relative_asset_inside_the_pack_resolves() {
        let dir = pack();
        let root = dir.path().join("pack");
        let base = root.join("lessons/code");
        let p = resolve(&root, &base, "./img/loop.svg").unwrap();
        assert!(p.ends_with("img/loop.svg"));
    }

    #[test]
    fn climbing_absolute_and_odd_paths_are_refused() {
        let dir = pack();
        let root = dir.path().join("pack");
        let base = root.join("lessons/code");
        assert!(matches!(
            resolve(&root, &base, "../../../secret.txt"),
            Err(PathError::Climbs(_))
        ));
        assert!(matches!(
            resolve(&root, &base, "img/../../code/img/loop.svg"),
            Err(PathError::Climbs(_))
        ));
        assert!(matches!(
            resolve(&root, &base, "/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
        assert!(matches!(
            resolve(&root, &base, ""),
            Err(PathError::Strange(_))
        ));
        assert!(matches!(
            resolve(&root, &base, "img/none.png"),
            Err(PathError::Missing(_))
        ));
    }

    #[test]
    fn a_symlink_pointing_out_of_the_pack_is_refused() {
        let dir = pack();
        let root = dir.path().join("pack");
        let base = root.join("lessons/code");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), base.join("img/innocent.png"))
            .unwrap();
        assert_eq!(
            resolve(&root, &base, "img/innocent.png"),
            Err(PathError::LinksOut("img/innocent.png".into()))
        );
    }
}
