//! The database schema, in types both backends share (BigInt ids, Text, Timestamp as UTC,
//! Double, Bool). The schema test checks it against the migrated databases.
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
    }
}

diesel::joinable!(models -> users (owner_id));
diesel::allow_tables_to_appear_in_same_query!(users, models);
