//! Work spread over a few scoped threads: each takes the next item of a shared queue, so
//! that items of uneven cost keep every thread busy to the end. Used where a run ends with
//! thousands of small independent jobs (writing held partitions, finishing files,
//! renaming part files into place at a commit).

use crate::error::Error;

/// Call `f` with each of `items`, in order, on up to `threads` threads named `<name>-<i>`
/// (on this thread alone when `threads` < 2 or there is one item).
///
/// # Errors
///
/// The first error; the other threads stop after their current item.
pub(crate) fn parallel<T: Send>(
    items: Vec<T>,
    threads: usize,
    name: &str,
    f: impl Fn(T) -> Result<(), Error> + Sync,
) -> Result<(), Error> {
    let threads = threads.min(items.len());
    if threads < 2 {
        return items.into_iter().try_for_each(f);
    }
    let queue = std::sync::Mutex::new(items.into_iter());
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let work = || -> Result<(), Error> {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let next = match queue.lock() {
                    Ok(mut q) => q.next(),
                    Err(_) => None,
                };
                let Some(item) = next else { break };
                if let Err(e) = f(item) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(e);
                }
            }
            Ok(())
        };
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            match std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn_scoped(s, work)
            {
                Ok(h) => handles.push(h),
                // The threads already spawned (or this one) finish the rest.
                Err(_) => break,
            }
        }
        let mut first = if handles.is_empty() {
            work().err()
        } else {
            None
        };
        for h in handles {
            let result = h
                .join()
                .unwrap_or_else(|_| Err(Error::sink("a writer thread panicked")));
            if let Err(e) = result {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    })
}
