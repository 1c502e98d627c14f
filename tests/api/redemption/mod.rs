//! Spending points: codes, holds, captures and their concurrency.

mod bad_input;
mod codes;
mod concurrency;
