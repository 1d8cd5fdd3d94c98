//! Integration tests of haven-optim (one test binary; modules under tests/optim/).

mod optim {
    pub mod brute;
    pub mod data;
    pub mod explain_warm;
    pub mod gap;
    pub mod readers;
}
