//! ohjaus-web
