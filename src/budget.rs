//! A memory budget for work that user input can blow up: rendering a user's mail
//! template. minijinja bounds a template's instructions (fuel) but not the size of the
//! strings it builds: `{% set ns.s = ns.s ~ ns.s %}` in a loop, or a macro that calls
//! itself with a doubled string, reaches gigabytes in a few dozen instructions.
//!
//! [`Budgeted`] is a global allocator (the `summit` binary installs it) that counts the
//! bytes a thread allocates, net of what it frees, while a [`Budget`] guard is held on
//! that thread. Past the budget there is no way to unwind out of an allocation, so it
//! writes `error: template `NAME`: …` to standard error and ends the process with exit
//! status 2 (a template error, `../shared/CONTRACT.md`). Every state file is replaced
//! atomically, so nothing is left half-written; rendering happens before any message is
//! handed to the transport. Without the allocator installed (the library's own tests),
//! a guard does nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The memory one template render may allocate, net, in bytes (64 MiB; a mail is a few
/// kilobytes).
pub const RENDER_BYTES: usize = 64 * 1024 * 1024;

thread_local! {
    /// Bytes left to allocate on this thread, when a budget is set.
    static LEFT: Cell<Option<isize>> = const { Cell::new(None) };
    /// What the budget is for, named in the error.
    static WHAT: Cell<&'static str> = const { Cell::new("") };
}

/// The system allocator, counting against the current thread's [`Budget`].
pub struct Budgeted;

impl Budgeted {
    fn charge(bytes: usize) {
        let over = LEFT
            .try_with(|left| match left.get() {
                Some(n) => {
                    let n = n.saturating_sub(isize::try_from(bytes).unwrap_or(isize::MAX));
                    left.set(Some(n));
                    n < 0
                }
                None => false,
            })
            .unwrap_or(false);
        if over {
            exhausted();
        }
    }

    fn credit(bytes: usize) {
        let _ = LEFT.try_with(|left| {
            if let Some(n) = left.get() {
                left.set(Some(
                    n.saturating_add(isize::try_from(bytes).unwrap_or(isize::MAX)),
                ));
            }
        });
    }
}

#[cold]
fn exhausted() -> ! {
    let what = WHAT.try_with(Cell::get).unwrap_or("");
    let mut message = [0u8; 512];
    let mut len = 0;
    for part in [
        "error: template `".as_bytes(),
        what.as_bytes(),
        "`: rendering needs more than 64 MiB of memory, expected a mail of a few kilobytes (a loop or macro that doubles a string?)\n".as_bytes(),
    ] {
        let n = part.len().min(message.len() - len);
        message[len..len + n].copy_from_slice(&part[..n]);
        len += n;
    }
    // SAFETY: write(2) and _exit(2) allocate nothing; `message` is valid for `len` bytes.
    unsafe {
        libc::write(2, message.as_ptr().cast(), len);
        libc::_exit(2)
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the bookkeeping allocates
// nothing (const-initialised thread locals without destructors).
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::charge(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::charge(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::credit(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            Self::charge(new_size - layout.size());
        } else {
            Self::credit(layout.size() - new_size);
        }
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// A budget of `bytes` on the current thread for `what` (a template's name), until
/// dropped. Budgets do not nest: a new one replaces the current one, and dropping it
/// lifts any.
pub struct Budget(());

impl Budget {
    /// Starts a budget of `bytes` for `what`.
    pub fn start(what: &'static str, bytes: usize) -> Budget {
        WHAT.with(|w| w.set(what));
        LEFT.with(|l| l.set(Some(isize::try_from(bytes).unwrap_or(isize::MAX))));
        Budget(())
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        LEFT.with(|l| l.set(None));
    }
}
