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
    reference_columns (model_id, position) {
        model_id -> BigInt,
        position -> BigInt,
        name -> Text,
        prepared -> Binary,
        ordered -> Nullable<Binary>,
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
        override_request_id -> Nullable<BigInt>,
        override_requested_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    override_requests (id) {
        id -> BigInt,
        model_id -> BigInt,
        environment -> Text,
        evaluation_id -> Nullable<BigInt>,
        policy_versions -> Text,
        governance_result -> Text,
        justification -> Text,
        notes -> Nullable<Text>,
        artifact_digest -> Nullable<Text>,
        requested_by -> BigInt,
        requested_at -> Timestamp,
        expires_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        deployment_id -> Nullable<BigInt>,
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

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        format -> Text,
        description -> Nullable<Text>,
        secret -> Text,
        active -> Bool,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        event_id -> Text,
        kind -> Text,
        data -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        state -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_token -> Nullable<Text>,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(models -> users (owner_id));
diesel::joinable!(webhook_endpoints -> users (created_by));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(policy_versions -> policies (policy_id));
diesel::joinable!(reference_data -> models (model_id));
diesel::joinable!(reference_uploads -> models (model_id));
diesel::joinable!(reference_columns -> reference_data (model_id));
diesel::joinable!(evaluations -> models (model_id));
diesel::joinable!(override_requests -> models (model_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    role_changes,
    models,
    policies,
    policy_versions,
    reference_data,
    reference_columns,
    reference_uploads,
    evaluations,
    deployment_history,
    override_requests,
    audit_checkpoints,
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
);
