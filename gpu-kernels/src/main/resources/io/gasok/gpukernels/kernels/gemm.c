/*
 * gemm_tiled: batched matrix product with an epilogue, for b in [0, batch), i in [0, m), j in [0, n):
 *   C[b][i][j] = ACTIVATION(alpha · Σ_{p<k} op(A[b])[i][p] · op(B[b])[p][j] + bias[i][j] + beta · C[b][i][j])
 * op(A) is m×k, stored k×m when transA; op(B) is k×n, stored n×k when transB. Every operand is
 * reached as offset + b·batchStride + row·ld + col (a batch stride of 0 shares one matrix). The
 * bias is read at biasOffset + i·biasRowStride + j·biasColumnStride: (0, s) for GEMM's per-column
 * bias, (s, 0) for convolution's per-channel bias. C is read only when beta != 0 (uninitialised
 * output memory would otherwise turn 0 · NaN into NaN). k = 0 gives ACTIVATION(bias + beta · C).
 *
 * Options: -DT=float or -DT=double (also the accumulator); the tile sizes -DTILE_M, -DTILE_N,
 * -DTILE_K and the register block -DBLOCK_M, -DBLOCK_N (BLOCK divides TILE); optionally
 * -DACTIVATION(value,param)=<C form> (EpilogueOptions), the identity otherwise.
 *
 * NDRange: 1-D, one work-group of GROUP_ITEMS = (TILE_M/BLOCK_M)·(TILE_N/BLOCK_N) items per
 * TILE_M×TILE_N tile of C, groups numbered batch-major, then tile row, then tile column (so
 * neighbouring groups share A's rows); global size = batch · ⌈m/TILE_M⌉ · ⌈n/TILE_N⌉ · GROUP_ITEMS,
 * launched with exactly GROUP_ITEMS as the local size (the host picks the block so that it fits
 * the device's CL_DEVICE_MAX_WORK_GROUP_SIZE).
 * Work-group: for each slice of TILE_K along k, the items copy op(A)'s TILE_M×TILE_K and op(B)'s
 * TILE_K×TILE_N tiles into local memory (zeros past the matrix edges, each element loaded along
 * its stored rows so that neighbouring items read neighbouring addresses), then item (r, c) of
 * the (TILE_M/BLOCK_M)×(TILE_N/BLOCK_N) grid accumulates its BLOCK_M×BLOCK_N outputs in
 * registers: rows r + u·(TILE_M/BLOCK_M), columns c + v·(TILE_N/BLOCK_N), u < BLOCK_M, v < BLOCK_N
 * (interleaved, so a tile row's items read consecutive local words). Outputs past m or n are
 * computed from the zero padding and never stored.
 */
#ifndef ACTIVATION
#define ACTIVATION(value, param) (value)
#endif

#define THREADS_M (TILE_M / BLOCK_M)
#define THREADS_N (TILE_N / BLOCK_N)
#define GROUP_ITEMS (THREADS_M * THREADS_N)

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
                T value = alpha * accumulator[u][v];
                if (hasBias) {
                    value += bias[biasOffset + row * biasRowStride + column * biasColumnStride];
                }
                const int64 position = row * ldc + column;
                if (beta != 0) {
                    value += beta * cMatrix[position];
                }
                cMatrix[position] = ACTIVATION(value, activationParam);
            }
        }
    }
}
