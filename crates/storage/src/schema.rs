//! The database schema, in types both backends share (BigInt ids, Text, Timestamp as UTC,
//! Double, Bool, Binary). The schema test checks it against the migrated databases.
#![allow(missing_docs)] // diesel::table! generates undocumented items.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        full_name -> Nullable<Text>,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        tokens_valid_after -> Nullable<Timestamp>,
    }
}

diesel::table! {
    role_changes (id) {
        id -> BigInt,
        user_id -> BigInt,
        changed_by -> BigInt,
        from_role -> Text,
        to_role -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    models (id) {
        id -> BigInt,
        name -> Text,
        version -> Text,
        description -> Nullable<Text>,
        task -> Text,
        risk_tier -> Text,
        framework -> Nullable<Text>,
        tags -> Text,
        owner_id -> BigInt,
        status -> Text,
        column_roles -> Text,
        has_reference -> Bool,
        latest_evaluation_id -> Nullable<BigInt>,
        latest_status -> Nullable<Text>,
        latest_risk_score -> Nullable<Double>,
        latest_evaluated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        latest_drift_violations -> BigInt,
        latest_fairness_violations -> BigInt,
        latest_performance_violations -> BigInt,
        latest_risk_violations -> BigInt,
        name_search -> Text,
        latest_metrics -> Nullable<Text>,
        artifact_digest -> Nullable<Text>,
    }
}

diesel::table! {
    policies (id) {
        id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        applies_to -> Text,
        current_version -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    policy_versions (policy_id, version) {
        policy_id -> BigInt,
        version -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        applies_to -> Text,
        rules -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        active -> Bool,
    }
}

diesel::table! {
    reference_data (model_id) {
        model_id -> BigInt,
        data -> Binary,
        sha256 -> Text,
        rows -> BigInt,
        profile -> Text,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    reference_uploads (id) {
        id -> BigInt,
        model_id -> BigInt,
        sha256 -> Text,
        rows -> BigInt,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        model_id -> BigInt,
        status -> Text,
        risk_score -> Double,
        result -> Text,
        policy_versions -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deployment_history (id) {
        id -> BigInt,
        model_id -> BigInt,
        deployed_at -> Timestamp,
        deployed_by -> BigInt,
        environment -> Text,
        previous_status -> Text,
        new_status -> Text,
        outcome -> Text,
        governance_result -> Text,
        override_used -> Bool,
        override_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        policy_versions -> Text,
        prev_hash -> Text,
        hash -> Text,
        artifact_digest -> Nullable<Text>,
    }
}

diesel::table! {
    audit_checkpoints (last_id) {
        last_id -> BigInt,
        head_hash -> Text,
        row_count -> BigInt,
        signed_at -> Timestamp,
        key_id -> Text,
        signature -> Text,
    }
}

diesel::joinable!(models -> users (owner_id));
diesel::joinable!(policy_versions -> policies (policy_id));
diesel::joinable!(reference_data -> models (model_id));
diesel::joinable!(reference_uploads -> models (model_id));
diesel::joinable!(evaluations -> models (model_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    role_changes,
    models,
    policies,
    policy_versions,
    reference_data,
    reference_uploads,
    evaluations,
    deployment_history,
    audit_checkpoints,
);
