//! Integration tests of haven-optim (one test binary; modules under tests/optim/).
#![allow(clippy::unwrap_used, clippy::type_complexity)]

mod optim {
    pub mod brute;
    pub mod data;
    pub mod explain_warm;
    pub mod gap;
    pub mod readers;
}
