//! The JWT secret of a development install: generated once, kept in the data folder with
//! owner-only permissions, and reused at every start so that tokens survive restarts.

use anyhow::Context;
use rand::RngCore;
use secrecy::SecretString;
use std::io::Write;
use std::path::Path;

const FILE: &str = "jwt_secret";

/// The configured secret, or the one kept in `data_dir` (made on first use).
pub fn load_or_generate(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> anyhow::Result<SecretString> {
    if let Some(secret) = configured {
        return Ok(secret.clone());
    }
    let path = data_dir.join(FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the JWT secret at {}", path.display()))?;
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())
                .with_context(|| format!("writing the JWT secret at {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a JWT secret");
            Ok(SecretString::from(secret))
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_generate(None, data_dir),
        Err(e) => Err(e).with_context(|| format!("creating the JWT secret at {}", path.display())),
    }
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn configured_secret_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let configured = SecretString::from("x".repeat(40));
        let got = load_or_generate(Some(&configured), dir.path()).expect("configured");
        assert_eq!(got.expose_secret(), &"x".repeat(40));
        assert!(!dir.path().join(FILE).exists());
    }
}
