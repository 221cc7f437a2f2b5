//! ohjaus-notify
