//! The simulator's webhook signing key: made once per data directory and kept in
//! `sim-signing.key` (the 32-byte seed in hex), so a restart does not invalidate the JWKS that
//! receivers have cached.

use std::path::Path;

use ed25519_dalek::SigningKey;

use crate::error::SimError;

const FILE_NAME: &str = "sim-signing.key";

pub async fn load_or_create(data_dir: &Path) -> Result<SigningKey, SimError> {
    let path = data_dir.join(FILE_NAME);
    match tokio::fs::read_to_string(&path).await {
        Ok(text) => {
            let corrupt = |reason: &str| SimError::SigningKey {
                path: path.clone(),
                reason: reason.into(),
            };
            let seed = hex::decode(text.trim()).map_err(|_| corrupt("not hexadecimal"))?;
            let seed: [u8; 32] = seed.try_into().map_err(|_| corrupt("not a 32-byte seed"))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            let staging = data_dir.join(format!("{FILE_NAME}.partial"));
            let data_dir_error = |source| SimError::DataDir {
                path: path.clone(),
                source,
            };
            tokio::fs::write(&staging, hex::encode(key.to_bytes()))
                .await
                .map_err(data_dir_error)?;
            tokio::fs::rename(&staging, &path)
                .await
                .map_err(data_dir_error)?;
            Ok(key)
        }
        Err(source) => Err(SimError::DataDir { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn key_is_made_once_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let made = load_or_create(dir.path()).await.unwrap();
        let reloaded = load_or_create(dir.path()).await.unwrap();
        assert_eq!(made.to_bytes(), reloaded.to_bytes());

        std::fs::write(dir.path().join(FILE_NAME), "zz").unwrap();
        assert!(matches!(
            load_or_create(dir.path()).await,
            Err(SimError::SigningKey { .. })
        ));
    }
}
