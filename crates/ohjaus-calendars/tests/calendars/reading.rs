//! Reading hand-made calendars: what real clients write, what breaks, and mangled bytes.
