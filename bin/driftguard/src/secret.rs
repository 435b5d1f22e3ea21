//! The secrets of a development install: the JWT secret and the audit key, each generated
//! once, kept in the data folder with owner-only permissions, and reused at every start so
//! that tokens and signed checkpoints survive restarts. Production configures both (settings
//! validation refuses to start otherwise).

use anyhow::{Context, bail};
use rand::RngCore;
use secrecy::SecretString;
use std::io::Write;
use std::path::Path;

const JWT_FILE: &str = "jwt_secret";
const AUDIT_KEY_FILE: &str = "audit_key";

/// The configured JWT secret, or the one kept in `data_dir` (made on first use).
pub fn load_or_generate(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    match configured {
        Some(secret) => Ok(secret.clone()),
        None => kept_in(&data_dir.join(JWT_FILE), "JWT secret"),
    }
}

/// The key that signs the audit trail's checkpoints: `audit_key`, else the contents of
/// `audit_key_file`, else the one kept in `data_dir` (made on first use).
pub fn audit_key(
    configured: Option<&SecretString>,
    file: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    match (configured, file) {
        (Some(key), _) => Ok(key.clone()),
        (None, Some(file)) => read(file, "audit key"),
        (None, None) => kept_in(&data_dir.join(AUDIT_KEY_FILE), "audit key"),
    }
}

/// Reads a secret file: its text, surrounding whitespace trimmed, at least 32 characters.
fn read(path: &Path, what: &str) -> anyhow::Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} at {}", path.display()))?;
    let secret = text.trim();
    if secret.chars().count() < 32 {
        bail!(
            "the {what} at {} must be at least 32 characters",
            path.display()
        );
    }
    Ok(SecretString::from(secret.to_owned()))
}

/// The secret in the file at `path`, generated there first when there is none.
fn kept_in(path: &Path, what: &str) -> anyhow::Result<SecretString> {
    if path.exists() {
        return read(path, what);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the data folder {}", dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("secret");
    let temporary = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        &secret[..8]
    ));
    let published = write_new(&temporary, &secret).and_then(|()| {
        // A hard link publishes the complete file under its name, and unlike a rename never
        // replaces a file another process published first (whose secret it may already use).
        std::fs::hard_link(&temporary, path)
    });
    let _ = std::fs::remove_file(&temporary);
    match published {
        Ok(()) => {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .with_context(|| format!("syncing the data folder {}", dir.display()))?;
            tracing::info!(path = %path.display(), "generated a {what}");
            Ok(SecretString::from(secret))
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path, what),
        Err(e) => Err(e).with_context(|| format!("creating the {what} at {}", path.display())),
    }
}

/// Writes `text` to a new file, owner-only, and flushes it to the disk.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn generated_once_then_reused_with_owner_only_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = load_or_generate(None, dir.path()).expect("generate");
        let second = load_or_generate(None, dir.path()).expect("reuse");
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert_eq!(first.expose_secret().len(), 64);
        let key = audit_key(None, None, dir.path()).expect("generate");
        assert_eq!(
            key.expose_secret(),
            audit_key(None, None, dir.path())
                .expect("reuse")
                .expose_secret()
        );
        assert_ne!(key.expose_secret(), first.expose_secret());
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(files.len(), 2, "no temporary file left: {files:?}");
        #[cfg(unix)]
        for file in [JWT_FILE, AUDIT_KEY_FILE] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(file))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    #[test]
    fn configured_secrets_win() {
        let dir = tempfile::tempdir().expect("temp dir");
        let configured = SecretString::from("x".repeat(40));
        let got = load_or_generate(Some(&configured), dir.path()).expect("configured");
        assert_eq!(got.expose_secret(), &"x".repeat(40));
        let file = dir.path().join("mounted_key");
        std::fs::write(&file, format!("{}\n", "k".repeat(32))).expect("write");
        let got = audit_key(None, Some(&file), dir.path()).expect("from the file");
        assert_eq!(got.expose_secret(), &"k".repeat(32));
        let got = audit_key(Some(&configured), Some(&file), dir.path()).expect("configured");
        assert_eq!(got.expose_secret(), &"x".repeat(40));
        assert!(!dir.path().join(JWT_FILE).exists());
        assert!(!dir.path().join(AUDIT_KEY_FILE).exists());
        std::fs::write(&file, "short").expect("write");
        assert!(audit_key(None, Some(&file), dir.path()).is_err());
        let missing = dir.path().join("missing");
        assert!(audit_key(None, Some(&missing), dir.path()).is_err());
    }
}
