//! Integration-style tests of the mock over real HTTP.
