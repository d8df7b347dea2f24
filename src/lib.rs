//! pairs-tui: a terminal client for the IBM Environmental Intelligence Geospatial Analytics
//! (PAIRS) API, and the embedded mock server that stands in for it offline.

pub mod mock;
