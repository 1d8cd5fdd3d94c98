//! Voluntary return (in progress).
