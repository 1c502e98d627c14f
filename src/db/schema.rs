//! The tables, in the portable types both backends share (BigInt, Integer, Text, Timestamp, Bool).
//! Written by hand to match `migrations/*/`: every integration test runs on databases migrated
//! on both backends, so a column out of step fails them; `tests/api/platform/migrations.rs`
//! checks that every migration reverses.
//!
//! Longer than 400 lines: one declaration per table, in the one file diesel expects.

diesel::table! {
    network_settings (id) {
        id -> BigInt,
        currency -> Text,
        base_rate_millipoints -> BigInt,
        expiry_policy -> Text,
        expiry_months -> BigInt,
        hold_ttl_s -> BigInt,
        code_ttl_s -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    network_clock (id) {
        id -> BigInt,
        offset_s -> BigInt,
    }
}

diesel::table! {
    partners (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        universe -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partner_contracts (id) {
        id -> BigInt,
        partner_id -> BigInt,
        effective_from -> Timestamp,
        currency -> Text,
        earn_rate_bp -> BigInt,
        issuance_price_micros -> BigInt,
        redemption_price_micros -> BigInt,
        return_window_days -> BigInt,
        created_at -> Timestamp,
        period_fee_minor -> BigInt,
    }
}

diesel::table! {
    partner_keys (id) {
        id -> BigInt,
        partner_id -> BigInt,
        key_id -> Text,
        secret_sealed -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    request_nonces (key_id, nonce) {
        key_id -> Text,
        nonce -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    operator_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_sha256 -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    members (id) {
        id -> BigInt,
        member_number -> Text,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        display_name -> Nullable<Text>,
        created_at -> Timestamp,
        last_activity_at -> Timestamp,
        available_points -> BigInt,
        pending_points -> BigInt,
        held_points -> BigInt,
        chain_head -> Text,
        lock_version -> BigInt,
        code_failures -> BigInt,
        code_locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    member_sessions (id) {
        id -> BigInt,
        member_id -> BigInt,
        token_sha256 -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    member_links (id) {
        id -> BigInt,
        partner_id -> BigInt,
        member_id -> BigInt,
        customer_ref -> Nullable<Text>,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    redemption_codes (id) {
        id -> BigInt,
        member_id -> BigInt,
        code_sha256 -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    journal_entries (id) {
        id -> BigInt,
        kind -> Text,
        member_id -> Nullable<BigInt>,
        partner_id -> Nullable<BigInt>,
        reference -> Text,
        memo -> Nullable<Text>,
        posted_at -> Timestamp,
        chain -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    postings (id) {
        id -> BigInt,
        entry_id -> BigInt,
        account -> Text,
        owner_id -> BigInt,
        asset -> Text,
        amount -> BigInt,
    }
}

diesel::table! {
    lots (id) {
        id -> BigInt,
        member_id -> BigInt,
        asset -> Text,
        issuer_kind -> Text,
        issuer_partner_id -> Nullable<BigInt>,
        price_micros -> BigInt,
        points -> BigInt,
        remaining -> BigInt,
        earned_at -> Timestamp,
        available_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        matured -> Bool,
        entry_id -> BigInt,
    }
}

diesel::table! {
    redemptions (id) {
        id -> BigInt,
        partner_id -> BigInt,
        member_id -> BigInt,
        status -> Text,
        points_authorized -> BigInt,
        points_captured -> BigInt,
        points_reversed -> BigInt,
        order_id -> Nullable<Text>,
        price_micros -> BigInt,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        asset -> Text,
    }
}

diesel::table! {
    lot_movements (id) {
        id -> BigInt,
        lot_id -> BigInt,
        entry_id -> BigInt,
        redemption_id -> Nullable<BigInt>,
        kind -> Text,
        points -> BigInt,
    }
}

diesel::table! {
    earns (id) {
        id -> BigInt,
        partner_id -> BigInt,
        member_id -> BigInt,
        order_id -> Text,
        occurred_at -> Timestamp,
        amount_minor -> BigInt,
        currency -> Text,
        points -> BigInt,
        lot_id -> Nullable<BigInt>,
        entry_id -> Nullable<BigInt>,
        refunded_minor -> BigInt,
        clawed_points -> BigInt,
        created_at -> Timestamp,
        weighted_bp -> Nullable<BigInt>,
        refunded_weighted_bp -> BigInt,
    }
}

diesel::table! {
    refunds (id) {
        id -> BigInt,
        earn_id -> BigInt,
        partner_id -> BigInt,
        refund_ref -> Text,
        amount_minor -> BigInt,
        points -> BigInt,
        entry_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (partner_id, idem_key) {
        partner_id -> BigInt,
        idem_key -> Text,
        request_sha256 -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        lease_until -> Timestamp,
    }
}

diesel::table! {
    clearing_events (id) {
        id -> BigInt,
        entry_id -> BigInt,
        posted_at -> Timestamp,
        kind -> Text,
        partner_id -> Nullable<BigInt>,
        issuer_partner_id -> Nullable<BigInt>,
        points -> BigInt,
        price_micros -> BigInt,
        order_ref -> Text,
        promotion_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    chain_heads (name) {
        name -> Text,
        head -> Text,
    }
}

diesel::table! {
    network_keys (id) {
        id -> BigInt,
        key_id -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    settlement_runs (id) {
        id -> BigInt,
        period_start -> Timestamp,
        period_end -> Timestamp,
        currency -> Text,
        closed_at -> Timestamp,
        events_count -> BigInt,
        summary -> Text,
        entry_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    statements (id) {
        id -> BigInt,
        run_id -> BigInt,
        partner_id -> BigInt,
        net_minor -> BigInt,
        document -> Text,
        signature -> Text,
        key_id -> Text,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        statement_id -> BigInt,
        partner_id -> BigInt,
        direction -> Text,
        amount_minor -> BigInt,
        bank_reference -> Text,
        paid_at -> Timestamp,
        entry_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    disputes (id) {
        id -> BigInt,
        statement_id -> BigInt,
        partner_id -> BigInt,
        reason -> Text,
        status -> Text,
        opened_at -> Timestamp,
        resolution -> Nullable<Text>,
        adjustment_minor -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        applied_run_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name_en -> Text,
        name_fr -> Nullable<Text>,
        depth -> BigInt,
        origin -> Text,
        retired_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    taxonomy_state (id) {
        id -> BigInt,
        google_version -> Text,
        revision -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    category_restrictions (category_id) {
        category_id -> BigInt,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    compatibility_settings (id) {
        id -> BigInt,
        conflict_overlap_ppm -> BigInt,
        complementary_min_ppm -> BigInt,
        exclusivity_breach_ppm -> BigInt,
        restricted_max_ppm -> BigInt,
        unmapped_warning_ppm -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_versions (id) {
        id -> BigInt,
        partner_id -> BigInt,
        format -> Text,
        products -> BigInt,
        unmapped -> BigInt,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    catalog_profiles (version_id, category_id) {
        version_id -> BigInt,
        category_id -> BigInt,
        products -> BigInt,
    }
}

diesel::table! {
    catalog_products (partner_id, sku) {
        partner_id -> BigInt,
        sku -> Text,
        version_id -> BigInt,
        title -> Text,
        category_id -> Nullable<BigInt>,
        price_minor -> BigInt,
        currency -> Text,
    }
}

diesel::table! {
    contract_category_rules (contract_id, category_id) {
        contract_id -> BigInt,
        category_id -> BigInt,
        multiplier_bp -> Nullable<BigInt>,
        exclusive -> Bool,
    }
}

diesel::table! {
    compatibility_reports (id) {
        id -> BigInt,
        partner_id -> BigInt,
        catalog_version_id -> BigInt,
        verdict -> Text,
        body -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    compatibility_alerts (id) {
        id -> BigInt,
        partner_id -> BigInt,
        report_id -> BigInt,
        previous_verdict -> Nullable<Text>,
        verdict -> Text,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
    }
}

diesel::table! {
    partner_events (id) {
        id -> BigInt,
        partner_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor -> Text,
        reason -> Text,
        override_conflict -> Bool,
        report_id -> Nullable<BigInt>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    earn_categories (earn_id, category_id) {
        earn_id -> BigInt,
        partner_id -> BigInt,
        member_id -> BigInt,
        category_id -> BigInt,
        amount_minor -> BigInt,
        occurred_at -> Timestamp,
        weight_bp -> BigInt,
    }
}

diesel::table! {
    brand_logos (sha256) {
        sha256 -> Text,
        png -> Binary,
        width -> BigInt,
        height -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    brands (id) {
        id -> BigInt,
        partner_id -> BigInt,
        version -> BigInt,
        slug -> Text,
        display_name -> Text,
        primary_color -> Text,
        accent_color -> Text,
        text_color -> Text,
        points_label_fr -> Text,
        points_label_en -> Text,
        default_locale -> Text,
        rules_markdown -> Text,
        rules_html -> Text,
        logo_sha256 -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    brand_slugs (slug) {
        slug -> Text,
        partner_id -> BigInt,
    }
}

diesel::table! {
    brand_suspensions (partner_id) {
        partner_id -> BigInt,
        reason -> Text,
        suspended_by -> Text,
        suspended_at -> Timestamp,
    }
}

diesel::table! {
    local_programs (partner_id) {
        partner_id -> BigInt,
        asset -> Text,
        label_fr -> Text,
        label_en -> Text,
        earn_rate_millipoints -> BigInt,
        expiry_months -> BigInt,
        conversion_local_per_point -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    local_wallets (member_id, partner_id) {
        member_id -> BigInt,
        partner_id -> BigInt,
        asset -> Text,
        available -> BigInt,
        held -> BigInt,
    }
}

diesel::table! {
    local_earns (earn_id) {
        earn_id -> BigInt,
        points -> BigInt,
        lot_id -> BigInt,
        clawed -> BigInt,
    }
}

diesel::table! {
    local_conversions (id) {
        id -> BigInt,
        partner_id -> BigInt,
        member_id -> BigInt,
        reference -> Text,
        local_points -> BigInt,
        points -> BigInt,
        price_micros -> BigInt,
        entry_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rfm_scores (scope_partner_id, member_id) {
        scope_partner_id -> BigInt,
        member_id -> BigInt,
        recency_days -> BigInt,
        frequency -> BigInt,
        monetary_minor -> BigInt,
        r -> BigInt,
        f -> BigInt,
        m -> BigInt,
        segment -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    tier_settings (id) {
        id -> BigInt,
        window_months -> BigInt,
        grace_days -> BigInt,
        updated_at -> Timestamp,
        qualify_on -> Text,
    }
}

diesel::table! {
    tiers (code) {
        code -> Text,
        tier_rank -> BigInt,
        name_fr -> Text,
        name_en -> Text,
        threshold_minor -> BigInt,
        multiplier_bp -> BigInt,
        price_minor -> Nullable<BigInt>,
        paid_months -> Nullable<BigInt>,
        fee_to -> Nullable<Text>,
    }
}

diesel::table! {
    member_tiers (member_id) {
        member_id -> BigInt,
        tier_code -> Text,
        since -> Timestamp,
        below_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tier_changes (id) {
        id -> BigInt,
        member_id -> BigInt,
        from_tier -> Text,
        to_tier -> Text,
        qualifying_minor -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    promotions (id) {
        id -> BigInt,
        partner_id -> Nullable<BigInt>,
        name -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        target_kind -> Text,
        target_value -> Nullable<Text>,
        rule_kind -> Text,
        multiplier_bp -> Nullable<BigInt>,
        bonus_points -> Nullable<BigInt>,
        rule_param -> Nullable<BigInt>,
        priority -> BigInt,
        exclusive -> Bool,
        budget_points -> Nullable<BigInt>,
        per_member_cap -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    promotion_members (promotion_id, member_id) {
        promotion_id -> BigInt,
        member_id -> BigInt,
    }
}

diesel::table! {
    promotion_budgets (promotion_id, shard) {
        promotion_id -> BigInt,
        shard -> BigInt,
        remaining -> BigInt,
    }
}

diesel::table! {
    promotion_grants (id) {
        id -> BigInt,
        promotion_id -> BigInt,
        member_id -> BigInt,
        partner_id -> Nullable<BigInt>,
        earn_id -> Nullable<BigInt>,
        lot_id -> BigInt,
        entry_id -> BigInt,
        points -> BigInt,
        clawed_points -> BigInt,
        refunded_basis_bp -> BigInt,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    referral_codes (member_id) {
        member_id -> BigInt,
        code -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    referrals (referred_member_id) {
        referred_member_id -> BigInt,
        referrer_member_id -> BigInt,
        created_at -> Timestamp,
        promotion_id -> Nullable<BigInt>,
        earn_id -> Nullable<BigInt>,
        payable_at -> Nullable<Timestamp>,
        rewarded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tier_purchases (id) {
        id -> BigInt,
        member_id -> BigInt,
        partner_id -> BigInt,
        tier_code -> Text,
        order_id -> Text,
        amount_minor -> BigInt,
        fee_to -> Text,
        purchased_at -> Timestamp,
        paid_until -> Timestamp,
        entry_id -> BigInt,
    }
}

diesel::table! {
    local_tier_windows (partner_id) {
        partner_id -> BigInt,
        window_months -> BigInt,
    }
}

diesel::table! {
    local_tiers (partner_id, code) {
        partner_id -> BigInt,
        code -> Text,
        tier_rank -> BigInt,
        name_fr -> Text,
        name_en -> Text,
        threshold_points -> BigInt,
        multiplier_bp -> BigInt,
    }
}

diesel::joinable!(postings -> journal_entries (entry_id));
diesel::joinable!(lots -> members (member_id));
diesel::joinable!(member_links -> members (member_id));
diesel::joinable!(journal_entries -> members (member_id));
diesel::joinable!(lot_movements -> lots (lot_id));

diesel::allow_tables_to_appear_in_same_query!(
    promotions,
    promotion_members,
    promotion_budgets,
    promotion_grants,
    referral_codes,
    referrals,
    tier_purchases,
    local_tier_windows,
    local_tiers,
    network_clock,
    network_settings,
    partners,
    partner_contracts,
    partner_keys,
    request_nonces,
    operator_tokens,
    members,
    member_sessions,
    member_links,
    redemption_codes,
    journal_entries,
    postings,
    lots,
    redemptions,
    lot_movements,
    earns,
    refunds,
    idempotency_keys,
    job_leases,
    clearing_events,
    chain_heads,
    network_keys,
    settlement_runs,
    statements,
    payments,
    disputes,
    categories,
    taxonomy_state,
    category_restrictions,
    compatibility_settings,
    catalog_versions,
    catalog_profiles,
    catalog_products,
    contract_category_rules,
    compatibility_reports,
    compatibility_alerts,
    partner_events,
    earn_categories,
    brand_logos,
    brands,
    brand_slugs,
    brand_suspensions,
    local_programs,
    local_wallets,
    local_earns,
    local_conversions,
    rfm_scores,
    tier_settings,
    tiers,
    member_tiers,
    tier_changes,
);
