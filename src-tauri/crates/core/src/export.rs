//! Writing the bundle: into a temporary sibling folder, then one rename. On any error the
//! temporary folder is removed and the destination is untouched.
//!
//! Another local user may share the parent folder (`/tmp`), so nothing here trusts a name:
//! - the temporary folder has a random name (`.{name}.trustbridge-tmp-{16 hex}`) and is created
//!   exclusively with mode 0700 — an existing folder, file or symlink of that name is an error,
//!   never reused and never removed;
//! - every file is created new (`O_CREAT|O_EXCL`) and never through a symlink (`O_NOFOLLOW`), with
//!   its mode set at creation and then on the open handle, never by path;
//! - `out` must not be a symlink; the final rename replaces only an empty folder, never a link.
//!
//! [`write_private_file_atomic`] writes the wizard's draft: 0600 in a 0700 folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::CoreError;
use crate::render::Bundle;

fn io_err(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Export { path: path.display().to_string(), message: e.to_string() }
}

/// 16 hex characters from the system CSPRNG, for temporary names nobody can predict.
fn random_hex() -> Result<String, CoreError> {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).map_err(|e| CoreError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Creates the folder `path` (its last component only), mode 0700 on unix. Anything already there
/// — a folder, a file, a symlink, even a dangling one — is an error (`AlreadyExists`).
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Creates a new file for writing: never an existing file and never through a symlink
/// (`O_CREAT|O_EXCL|O_NOFOLLOW`), with `mode` (unix) from the moment it exists.
pub(crate) fn create_new_file(path: &Path, mode: u32) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = mode;
    o.open(path)
}

/// Sets the mode of an open file or folder through its handle (`fchmod`), never by path.
fn set_mode(f: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (f, mode);
        Ok(())
    }
}

/// Opens a folder to change its mode through the handle. `follow`: whether a symlink at `path`
/// itself is followed (never inside a bundle being written).
#[cfg(unix)]
fn open_dir(path: &Path, follow: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = if follow { libc::O_DIRECTORY } else { libc::O_DIRECTORY | libc::O_NOFOLLOW };
    OpenOptions::new().read(true).custom_flags(flags).open(path)
}

/// Writes `content` to a new file at `path` (see [`create_new_file`]): created 0600, written, given
/// `final_mode` on the handle, fsynced.
fn write_new_file(path: &Path, content: &[u8], final_mode: u32) -> io::Result<()> {
    let mut file = create_new_file(path, 0o600)?;
    file.write_all(content)?;
    set_mode(&file, final_mode)?;
    file.sync_all()
}

/// A bundle path as a relative path of plain names (no `..`, no root, no prefix, not empty).
fn safe_relative(p: &str) -> Result<&Path, CoreError> {
    let path = Path::new(p);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    if p.is_empty() || p.contains("..") || p.starts_with('/') || !plain {
        return Err(io_err(path, "refusing a path outside the bundle"));
    }
    Ok(path)
}

/// The temporary folder for an export to `parent/name`: a random name, created exclusively, 0700.
pub(crate) fn new_temp_dir(parent: &Path, name: &str) -> Result<PathBuf, CoreError> {
    let tmp = parent.join(format!(".{name}.trustbridge-tmp-{}", random_hex()?));
    create_private_dir(&tmp).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            io_err(&tmp, "already exists (it is not ours, so it is neither reused nor removed); run the export again")
        } else {
            io_err(&tmp, e)
        }
    })?;
    Ok(tmp)
}

/// Writes `bundle` to `out`, which must not exist yet or be an empty folder, and must not be a
/// symbolic link.
pub fn write_bundle(bundle: &Bundle, out: &Path) -> Result<PathBuf, CoreError> {
    let name = out.file_name().ok_or_else(|| io_err(out, "not a folder name"))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // `parent/name`, not `out`: with a trailing slash (`link/`) the system would follow the link.
    let target = parent.join(name);
    match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(io_err(out, "is a symbolic link; an export is never written through a link: choose a real folder (or a new name)"))
        }
        Ok(m) => {
            let empty = m.is_dir() && fs::read_dir(&target).map_err(|e| io_err(out, e))?.next().is_none();
            if !empty {
                return Err(io_err(out, "already exists and is not empty; choose a new folder so nothing is overwritten"));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(out, e)),
    }
    if !parent.is_dir() {
        return Err(io_err(&parent, "the parent folder does not exist"));
    }
    let tmp = new_temp_dir(&parent, &name.to_string_lossy())?;
    let result = write_all(bundle, &tmp).and_then(|dirs| publish(&tmp, &dirs, &target, out));
    if let Err(e) = result {
        // Only ever the folder created above (exclusively, with a fresh random name).
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(out.to_path_buf())
}

/// Writes every file under `root` (a folder from [`new_temp_dir`]); subfolders are created 0700.
/// Returns the subfolders created, deepest last.
fn write_all(bundle: &Bundle, root: &Path) -> Result<Vec<PathBuf>, CoreError> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for f in &bundle.files {
        let rel = safe_relative(&f.path)?;
        let mut dir = root.to_path_buf();
        if let Some(folders) = rel.parent() {
            for c in folders.components() {
                dir.push(c);
                match create_private_dir(&dir) {
                    Ok(()) => dirs.push(dir.clone()),
                    // Made by an earlier file of this bundle (a real folder, not a link).
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists && fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) => {}
                    Err(e) => return Err(io_err(&dir, e)),
                }
            }
        }
        let path = root.join(rel);
        let mode = if f.executable { 0o755 } else { 0o644 };
        write_new_file(&path, f.content.as_bytes(), mode).map_err(|e| io_err(&path, e))?;
    }
    Ok(dirs)
}

/// Opens the finished bundle's folders to 0755 (through handles; the bundle holds no secret) and
/// renames it to `target`. On unix the rename itself replaces an empty folder and fails on anything
/// else (a non-empty folder, a file, a symlink planted meanwhile).
fn publish(tmp: &Path, dirs: &[PathBuf], target: &Path, out: &Path) -> Result<(), CoreError> {
    #[cfg(unix)]
    for d in dirs.iter().rev().map(PathBuf::as_path).chain([tmp]) {
        let h = open_dir(d, false).map_err(|e| io_err(d, e))?;
        set_mode(&h, 0o755).map_err(|e| io_err(d, e))?;
    }
    #[cfg(not(unix))]
    {
        let _ = dirs;
        if fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
            fs::remove_dir(target).map_err(|e| io_err(out, e))?;
        }
    }
    fs::rename(tmp, target).map_err(|e| io_err(out, e))
}

/// Atomically replaces one file (a temp sibling with a random name, created new without following
/// links, fsynced, renamed over `path`; the rename replaces a symlink at `path`, never its target).
/// The file ends 0644; its folder is created if missing. For private files see
/// [`write_private_file_atomic`].
pub fn write_file_atomic(path: &Path, content: &[u8]) -> Result<(), CoreError> {
    let dir = parent_of(path);
    fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    replace_file(path, content, 0o644)
}

/// [`write_file_atomic`] for a file only the user may read (the wizard's draft: account and tenant
/// ids, the external id): the file is 0600 from creation on, and its folder is created 0700 (with
/// any missing parents) or, if it exists with group/other bits, tightened to 0700.
pub fn write_private_file_atomic(path: &Path, content: &[u8]) -> Result<(), CoreError> {
    let dir = parent_of(path);
    ensure_private_dir(dir).map_err(|e| io_err(dir, e))?;
    replace_file(path, content, 0o600)
}

fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Creates `dir` (recursively) with mode 0700, or tightens an existing one to 0700 through a handle.
pub(crate) fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The app's own data folder: a link there is the user's choice, so it is followed.
        let h = open_dir(dir, true)?;
        if h.metadata()?.permissions().mode() & 0o077 != 0 {
            set_mode(&h, 0o700)?;
        }
    }
    Ok(())
}

fn replace_file(path: &Path, content: &[u8], mode: u32) -> Result<(), CoreError> {
    let dir = parent_of(path);
    let name = path.file_name().ok_or_else(|| io_err(path, "not a file name"))?.to_string_lossy().to_string();
    let tmp = dir.join(format!(".{name}.tmp-{}", random_hex()?));
    let res = (|| {
        let mut f = create_new_file(&tmp, 0o600)?;
        f.write_all(content)?;
        set_mode(&f, mode)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        // Only if this call created it: create_new never opens a file that was already there.
        if e.kind() != io::ErrorKind::AlreadyExists {
            let _ = fs::remove_file(&tmp);
        }
        return Err(io_err(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Artifact;

    fn bundle(files: &[(&str, &str)]) -> Bundle {
        Bundle { files: files.iter().map(|(p, c)| Artifact::text(p, c.to_string())).collect() }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
        v.sort();
        v
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn temp_folder_names_are_random_and_never_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let a = new_temp_dir(tmp.path(), "out").unwrap();
        let b = new_temp_dir(tmp.path(), "out").unwrap();
        assert_ne!(a, b);
        let n = a.file_name().unwrap().to_string_lossy().to_string();
        let hex = n.strip_prefix(".out.trustbridge-tmp-").unwrap();
        assert!(hex.len() == 16 && hex.bytes().all(|c| c.is_ascii_hexdigit()), "{n}");
        // A folder (or anything) already at a name is an error, not reused.
        assert_eq!(create_private_dir(&a).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_a_folder_name_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::create_dir(&victim).unwrap();
        let planted = tmp.path().join(".out.trustbridge-tmp-0000000000000000");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        assert_eq!(create_private_dir(&planted).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        let dangling = tmp.path().join("dangling");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
        assert!(create_private_dir(&dangling).is_err());
        assert!(!tmp.path().join("nowhere").exists());
        assert!(names(&victim).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_temp_folder_and_its_subfolders_are_0700_while_being_written() {
        let tmp = tempfile::tempdir().unwrap();
        let root = new_temp_dir(tmp.path(), "out").unwrap();
        assert_eq!(mode(&root), 0o700);
        let mut b = bundle(&[("SUMMARY.md", "# s"), ("aws/trust-policy.json", "{}")]);
        b.files.push(Artifact::script("aws/setup.sh", "#!/bin/sh\n".into()));
        let dirs = write_all(&b, &root).unwrap();
        assert_eq!(dirs, [root.join("aws")]);
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join("aws")), 0o700);
        assert_eq!(mode(&root.join("SUMMARY.md")), 0o644);
        assert_eq!(mode(&root.join("aws/setup.sh")), 0o755);
        // Once published, the bundle (which holds no secret) is readable as before.
        let out = tmp.path().join("out");
        publish(&root, &dirs, &out, &out).unwrap();
        assert_eq!(mode(&out), 0o755);
        assert_eq!(mode(&out.join("aws")), 0o755);
        assert_eq!(mode(&out.join("aws/trust-policy.json")), 0o644);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_never_opened_through_a_planted_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        let root = new_temp_dir(tmp.path(), "out").unwrap();
        let link = root.join("SUMMARY.md");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_new_file(&link, 0o644).is_err());
        assert!(write_all(&bundle(&[("SUMMARY.md", "attacker gets this")]), &root).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        // A dangling link is not followed to create its target either.
        let dangling = root.join("plan.json");
        std::os::unix::fs::symlink(tmp.path().join("created-through-link"), &dangling).unwrap();
        assert!(create_new_file(&dangling, 0o644).is_err());
        assert!(!tmp.path().join("created-through-link").exists());
        // Nor through a symlinked subfolder.
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("aws")).unwrap();
        assert!(write_all(&bundle(&[("aws/setup.sh", "x")]), &root).is_err());
        assert!(names(&elsewhere).is_empty());
        // And an existing regular file is never reused.
        fs::write(root.join("handoff.json"), "old").unwrap();
        assert_eq!(create_new_file(&root.join("handoff.json"), 0o644).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_out_is_refused_and_nothing_is_written_through_it() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let b = bundle(&[("SUMMARY.md", "# s")]);
        for out in [link.clone(), tmp.path().join("link/"), PathBuf::from(format!("{}/", link.display()))] {
            let e = write_bundle(&b, &out).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        let dangling = tmp.path().join("dangling");
        std::os::unix::fs::symlink(tmp.path().join("new-folder"), &dangling).unwrap();
        assert!(write_bundle(&b, &dangling).unwrap_err().to_string().contains("symbolic link"));
        assert!(!tmp.path().join("new-folder").exists());
        assert!(names(&real).is_empty());
        assert_eq!(names(tmp.path()), ["dangling", "link", "real"], "no temporary folder left behind");
    }

    #[test]
    fn an_error_mid_write_leaves_no_temp_folder_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for b in [
            bundle(&[("SUMMARY.md", "# s"), ("aws/a.json", "{}"), ("../escape", "x")]),
            bundle(&[("SUMMARY.md", "# s"), ("aws/a.json", "{}"), ("aws/a.json", "twice")]),
            bundle(&[("SUMMARY.md", "# s"), ("SUMMARY.md/x", "under a file")]),
        ] {
            assert!(write_bundle(&b, &out).is_err());
            assert!(names(tmp.path()).is_empty(), "left behind: {:?}", names(tmp.path()));
        }
        write_bundle(&bundle(&[("SUMMARY.md", "# s"), ("aws/a.json", "{}")]), &out).unwrap();
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(names(&out), ["SUMMARY.md", "aws"]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600_in_a_0700_folder() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data/app");
        let f = dir.join("draft.json");
        write_private_file_atomic(&f, b"{}").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&tmp.path().join("data")), 0o700);
        // An existing folder with group/other bits is tightened; the file is replaced, still 0600.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        write_private_file_atomic(&f, b"{\"v\":2}").unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&f), 0o600);
        assert_eq!(fs::read(&f).unwrap(), b"{\"v\":2}");
        assert_eq!(names(&dir), ["draft.json"], "no temporary file left behind");
        // The public variant keeps 0644.
        let p = tmp.path().join("pub/plan.json");
        write_file_atomic(&p, b"{}").unwrap();
        assert_eq!(mode(&p), 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_replaces_a_planted_symlink_instead_of_following_it() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let dir = tmp.path().join("data");
        fs::create_dir(&dir).unwrap();
        let f = dir.join("draft.json");
        std::os::unix::fs::symlink(&victim, &f).unwrap();
        write_private_file_atomic(&f, b"{}").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!fs::symlink_metadata(&f).unwrap().file_type().is_symlink());
        assert_eq!(mode(&f), 0o600);
    }

    #[test]
    fn an_atomic_write_that_fails_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        // The target is a non-empty folder: the rename fails after the temp file was written.
        let f = tmp.path().join("draft.json");
        fs::create_dir(&f).unwrap();
        fs::write(f.join("x"), "x").unwrap();
        assert!(write_private_file_atomic(&f, b"{}").is_err());
        assert_eq!(names(tmp.path()), ["draft.json"]);
    }
}
