//! Adding a sparse weight row onto a token's class scores, with the vector code the
//! CPU has.
//!
//! A row of the recogniser's table (`super::fused`) holds only its non-zero weights,
//! in class order, and a bit per class that has one. Spreading them onto the 17
//! scores one set bit at a time costs a hard-to-predict branch per weight; the
//! vector paths spread a whole row at once: an AVX-512 expanding load, or for AVX2 a
//! byte shuffle per eight classes looked up in a table. Each path multiplies and
//! adds exactly as the portable loop does, lane by lane, so the sums, and the tags,
//! are the same bit for bit whichever runs. The intrinsics are used directly because
//! no crate offers a masked expand of `i16` lanes.

use super::labels::NUM_CLASSES;

/// Non-zero weights a row holds in its own cache line, both passes together. Rows
/// are sparse (a feature speaks for a few classes): 97 % of the shipped model's rows
/// fit.
pub(crate) const INLINE: usize = 20;

/// The bits of a row's mask that stand for classes.
pub(crate) const CLASSES: u32 = (1 << NUM_CLASSES) - 1;

/// Adds `value` times the non-zero weights `w` of the classes set in `mask`. Skipping
/// a zero weight leaves the sum as adding `value × 0` would (up to the sign of a
/// zero sum), so scores match the dense form.
#[inline(always)]
pub(crate) fn add_sparse(
    scores: &mut [f32; NUM_CLASSES],
    mask: u32,
    w: &[i16],
    step: f32,
    value: f32,
) {
    let mut mask = mask & CLASSES;
    for &q in w {
        if mask == 0 {
            break;
        }
        let c = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        if let Some(x) = scores.get_mut(c) {
            *x += value * (f32::from(q) * step);
        }
    }
}

/// Adds the seventeenth class's weight, which the 16-lane vector code leaves out:
/// when the class has one, it is the last of the row's.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn add_last_class(scores: &mut [f32; NUM_CLASSES], mask: u32, w: &[i16], step: f32, value: f32) {
    if mask & 1 << 16 != 0
        && let (Some(x), Some(&q)) = (scores.get_mut(16), w.get(mask.count_ones() as usize - 1))
    {
        *x += value * (f32::from(q) * step);
    }
}

/// [`add_sparse`] with AVX-512: the weights are spread to their classes by one
/// expanding load, then multiplied and added as the scalar code does, lane by lane,
/// so the sums are the same bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
#[inline]
pub(crate) fn add_sparse_avx512(
    scores: &mut [f32; NUM_CLASSES],
    mask: u32,
    w: &[i16],
    step: f32,
    value: f32,
) {
    use std::arch::x86_64::*;
    let mask = mask & CLASSES;
    let n = mask.count_ones() as usize;
    if n > w.len() {
        return add_sparse(scores, mask, w, step, value);
    }
    // SAFETY: the expanding load reads exactly `n` consecutive values from `w`,
    // which holds at least `n`; `scores` holds 17 floats, of which 16 are read
    // and written here.
    unsafe {
        let q = _mm512_maskz_expandloadu_epi16(mask, w.as_ptr());
        let low = _mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(q)));
        let add = _mm512_mul_ps(
            _mm512_set1_ps(value),
            _mm512_mul_ps(low, _mm512_set1_ps(step)),
        );
        let sums = _mm512_loadu_ps(scores.as_ptr());
        _mm512_storeu_ps(scores.as_mut_ptr(), _mm512_add_ps(sums, add));
    }
    add_last_class(scores, mask, w, step, value);
}

/// For each 8-bit class mask, the byte shuffle that moves the first eight 16-bit
/// values of a vector to the lanes of the set bits, in order, and zeroes the rest:
/// the expanding load AVX2 lacks, as a table.
#[cfg(target_arch = "x86_64")]
static EXPAND8: [[u8; 16]; 256] = {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let (mut c, mut k) = (0, 0);
        while c < 8 {
            if m >> c & 1 != 0 {
                t[m][2 * c] = 2 * k;
                t[m][2 * c + 1] = 2 * k + 1;
                k += 1;
            }
            c += 1;
        }
        m += 1;
    }
    t
};

/// [`add_sparse`] with AVX2: classes 0-7 and 8-15 each take one shuffle (from
/// [`EXPAND8`]), the products and sums are the scalar code's, lane by lane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) fn add_sparse_avx2(
    scores: &mut [f32; NUM_CLASSES],
    mask: u32,
    w: &[i16],
    step: f32,
    value: f32,
) {
    use std::arch::x86_64::*;
    let mask = mask & CLASSES;
    let n = mask.count_ones() as usize;
    if n > w.len() || n > INLINE {
        return add_sparse(scores, mask, w, step, value);
    }
    // Padded so that both eight-value loads stay inside.
    let mut buf = [0i16; 32];
    buf[..n].copy_from_slice(&w[..n]);
    let low = (mask & 0xff) as usize;
    let high = (mask >> 8 & 0xff) as usize;
    let (Some(sl), Some(sh)) = (EXPAND8.get(low), EXPAND8.get(high)) else {
        return add_sparse(scores, mask, w, step, value);
    };
    let skip = low.count_ones() as usize;
    let (st, v) = (_mm256_set1_ps(step), _mm256_set1_ps(value));
    // SAFETY: `skip` ≤ 8 and `skip + 8` ≤ 16 < 32, so both loads read inside `buf`;
    // the shuffles are 16 bytes each; `scores` holds 17 floats, 16 read and written.
    unsafe {
        let a = _mm_shuffle_epi8(
            _mm_loadu_si128(buf.as_ptr().cast()),
            _mm_loadu_si128(sl.as_ptr().cast()),
        );
        let b = _mm_shuffle_epi8(
            _mm_loadu_si128(buf.as_ptr().add(skip).cast()),
            _mm_loadu_si128(sh.as_ptr().cast()),
        );
        for (half, q) in [(0, a), (8, b)] {
            let f = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(q));
            let add = _mm256_mul_ps(v, _mm256_mul_ps(f, st));
            let p = scores.as_mut_ptr().add(half);
            _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), add));
        }
    }
    add_last_class(scores, mask, w, step, value);
}

/// Which code adds a row's weights: the best this CPU runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Simd {
    #[default]
    Portable,
    Avx2,
    Avx512,
}

impl Simd {
    /// The best code this CPU runs, capped by `NEWSD_SIMD` (`portable`, `avx2` or
    /// `avx512`) when set: a way to compare the paths on one machine, or to step
    /// around one.
    pub(crate) fn detect() -> Simd {
        let cap = match std::env::var("NEWSD_SIMD").as_deref() {
            Ok("portable") => Simd::Portable,
            Ok("avx2") => Simd::Avx2,
            _ => Simd::Avx512,
        };
        Self::available().min(cap)
    }

    /// The best code this CPU runs.
    fn available() -> Simd {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") && has!("avx512bw") && has!("avx512vbmi2") {
                return Simd::Avx512;
            }
            if has!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Portable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simd_path_adds_as_the_portable_code() {
        let mut rng = crate::ner::hash::SplitMix::new(7);
        for _ in 0..2000 {
            let mask = rng.next_u64() as u32 & CLASSES;
            let n = (mask.count_ones() as usize).min(INLINE);
            // Keep only the first `n` classes' bits, as a stored row would.
            let mut m = 0u32;
            let mut bits = mask;
            for _ in 0..n {
                m |= bits & bits.wrapping_neg();
                bits &= bits - 1;
            }
            let w: Vec<i16> = (0..INLINE).map(|_| rng.next_u64() as i16).collect();
            let step = (rng.next_u64() % 1000) as f32 / 3e5;
            let value = [1.0, 0.5, -2.25][(rng.next_u64() % 3) as usize];
            let start: [f32; NUM_CLASSES] =
                std::array::from_fn(|_| (rng.next_u64() % 2000) as f32 / 7.0 - 140.0);
            let mut want = start;
            add_sparse(&mut want, m, &w, step, value);
            #[cfg(target_arch = "x86_64")]
            {
                let available = Simd::available();
                if available >= Simd::Avx2 {
                    let mut got = start;
                    // SAFETY: the CPU has AVX2.
                    unsafe { add_sparse_avx2(&mut got, m, &w, step, value) };
                    assert_eq!(got, want, "avx2, mask {m:#x}");
                }
                if available >= Simd::Avx512 {
                    let mut got = start;
                    // SAFETY: the CPU has these AVX-512 features.
                    unsafe { add_sparse_avx512(&mut got, m, &w, step, value) };
                    assert_eq!(got, want, "avx512, mask {m:#x}");
                }
            }
        }
    }
}
