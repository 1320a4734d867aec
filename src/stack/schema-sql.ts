// The text of schema.sql, kept as a module so the ncc bundle carries it (seeder.test.ts keeps the
// two identical).
export const SCHEMA_SQL = `-- EthHook's PostgreSQL tables as they stand after its second migration
-- (migrations/001_initial_schema.sql, then 002_align_schema_with_admin_api.sql), limited to the five
-- tables the pipeline reads and writes. Safe to run again: every statement is IF NOT EXISTS.
-- gen_random_uuid() is built into PostgreSQL 13 and later, so no extension is needed.

CREATE TABLE IF NOT EXISTS users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) UNIQUE NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    full_name VARCHAR(255),
    email_verified BOOLEAN DEFAULT false,
    subscription_tier VARCHAR(50) DEFAULT 'free',
    subscription_status VARCHAR(50) DEFAULT 'active',
    stripe_customer_id VARCHAR(255),
    api_key_hash VARCHAR(255) UNIQUE,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    last_login_at TIMESTAMPTZ,
    name VARCHAR(255)
);
CREATE INDEX IF NOT EXISTS idx_users_email ON users (email);
CREATE INDEX IF NOT EXISTS idx_users_api_key_hash ON users (api_key_hash);

CREATE TABLE IF NOT EXISTS applications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    webhook_secret VARCHAR(64) NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    api_key VARCHAR(255)
);
CREATE INDEX IF NOT EXISTS idx_applications_user_id ON applications (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_applications_api_key ON applications (api_key)
    WHERE api_key IS NOT NULL;

-- After migration 002: url became webhook_url, contract_address (varchar) became
-- contract_addresses (text[]), event_topics became event_signatures; description and chain_ids
-- were added. event_signatures holds topic hashes: an endpoint matches when every one of them is
-- among the event's topics.
CREATE TABLE IF NOT EXISTS endpoints (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    webhook_url TEXT NOT NULL,
    hmac_secret VARCHAR(64) NOT NULL,
    contract_addresses TEXT[],
    event_signatures TEXT[],
    rate_limit_per_second INTEGER DEFAULT 10,
    max_retries INTEGER DEFAULT 5,
    timeout_seconds INTEGER DEFAULT 30,
    is_active BOOLEAN DEFAULT true,
    health_status VARCHAR(50) DEFAULT 'healthy',
    last_successful_delivery_at TIMESTAMPTZ,
    consecutive_failures INTEGER DEFAULT 0,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    description TEXT,
    chain_ids INTEGER[]
);
CREATE INDEX IF NOT EXISTS idx_endpoints_application_id ON endpoints (application_id);
CREATE INDEX IF NOT EXISTS idx_endpoints_contract_address ON endpoints (contract_addresses)
    WHERE is_active = true;
CREATE INDEX IF NOT EXISTS idx_endpoints_event_topics ON endpoints USING GIN (event_signatures)
    WHERE is_active = true;

CREATE TABLE IF NOT EXISTS events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    block_number BIGINT NOT NULL,
    block_hash VARCHAR(66) NOT NULL,
    transaction_hash VARCHAR(66) NOT NULL,
    log_index INTEGER NOT NULL,
    contract_address VARCHAR(42) NOT NULL,
    topics TEXT[] NOT NULL,
    data TEXT NOT NULL,
    ingested_at TIMESTAMPTZ DEFAULT NOW(),
    processed_at TIMESTAMPTZ,
    UNIQUE (transaction_hash, log_index)
);
CREATE INDEX IF NOT EXISTS idx_events_block_number ON events (block_number DESC);
CREATE INDEX IF NOT EXISTS idx_events_contract_address ON events (contract_address);
CREATE INDEX IF NOT EXISTS idx_events_transaction_hash ON events (transaction_hash);
CREATE INDEX IF NOT EXISTS idx_events_ingested_at ON events (ingested_at DESC);

CREATE TABLE IF NOT EXISTS delivery_attempts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint_id UUID NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    attempt_number INTEGER NOT NULL,
    http_status_code INTEGER,
    response_body TEXT,
    error_message TEXT,
    attempted_at TIMESTAMPTZ DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    duration_ms INTEGER,
    success BOOLEAN,
    should_retry BOOLEAN DEFAULT false,
    next_retry_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_delivery_attempts_event_id ON delivery_attempts (event_id);
CREATE INDEX IF NOT EXISTS idx_delivery_attempts_endpoint_id ON delivery_attempts (endpoint_id);
CREATE INDEX IF NOT EXISTS idx_delivery_attempts_next_retry_at ON delivery_attempts (next_retry_at)
    WHERE should_retry = true;
CREATE INDEX IF NOT EXISTS idx_delivery_attempts_attempted_at ON delivery_attempts (attempted_at DESC);
`;
