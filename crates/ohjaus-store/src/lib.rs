//! ohjaus-store
