//! Configuration read once per writer batch. A writer runs its batch's requests in one
//! transaction; the network settings and the tier table, which no request of a batch can change
//! (only operators change them, never through a writer), are then read by the first request
//! that needs them and shared by the others. Outside a batch (any other thread, or a request
//! run again alone) every read goes to the database.
//!
//! On PostgreSQL (read committed) an operator's change committed while a batch runs is seen by
//! the batch's later requests without the memo, not with it: the batch's requests all use the
//! table of its first read, as concurrent requests may (a tier removed meanwhile can be written
//! as a member's tier; the next evaluation moves them to one of the new table). On SQLite the
//! writer holds the write lock, so nothing changes under a batch.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;

type Reads = HashMap<&'static str, Box<dyn Any>>;

thread_local! {
    static READS: RefCell<Option<Reads>> = const { RefCell::new(None) };
}

/// While alive, [`read`] on this thread loads each thing once. Dropped at the end of the
/// batch's transaction, committed or not.
pub struct BatchScope(());

impl BatchScope {
    /// Starts remembering reads on this thread.
    pub fn begin() -> BatchScope {
        READS.with(|reads| *reads.borrow_mut() = Some(HashMap::new()));
        BatchScope(())
    }
}

impl Drop for BatchScope {
    fn drop(&mut self) {
        READS.with(|reads| *reads.borrow_mut() = None);
    }
}

/// `what`, loaded by `load` unless this batch loaded it already. Only for configuration that
/// no request of a batch writes.
pub fn read<T: Clone + 'static, E>(
    what: &'static str,
    load: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let remembered = READS.with(|reads| {
        reads
            .borrow()
            .as_ref()
            .and_then(|r| r.get(what))
            .and_then(|value| value.downcast_ref::<T>())
            .cloned()
    });
    if let Some(value) = remembered {
        return Ok(value);
    }
    let value = load()?;
    READS.with(|reads| {
        if let Some(r) = reads.borrow_mut().as_mut() {
            r.insert(what, Box::new(value.clone()));
        }
    });
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_once_within_a_batch_and_every_time_outside() {
        let loads = std::cell::Cell::new(0);
        let load = || -> Result<i64, ()> {
            loads.set(loads.get() + 1);
            Ok(7)
        };
        assert_eq!(read("x", load), Ok(7));
        assert_eq!(read("x", load), Ok(7));
        assert_eq!(loads.get(), 2, "no batch: every read loads");
        {
            let _scope = BatchScope::begin();
            assert_eq!(read("x", load), Ok(7));
            assert_eq!(read("x", load), Ok(7));
            assert_eq!(loads.get(), 3, "in a batch: loaded once");
            assert_eq!(read("x", || Err::<i64, ()>(())), Ok(7));
        }
        assert_eq!(read("x", load), Ok(7));
        assert_eq!(loads.get(), 4, "the batch's reads end with it");
    }
}
