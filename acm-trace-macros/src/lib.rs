//! macros
extern crate proc_macro;
