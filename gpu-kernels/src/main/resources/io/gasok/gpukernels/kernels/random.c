/*
 * random_fill: out[e] = the Philox4x32-10 draw for counter firstCounter + e under key seed, e the
 * row-major index of each element of a strided operand; the same numbers as io.gasok.spi.Philox
 * on the host, bit for bit for uniforms.
 *
 * Fill rule (shared by every backend): block = philox(key = seed, counter = firstCounter + e);
 * float:  uniform u0 = (word0 >> 8) · 2^-24, normal = sqrt(-2 ln(1 - u0)) · cos(2π u1), u1 from word1;
 * double: uniform u0 = ((word0 << 21) ^ (word1 >> 11)) · 2^-53, u1 the same from words 2 and 3.
 *
 * Options: -DT=float or -DT=double; -DBOX_MULLER_DOUBLE=1 computes the normal transform in double
 * (as the reference does) where the device has double, else 0.
 * NDRange: one work item per element, the count rounded up to the work-group size; item
 * e in [0, count) draws one block and writes one element, items past count do nothing.
 */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

#if BOX_MULLER_DOUBLE
typedef double box_muller_t;
#define TWO_PI 6.283185307179586476925
#else
typedef float box_muller_t;
#define TWO_PI 6.283185307179586476925f
#endif

/* The four 32-bit words of Philox4x32-10 for a 64-bit counter (words 2 and 3 of the counter are 0). */
DEVICE_FUNCTION void philox4x32_10(const uint64 seed, const uint64 counter, uint32 words[4]) {
    uint32 c0 = (uint32)counter;
    uint32 c1 = (uint32)(counter >> 32);
    uint32 c2 = 0;
    uint32 c3 = 0;
    uint32 k0 = (uint32)seed;
    uint32 k1 = (uint32)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        const uint64 p0 = (uint64)PHILOX_M0 * c0;
        const uint64 p1 = (uint64)PHILOX_M1 * c2;
        const uint32 n0 = (uint32)(p1 >> 32) ^ c1 ^ k0;
        const uint32 n1 = (uint32)p1;
        const uint32 n2 = (uint32)(p0 >> 32) ^ c3 ^ k1;
        const uint32 n3 = (uint32)p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    words[0] = c0;
    words[1] = c1;
    words[2] = c2;
    words[3] = c3;
}

#if T_IS_DOUBLE
/* 53 random bits times 2^-53 (exact). */
#define UNIFORM_FROM_WORDS(a, b) ((T)((((uint64)(a)) << 21) ^ (((uint64)(b)) >> 11)) * 1.1102230246251565404236316680908203125e-16)
#define FIRST_UNIFORM(w) UNIFORM_FROM_WORDS(w[0], w[1])
#define SECOND_UNIFORM(w) UNIFORM_FROM_WORDS(w[2], w[3])
#else
/* 24 random bits times 2^-24 (exact). */
#define UNIFORM_FROM_WORD(a) ((float)((a) >> 8) * 5.9604644775390625e-08f)
#define FIRST_UNIFORM(w) UNIFORM_FROM_WORD(w[0])
#define SECOND_UNIFORM(w) UNIFORM_FROM_WORD(w[1])
#endif

KERNEL void random_fill(GLOBAL T* out, const StridedLayout layout, const int64 count,
                        const uint64 seed, const uint64 firstCounter, const int normal) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    uint32 words[4];
    philox4x32_10(seed, firstCounter + (uint64)element, words);
    const T u0 = FIRST_UNIFORM(words);
    T value = u0;
    if (normal) {
        const box_muller_t u1 = (box_muller_t)SECOND_UNIFORM(words);
        const box_muller_t radius = sqrt(-2 * log(1 - (box_muller_t)u0));
        value = (T)(radius * cos(TWO_PI * u1));
    }
    out[strided_position(layout, element)] = value;
}
