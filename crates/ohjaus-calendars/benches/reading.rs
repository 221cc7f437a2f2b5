//! Benchmarks of reading calendars (written below).
fn main() {}
