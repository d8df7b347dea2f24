//! The embedded mock of the PAIRS auth and API servers (axum, loopback only).
