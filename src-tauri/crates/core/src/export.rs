//! Writing the bundle: into a temporary sibling folder, then one rename. On any error the
//! temporary folder is removed and the destination is untouched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::CoreError;
use crate::render::Bundle;

fn io_err(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Export { path: path.display().to_string(), message: e.to_string() }
}

/// Writes `bundle` to `out`, which must not exist yet or be an empty folder.
pub fn write_bundle(bundle: &Bundle, out: &Path) -> Result<PathBuf, CoreError> {
    if out.exists() {
        let empty = out.is_dir() && fs::read_dir(out).map_err(|e| io_err(out, e))?.next().is_none();
        if !empty {
            return Err(io_err(out, "already exists and is not empty; choose a new folder so nothing is overwritten"));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(io_err(&parent, "the parent folder does not exist"));
    }
    let name = out.file_name().ok_or_else(|| io_err(out, "not a folder name"))?.to_string_lossy().to_string();
    let tmp = parent.join(format!(".{name}.trustbridge-tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let result = write_all(bundle, &tmp).and_then(|_| {
        if out.exists() {
            fs::remove_dir(out).map_err(|e| io_err(out, e))?;
        }
        fs::rename(&tmp, out).map_err(|e| io_err(out, e))
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(out.to_path_buf())
}

fn write_all(bundle: &Bundle, root: &Path) -> Result<(), CoreError> {
    fs::create_dir_all(root).map_err(|e| io_err(root, e))?;
    for f in &bundle.files {
        if f.path.contains("..") || f.path.starts_with('/') {
            return Err(io_err(Path::new(&f.path), "refusing a path outside the bundle"));
        }
        let path = root.join(&f.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        let mut file = fs::File::create(&path).map_err(|e| io_err(&path, e))?;
        file.write_all(f.content.as_bytes()).map_err(|e| io_err(&path, e))?;
        file.sync_all().map_err(|e| io_err(&path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if f.executable { 0o755 } else { 0o644 };
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).map_err(|e| io_err(&path, e))?;
        }
    }
    Ok(())
}

/// Atomically replaces one file (write to a temp sibling, fsync, rename). Used for autosave.
pub fn write_file_atomic(path: &Path, content: &[u8]) -> Result<(), CoreError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let name = path.file_name().ok_or_else(|| io_err(path, "not a file name"))?.to_string_lossy().to_string();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
}
