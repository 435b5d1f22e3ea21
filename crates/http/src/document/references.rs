//! The schema of `GET /models/{id}/reference/uploads`' answer, written here because `app`'s
//! `ReferenceUpload` stays free of HTTP concerns (no utoipa derive).

use serde_json::{Value, json};

/// `{uploads: [...]}`: every upload of a model's reference data, oldest first.
pub(super) fn uploads_answer() -> Value {
    json!({
        "type": "object",
        "required": ["uploads"],
        "properties": {
            "uploads": {
                "type": "array",
                "description": "Oldest first; a replaced upload stays listed (SPEC §2).",
                "items": {
                    "type": "object",
                    "required": ["model_id", "sha256", "rows", "uploaded_by", "uploaded_at"],
                    "properties": {
                        "model_id": {"type": "integer"},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                   "description": "SHA-256 of the bytes uploaded"},
                        "rows": {"type": "integer", "minimum": 0},
                        "uploaded_by": {"type": "integer", "description": "the uploader's user id"},
                        "uploaded_at": {"type": "string", "format": "date-time"}
                    }
                }
            }
        }
    })
}
