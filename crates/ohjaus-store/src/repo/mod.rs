//! The store's operations, one module per aggregate. Each module adds an `impl Store` block
//! and its record types, so modules can be added without touching the others.
