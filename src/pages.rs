//! Where large model data sits in memory: big read-mostly tables in transparent huge
//! pages, and embedded model files handed back to the kernel once loaded.
//!
//! The recogniser's weight table (tens of megabytes) is read at random a few dozen
//! times per token. With 4 KiB pages nearly every read also misses the TLB; with
//! 2 MiB pages the whole table needs a dozen TLB entries, and tagging takes about a
//! tenth less time. The allocator is built without huge pages for the general heap
//! (there a 2 MiB page pinned by a few live objects wastes memory), so tables that
//! want them ask for them here ([`HugeSlice`]): an anonymous mapping aligned to 2 MiB
//! and advised `MADV_HUGEPAGE`, which the kernel honours in its default `madvise`
//! mode. Elsewhere (or if the mapping fails) the table is an ordinary allocation.
//!
//! The model files built into the binary are read once, into those tables; their
//! pages of the executable then only count against the daemon's resident memory.
//! [`release_pages`] asks the kernel to reclaim them as it would under memory
//! pressure: their contents stay the same, and a later read (a rebuilt pipeline)
//! pages them back in from the executable.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Size of a huge page on x86-64 and aarch64 with 4 KiB base pages.
const HUGE: usize = 2 << 20;

/// A fixed-length slice of `Copy` values, in huge pages when the system allows.
pub struct HugeSlice<T: Copy> {
    store: Store<T>,
}

enum Store<T> {
    /// `len` values at `ptr`, inside a mapping of `map_len` bytes.
    Mapped {
        ptr: NonNull<T>,
        len: usize,
        map_len: usize,
    },
    Heap(Box<[T]>),
}

// SAFETY: a `HugeSlice` owns its values exactly as a `Box<[T]>` does.
unsafe impl<T: Copy + Send> Send for HugeSlice<T> {}
// SAFETY: shared access only hands out `&[T]`.
unsafe impl<T: Copy + Sync> Sync for HugeSlice<T> {}

impl<T: Copy> HugeSlice<T> {
    /// `len` copies of `value`.
    pub fn filled(len: usize, value: T) -> Self {
        let bytes = len.saturating_mul(std::mem::size_of::<T>());
        let store = if bytes >= HUGE && std::mem::align_of::<T>() <= HUGE {
            map_huge(bytes)
                .map(|(base, map_len)| {
                    let ptr = base.cast::<T>();
                    for i in 0..len {
                        // SAFETY: the mapping holds `len` values of T (bytes ≤ map_len),
                        // is aligned to 2 MiB (so to T), and is written before it is read.
                        unsafe { ptr.as_ptr().add(i).write(value) };
                    }
                    Store::Mapped { ptr, len, map_len }
                })
                .unwrap_or_else(|| Store::Heap(vec![value; len].into_boxed_slice()))
        } else {
            Store::Heap(vec![value; len].into_boxed_slice())
        };
        Self { store }
    }

    /// True when the values live in a huge-page mapping (not a heap allocation).
    pub fn is_mapped(&self) -> bool {
        matches!(self.store, Store::Mapped { .. })
    }
}

/// Maps at least `bytes` bytes of anonymous memory aligned to a huge page and asks
/// for huge pages. Returns the start and the mapped length.
#[cfg(target_os = "linux")]
fn map_huge(bytes: usize) -> Option<(NonNull<u8>, usize)> {
    let len = bytes.checked_next_multiple_of(HUGE)?;
    let over = len.checked_add(HUGE)?;
    // SAFETY: a fresh private anonymous mapping; no existing memory is touched.
    let raw = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            over,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return None;
    }
    let start = raw as usize;
    let aligned = start.next_multiple_of(HUGE);
    let head = aligned - start;
    let tail = over - head - len;
    // SAFETY: unmapping the unaligned ends of the mapping just made; the kept part
    // [aligned, aligned + len) stays mapped. Advice only changes how pages are backed.
    unsafe {
        if head > 0 {
            libc::munmap(raw, head);
        }
        if tail > 0 {
            libc::munmap((aligned + len) as *mut libc::c_void, tail);
        }
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
    NonNull::new(aligned as *mut u8).map(|p| (p, len))
}

#[cfg(not(target_os = "linux"))]
fn map_huge(_bytes: usize) -> Option<(NonNull<u8>, usize)> {
    None
}

/// Asks the kernel to reclaim the resident pages lying wholly inside `bytes` (data
/// read once and not needed again soon, such as an embedded model file). Contents are
/// unchanged; it only lowers resident memory, and is a no-op where unsupported.
pub fn release_pages(bytes: &[u8]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = (bytes.as_ptr() as usize).next_multiple_of(PAGE);
        let end = (bytes.as_ptr() as usize + bytes.len()) / PAGE * PAGE;
        if end > start {
            // SAFETY: MADV_PAGEOUT only moves pages out of memory (file-backed ones are
            // read back from their file, anonymous ones from swap); what the program
            // reads from them never changes. Failure (an old kernel) is harmless.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_PAGEOUT);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

impl<T: Copy> Drop for HugeSlice<T> {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Store::Mapped { ptr, map_len, .. } = self.store {
            // SAFETY: the mapping was made by `map_huge` with this length and nothing
            // refers to it once the slice is dropped (`T: Copy` has no destructor).
            unsafe { libc::munmap(ptr.as_ptr().cast(), map_len) };
        }
    }
}

impl<T: Copy> Deref for HugeSlice<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.store {
            // SAFETY: `len` initialised values live at `ptr` for the life of `self`.
            Store::Mapped { ptr, len, .. } => unsafe {
                std::slice::from_raw_parts(ptr.as_ptr(), *len)
            },
            Store::Heap(b) => b,
        }
    }
}

impl<T: Copy> DerefMut for HugeSlice<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.store {
            // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
            Store::Mapped { ptr, len, .. } => unsafe {
                std::slice::from_raw_parts_mut(ptr.as_ptr(), *len)
            },
            Store::Heap(b) => b,
        }
    }
}

impl<T: Copy> Clone for HugeSlice<T> {
    fn clone(&self) -> Self {
        match self.first() {
            None => Self::default(),
            Some(&v) => {
                let mut out = Self::filled(self.len(), v);
                out.copy_from_slice(self);
                out
            }
        }
    }
}

impl<T: Copy> Default for HugeSlice<T> {
    fn default() -> Self {
        Self {
            store: Store::Heap(Box::new([])),
        }
    }
}

impl<T: Copy> std::fmt::Debug for HugeSlice<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HugeSlice")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

/// Asks the memory system for the cache line at `p`: a hint with no effect on
/// results, for lookup tables that know a few reads ahead where they will read.
#[inline(always)]
pub fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and reads nothing the program can observe,
        // whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tables_stay_on_the_heap_and_large_ones_are_aligned_to_a_huge_page() {
        let small = HugeSlice::filled(1000, 7u32);
        assert!(!small.is_mapped());
        assert!(small.iter().all(|&v| v == 7));
        let n = 3 * HUGE / 8 + 5;
        let mut big = HugeSlice::filled(n, 1u64);
        assert_eq!(big.len(), n);
        if cfg!(target_os = "linux") {
            assert!(big.is_mapped());
            assert_eq!(big.as_ptr() as usize % HUGE, 0);
        }
        big[n - 1] = 9;
        let copy = big.clone();
        assert_eq!(copy.len(), n);
        assert_eq!(copy[n - 1], 9);
        assert!(copy[..n - 1].iter().all(|&v| v == 1));
        drop(big);
        assert_eq!(copy[0], 1, "a clone owns its own mapping");
        let empty: HugeSlice<u8> = HugeSlice::default();
        assert!(empty.clone().is_empty());
    }
}
