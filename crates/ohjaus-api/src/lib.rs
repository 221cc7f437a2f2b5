//! ohjaus-api
