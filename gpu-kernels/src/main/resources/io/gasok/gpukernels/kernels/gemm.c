/*
 * The batched matrix product with an epilogue, for b in [0, batch), i in [0, m), j in [0, n):
 *   C[b][i][j] = ACTIVATION(alpha · Σ_{p<k} op(A[b])[i][p] · op(B[b])[p][j] + bias[i][j] + beta · C[b][i][j])
 * op(A) is m×k, stored k×m when transA; op(B) is k×n, stored n×k when transB. Every operand is
 * reached as offset + b·batchStride + row·ld + col (a batch stride of 0 shares one matrix). The
 * bias is read at biasOffset + i·biasRowStride + j·biasColumnStride: (0, s) for GEMM's per-column
 * bias, (s, 0) for convolution's per-channel bias. C is read only when beta != 0 (uninitialised
 * output memory would otherwise turn 0 · NaN into NaN). k = 0 gives ACTIVATION(bias + beta · C).
 *
 * Two variants of the same product, for two kinds of device, in one program:
 * - gemm_tiled (GPUs): a work-group stages op(A) and op(B) tiles through local memory, so that
 *   each element loaded from global memory serves many items.
 * - gemm_register_blocked (CPU devices such as PoCL) with its helper gemm_pack_panels: no local
 *   memory and no barrier. PoCL runs a work-group's items as a loop and keeps every private value
 *   that lives across a barrier in memory, so gemm_tiled's accumulators would be loaded and stored
 *   at every step; here each item keeps a BLOCK_M×BLOCK_N block of C in registers for the whole k
 *   loop, and the compiler turns its BLOCK_N contiguous columns into vector instructions. The
 *   CPU's caches do what local memory does on a GPU, helped by reading op(B) as column panels:
 *   BLOCK_N columns whose rows lie one after the other (packed by gemm_pack_panels), so the k
 *   loop streams through memory instead of striding by ldb (a power-of-two ldb maps every row of
 *   a column strip to the same few cache sets).
 *
 * Options: -DT=float or -DT=double (also the accumulator); the tile sizes -DTILE_M, -DTILE_N,
 * -DTILE_K and the register block -DBLOCK_M, -DBLOCK_N (BLOCK divides TILE; gemm_register_blocked
 * ignores TILE_K); optionally -DACTIVATION(value,param)=<C form> (EpilogueOptions), the identity
 * otherwise.
 *
 * gemm_tiled. NDRange: 1-D, one work-group of GROUP_ITEMS = (TILE_M/BLOCK_M)·(TILE_N/BLOCK_N)
 * items per TILE_M×TILE_N tile of C, groups numbered batch-major, then tile row, then tile column
 * (so neighbouring groups share A's rows); global size = batch · ⌈m/TILE_M⌉ · ⌈n/TILE_N⌉ ·
 * GROUP_ITEMS, launched with exactly GROUP_ITEMS as the local size (the host picks the block so
 * that it fits the device's CL_DEVICE_MAX_WORK_GROUP_SIZE).
 * Work-group: for each slice of TILE_K along k, the items copy op(A)'s TILE_M×TILE_K and op(B)'s
 * TILE_K×TILE_N tiles into local memory (zeros past the matrix edges, each element loaded along
 * its stored rows so that neighbouring items read neighbouring addresses), then item (r, c) of
 * the (TILE_M/BLOCK_M)×(TILE_N/BLOCK_N) grid accumulates its BLOCK_M×BLOCK_N outputs in
 * registers: rows r + u·(TILE_M/BLOCK_M), columns c + v·(TILE_N/BLOCK_N), u < BLOCK_M, v < BLOCK_N
 * (interleaved, so a tile row's items read consecutive local words). Outputs past m or n are
 * computed from the zero padding and never stored.
 *
 * gemm_pack_panels. NDRange: 1-D, one item per row of a panel, batchCount · ⌈n/BLOCK_N⌉ · k items
 * padded to whole work-groups (fewer than 2^31: the host's panel buffer has an int length, so the
 * index is split in 32-bit arithmetic): item (b, q, p) writes panels[b][q][p][v] =
 * op(B[b])[p][q·BLOCK_N + v] for v < BLOCK_N, 0 past column n (so the last panel is whole);
 * neighbouring items write neighbouring rows. Items past the end do nothing.
 *
 * gemm_register_blocked. B comes as column panels: panel q (columns q·BLOCK_N .. q·BLOCK_N +
 * BLOCK_N - 1) of matrix b starts at bOffset + b·bBatchStride + q·panelStride, its row p at
 * p·panelRowStride further, and its BLOCK_N values are contiguous. Packed panels have
 * panelStride = k·BLOCK_N and panelRowStride = BLOCK_N; an untransposed B whose n is a multiple
 * of BLOCK_N is read in place with panelStride = BLOCK_N and panelRowStride = ldb.
 * NDRange: as gemm_tiled's (same groups, same order, GROUP_ITEMS items each). Item (r, c) of the
 * group's (TILE_M/BLOCK_M)×(TILE_N/BLOCK_N) grid computes the contiguous block of rows
 * r·BLOCK_M + u and columns c·BLOCK_N + v (u < BLOCK_M, v < BLOCK_N) of the tile: one panel, k
 * steps of BLOCK_M values of op(A) times BLOCK_N values of the panel. Rows past m read row m - 1
 * (so no step needs a bounds check) and are never stored; columns past n are the packed panels'
 * zeros (B is read in place only when n is a multiple of BLOCK_N) and are never stored either.
 */
#ifndef ACTIVATION
#define ACTIVATION(value, param) (value)
#endif

#define THREADS_M (TILE_M / BLOCK_M)
#define THREADS_N (TILE_N / BLOCK_N)
#define GROUP_ITEMS (THREADS_M * THREADS_N)

/* C[row][column] = ACTIVATION(alpha · product + bias + beta · C[row][column]); C is read only when beta != 0. */
DEVICE_FUNCTION void gemm_store(GLOBAL T* cMatrix, const int64 ldc, const int row, const int column, const T product,
                                GLOBAL const T* bias, const int64 biasOffset, const int64 biasRowStride,
                                const int64 biasColumnStride, const int hasBias,
                                const T alpha, const T beta, const T activationParam) {
    T value = alpha * product;
    if (hasBias) {
        value += bias[biasOffset + row * biasRowStride + column * biasColumnStride];
    }
    const int64 position = row * ldc + column;
    if (beta != 0) {
        value += beta * cMatrix[position];
    }
    cMatrix[position] = ACTIVATION(value, activationParam);
}

KERNEL void gemm_tiled(const int m, const int n, const int k,
                       GLOBAL const T* a, const int64 aOffset, const int64 aBatchStride, const int64 lda, const int transA,
                       GLOBAL const T* b, const int64 bOffset, const int64 bBatchStride, const int64 ldb, const int transB,
                       GLOBAL T* c, const int64 cOffset, const int64 cBatchStride, const int64 ldc,
                       GLOBAL const T* bias, const int64 biasOffset, const int64 biasRowStride,
                       const int64 biasColumnStride, const int hasBias,
                       const T alpha, const T beta, const T activationParam) {
    LOCAL_ARRAY(T, aTile, TILE_K * TILE_M);
    LOCAL_ARRAY(T, bTile, TILE_K * TILE_N);

    const int64 tilesN = (n + TILE_N - 1) / TILE_N;
    const int64 tilesPerMatrix = ((m + TILE_M - 1) / TILE_M) * tilesN;
    const int64 group = group_id(0);
    const int64 batchIndex = group / tilesPerMatrix;
    const int64 tile = group % tilesPerMatrix;
    const int rowStart = (int)(tile / tilesN) * TILE_M;
    const int columnStart = (int)(tile % tilesN) * TILE_N;
    const int item = local_id(0);
    const int itemRow = item / THREADS_N;
    const int itemColumn = item % THREADS_N;

    GLOBAL const T* aMatrix = a + aOffset + batchIndex * aBatchStride;
    GLOBAL const T* bMatrix = b + bOffset + batchIndex * bBatchStride;

    T accumulator[BLOCK_M][BLOCK_N];
    for (int u = 0; u < BLOCK_M; u++) {
        for (int v = 0; v < BLOCK_N; v++) {
            accumulator[u][v] = 0;
        }
    }

    for (int sliceStart = 0; sliceStart < k; sliceStart += TILE_K) {
        for (int e = item; e < TILE_M * TILE_K; e += GROUP_ITEMS) {
            const int i = transA ? e % TILE_M : e / TILE_K;
            const int p = transA ? e / TILE_M : e % TILE_K;
            const int row = rowStart + i;
            const int depth = sliceStart + p;
            T value = 0;
            if (row < m && depth < k) {
                value = transA ? aMatrix[depth * lda + row] : aMatrix[row * lda + depth];
            }
            aTile[p * TILE_M + i] = value;
        }
        for (int e = item; e < TILE_K * TILE_N; e += GROUP_ITEMS) {
            const int j = transB ? e / TILE_K : e % TILE_N;
            const int p = transB ? e % TILE_K : e / TILE_N;
            const int column = columnStart + j;
            const int depth = sliceStart + p;
            T value = 0;
            if (column < n && depth < k) {
                value = transB ? bMatrix[column * ldb + depth] : bMatrix[depth * ldb + column];
            }
            bTile[p * TILE_N + j] = value;
        }
        BARRIER();
        for (int p = 0; p < TILE_K; p++) {
            T aRegister[BLOCK_M];
            T bRegister[BLOCK_N];
            for (int u = 0; u < BLOCK_M; u++) {
                aRegister[u] = aTile[p * TILE_M + itemRow + u * THREADS_M];
            }
            for (int v = 0; v < BLOCK_N; v++) {
                bRegister[v] = bTile[p * TILE_N + itemColumn + v * THREADS_N];
            }
            for (int u = 0; u < BLOCK_M; u++) {
                for (int v = 0; v < BLOCK_N; v++) {
                    accumulator[u][v] += aRegister[u] * bRegister[v];
                }
            }
        }
        BARRIER();
    }

    GLOBAL T* cMatrix = c + cOffset + batchIndex * cBatchStride;
    for (int u = 0; u < BLOCK_M; u++) {
        const int row = rowStart + itemRow + u * THREADS_M;
        for (int v = 0; v < BLOCK_N; v++) {
            const int column = columnStart + itemColumn + v * THREADS_N;
            if (row < m && column < n) {
                gemm_store(cMatrix, ldc, row, column, accumulator[u][v], bias, biasOffset, biasRowStride,
                           biasColumnStride, hasBias, alpha, beta, activationParam);
            }
        }
    }
}

KERNEL void gemm_pack_panels(const int n, const int k, const int batchCount,
                             GLOBAL const T* b, const int64 bOffset, const int64 bBatchStride, const int64 ldb,
                             const int transB, GLOBAL T* panels) {
    const int panelCount = (n + BLOCK_N - 1) / BLOCK_N;
    if (global_id(0) >= (int64)batchCount * panelCount * k) {
        return;
    }
    const int panelRow = (int)global_id(0);
    const int depth = panelRow % k;
    const int matrixPanel = panelRow / k;
    const int columnStart = (matrixPanel % panelCount) * BLOCK_N;
    GLOBAL const T* bMatrix = b + bOffset + (int64)(matrixPanel / panelCount) * bBatchStride;
    GLOBAL T* out = panels + (int64)panelRow * BLOCK_N;
#pragma unroll
    for (int v = 0; v < BLOCK_N; v++) {
        const int column = columnStart + v;
        T value = 0;
        if (column < n) {
            value = transB ? bMatrix[column * ldb + depth] : bMatrix[depth * ldb + column];
        }
        out[v] = value;
    }
}

KERNEL void gemm_register_blocked(const int m, const int n, const int k,
                                  GLOBAL const T* a, const int64 aOffset, const int64 aBatchStride, const int64 lda,
                                  const int transA,
                                  GLOBAL const T* b, const int64 bOffset, const int64 bBatchStride,
                                  const int64 panelStride, const int64 panelRowStride,
                                  GLOBAL T* c, const int64 cOffset, const int64 cBatchStride, const int64 ldc,
                                  GLOBAL const T* bias, const int64 biasOffset, const int64 biasRowStride,
                                  const int64 biasColumnStride, const int hasBias,
                                  const T alpha, const T beta, const T activationParam) {
    const int64 tilesN = (n + TILE_N - 1) / TILE_N;
    const int64 tilesPerMatrix = ((m + TILE_M - 1) / TILE_M) * tilesN;
    const int64 group = group_id(0);
    const int64 batchIndex = group / tilesPerMatrix;
    const int64 tile = group % tilesPerMatrix;
    const int item = local_id(0);
    const int rowStart = (int)(tile / tilesN) * TILE_M + (item / THREADS_N) * BLOCK_M;
    const int panel = (int)(tile % tilesN) * THREADS_N + item % THREADS_N;
    const int columnStart = panel * BLOCK_N;

    GLOBAL const T* aMatrix = a + aOffset + batchIndex * aBatchStride;
    const int64 aRowStep = transA ? 1 : lda;
    const int64 aDepthStep = transA ? lda : 1;
    GLOBAL const T* aRows[BLOCK_M];
#pragma unroll
    for (int u = 0; u < BLOCK_M; u++) {
        aRows[u] = aMatrix + min(rowStart + u, m - 1) * aRowStep;
    }
    GLOBAL const T* bPanel = b + bOffset + batchIndex * bBatchStride + panel * panelStride;

    T accumulator[BLOCK_M][BLOCK_N];
#pragma unroll
    for (int u = 0; u < BLOCK_M; u++) {
#pragma unroll
        for (int v = 0; v < BLOCK_N; v++) {
            accumulator[u][v] = 0;
        }
    }
    if (columnStart < n) {
        for (int p = 0; p < k; p++) {
            T bRegister[BLOCK_N];
#pragma unroll
            for (int v = 0; v < BLOCK_N; v++) {
                bRegister[v] = bPanel[p * panelRowStride + v];
            }
#pragma unroll
            for (int u = 0; u < BLOCK_M; u++) {
                const T aValue = aRows[u][p * aDepthStep];
#pragma unroll
                for (int v = 0; v < BLOCK_N; v++) {
                    accumulator[u][v] += aValue * bRegister[v];
                }
            }
        }
    }

    GLOBAL T* cMatrix = c + cOffset + batchIndex * cBatchStride;
#pragma unroll
    for (int u = 0; u < BLOCK_M; u++) {
        const int row = rowStart + u;
#pragma unroll
        for (int v = 0; v < BLOCK_N; v++) {
            const int column = columnStart + v;
            if (row < m && column < n) {
                gemm_store(cMatrix, ldc, row, column, accumulator[u][v], bias, biasOffset, biasRowStride,
                           biasColumnStride, hasBias, alpha, beta, activationParam);
            }
        }
    }
}
