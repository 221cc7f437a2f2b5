//! ohjaus-ical
