//! The secrets of an install: the JWT secret, the audit key and the attestation signing key. Each is the configured one,
//! or for a development install one generated once and kept in the data folder (owner-only,
//! written atomically), reused at every start so that tokens and signed checkpoints survive
//! restarts. Production configures both (settings validation refuses to start otherwise). A
//! secret too short to resist guessing, or a kept file that other users can read, refuses to
//! start: whoever holds the JWT secret can sign an admin's token, and whoever holds the audit
//! key can sign a rewritten history.

use anyhow::{Context, bail};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

const JWT_FILE: &str = "jwt_secret";
const AUDIT_KEY_FILE: &str = "audit_key";
const ATTESTATION_KEY_FILE: &str = "attestation_key";

/// Fewest characters a secret may have (an HMAC-SHA256 key should carry at least 256 bits).
pub const MIN_CHARS: usize = 32;

/// `Ok` when `secret` is long enough; `what` names where it came from, for the message.
pub fn check_length(secret: &SecretString, what: &str) -> anyhow::Result<()> {
    let chars = secret.expose_secret().chars().count();
    if chars < MIN_CHARS {
        bail!("{what} must be at least {MIN_CHARS} characters (it has {chars})");
    }
    Ok(())
}

/// The configured JWT secret, or the one kept in `data_dir` (made on first use).
pub fn load_or_generate(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    match configured {
        Some(secret) => {
            check_length(secret, "jwt_secret")?;
            Ok(secret.clone())
        }
        None => kept_in(data_dir, JWT_FILE, "JWT secret"),
    }
}

/// The key that signs the audit trail's checkpoints: `audit_key`, else the contents of
/// `audit_key_file` (a mounted secret, whose permissions its mount decides), else the one
/// kept in `data_dir` (made on first use).
pub fn audit_key(
    configured: Option<&SecretString>,
    file: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    configured_file_or_kept(
        configured,
        file,
        data_dir,
        ("audit_key", AUDIT_KEY_FILE, "audit key"),
    )
}

/// The seed of the key that signs attestations (64 hex digits once generated):
/// `attestation.signing_key`, else the contents of `attestation.signing_key_file`, else the
/// one kept in `data_dir` (made on first use).
pub fn attestation_key(
    configured: Option<&SecretString>,
    file: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    configured_file_or_kept(
        configured,
        file,
        data_dir,
        (
            "attestation.signing_key",
            ATTESTATION_KEY_FILE,
            "attestation key",
        ),
    )
}

/// The configured key, else a file's, else the one kept in `data_dir`; `(setting, kept
/// file name, what)` name it in files and messages.
fn configured_file_or_kept(
    configured: Option<&SecretString>,
    file: Option<&Path>,
    data_dir: &Path,
    (setting, kept, what): (&str, &str, &str),
) -> anyhow::Result<SecretString> {
    match (configured, file) {
        (Some(key), _) => {
            check_length(key, setting)?;
            Ok(key.clone())
        }
        (None, Some(file)) => read(file, what),
        (None, None) => kept_in(data_dir, kept, what),
    }
}

/// The secret kept in `data_dir/name`, generated there first when there is none.
fn kept_in(data_dir: &Path, name: &str, what: &str) -> anyhow::Result<SecretString> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
    let path = data_dir.join(name);
    if !path.exists() {
        generate(data_dir, name, what)?;
    }
    refuse_shared(&path, what)?;
    read(&path, what)
}

/// Reads a secret file: its text, surrounding whitespace trimmed, at least 32 characters.
fn read(path: &Path, what: &str) -> anyhow::Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} at {}", path.display()))?;
    let secret = SecretString::from(text.trim().to_owned());
    check_length(
        &secret,
        &format!(
            "the {what} in {} (a generated one may be deleted to make a new one)",
            path.display()
        ),
    )?;
    Ok(secret)
}

/// Refuses a kept secret file with any permission for its group or others: reading it lets
/// them sign, and writing it lets them swap in a key of their own.
#[cfg(unix)]
fn refuse_shared(path: &Path, what: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("reading the permissions of {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "the {what} at {} is open to other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_: &Path, _: &str) -> anyhow::Result<()> {
    Ok(())
}

/// Writes a new secret to `data_dir/name` atomically: a temporary file in the same folder,
/// owner-only from its creation, written and synced, then renamed into place and the folder
/// synced, so that no reader (nor a crash) ever sees a partial secret. Processes starting
/// together take turns on a lock of the folder, and a later one keeps the secret an earlier
/// one wrote, so that they all sign with the same key.
fn generate(data_dir: &Path, name: &str, what: &str) -> anyhow::Result<()> {
    let path = data_dir.join(name);
    let folder = File::open(data_dir)
        .with_context(|| format!("opening the data folder {}", data_dir.display()))?;
    folder
        .lock()
        .with_context(|| format!("locking the data folder {}", data_dir.display()))?;
    if path.exists() {
        return Ok(());
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let temporary = data_dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // Under the lock nobody else is writing: one left here is a crashed start's, by a process
    // whose id has been reused.
    let _ = std::fs::remove_file(&temporary);
    let written = write_private(&temporary, &hex::encode(bytes))
        .and_then(|()| std::fs::rename(&temporary, &path).map_err(Into::into))
        .with_context(|| format!("writing the {what} at {}", path.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    folder
        .sync_all()
        .with_context(|| format!("syncing the data folder {}", data_dir.display()))?;
    tracing::info!(path = %path.display(), secret = what, "generated a secret");
    Ok(())
}

/// Creates `path` (which must not exist) readable and writable by its owner only, writes
/// `text` and syncs it to disk.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused_with_owner_only_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = load_or_generate(None, dir.path()).expect("generate");
        let second = load_or_generate(None, dir.path()).expect("reuse");
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert_eq!(first.expose_secret().len(), 64);
        let key = audit_key(None, None, dir.path()).expect("generate");
        let again = audit_key(None, None, dir.path()).expect("reuse");
        assert_eq!(key.expose_secret(), again.expose_secret());
        assert_ne!(key.expose_secret(), first.expose_secret());
        #[cfg(unix)]
        for file in [JWT_FILE, AUDIT_KEY_FILE] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(file))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        // Nothing but the secrets is left behind (no temporary file).
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(names, [AUDIT_KEY_FILE, JWT_FILE]);
    }

    #[test]
    fn processes_starting_together_share_one_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets: Vec<String> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| load_or_generate(None, dir.path())))
                .collect();
            starts
                .into_iter()
                .map(|s| {
                    s.join()
                        .expect("thread")
                        .expect("secret")
                        .expose_secret()
                        .to_owned()
                })
                .collect()
        });
        assert!(secrets.iter().all(|s| s == &secrets[0] && s.len() == 64));
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

    #[test]
    fn short_secrets_are_refused_configured_or_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let short = SecretString::from("x".repeat(MIN_CHARS - 1));
        let err = load_or_generate(Some(&short), dir.path()).expect_err("short configured");
        assert!(format!("{err:#}").contains("at least 32"), "{err:#}");
        assert!(audit_key(Some(&short), None, dir.path()).is_err());
        // Counted in characters, not bytes: 31 two-byte characters are still too few.
        let short = SecretString::from("é".repeat(MIN_CHARS - 1));
        assert!(load_or_generate(Some(&short), dir.path()).is_err());

        write_private(&dir.path().join(JWT_FILE), "too-short\n").expect("write");
        let err = load_or_generate(None, dir.path()).expect_err("short kept");
        assert!(format!("{err:#}").contains("at least 32"), "{err:#}");
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_secret_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        load_or_generate(None, dir.path()).expect("generate");
        audit_key(None, None, dir.path()).expect("generate");
        for (file, load) in [
            (
                JWT_FILE,
                &(|d: &Path| load_or_generate(None, d)) as &dyn Fn(&Path) -> _,
            ),
            (AUDIT_KEY_FILE, &|d: &Path| audit_key(None, None, d)),
        ] {
            let path = dir.path().join(file);
            for mode in [0o644, 0o640, 0o604, 0o620] {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                    .expect("chmod");
                let err = load(dir.path()).expect_err("shared file");
                let message = format!("{err:#}");
                assert!(message.contains("chmod 600"), "{file} {mode:o}: {message}");
            }
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            load(dir.path()).expect("owner-only again");
        }
    }
}
