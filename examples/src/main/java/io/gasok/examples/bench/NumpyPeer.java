package io.gasok.examples.bench;

import java.util.List;
import java.util.Map;

/**
 * NumPy (and the BLAS under it, OpenBLAS in the wheels) as a peer: one {@code python3} process per
 * thread count, started with {@code OPENBLAS_NUM_THREADS}, {@code OMP_NUM_THREADS} and
 * {@code MKL_NUM_THREADS} set to that count, that times what it is asked on its standard input and
 * answers one JSON line per request ({@link PeerProcess}'s protocol). The bench asks it one run at a
 * time, alternating with Gasok.
 *
 * <p>{@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} are removed from its environment
 * together: some machines set them, and a current OpenBLAS then picks a slower kernel than the one
 * it detects. Which kernel it ran is read back and recorded in every row.
 *
 * <p>Requests are {@code CALLS OP ARGS...}: {@code gemm N}, {@code add N}, {@code softmax ROWS COLS},
 * {@code conv_fwd N C H W OC K S P}, {@code conv_bwd N C H W OC K S P}; the answer is
 * {@code {"seconds": total}} for CALLS calls, or {@code {"error": "..."}}.
 */
public final class NumpyPeer implements AutoCloseable {

    /** The Python side. It keeps the inputs of the last request, so repeated runs reuse them. */
    static final String SCRIPT = """
            import json, sys, time
            try:
                import numpy as np
            except Exception as e:
                print(json.dumps({"error": "python3 has no numpy (" + type(e).__name__ + ")"}), flush=True)
                sys.exit(0)
            import ctypes, os

            def blas():
                info = {"numpy": np.__version__, "blas": "unknown", "kernel": "unknown"}
                try:
                    cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
                    info["blas"] = (cfg.get("name", "unknown") + " " + cfg.get("version", "")).strip()
                except Exception:
                    pass
                np.dot(np.ones((8, 8), np.float32), np.ones((8, 8), np.float32))
                try:
                    from threadpoolctl import threadpool_info
                    for pool in threadpool_info():
                        if pool.get("user_api") == "blas":
                            info["kernel"] = str(pool.get("architecture") or "unknown")
                            info["blas"] = (str(pool.get("internal_api")) + " " + str(pool.get("version") or "")).strip()
                            return info
                except Exception:
                    pass
                try:
                    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.split()[-1].lower()})
                    for path in libs:
                        lib = ctypes.CDLL(path)
                        for symbol in ("openblas_get_corename", "openblas_get_corename64_",
                                       "scipy_openblas_get_corename", "scipy_openblas_get_corename64_"):
                            f = getattr(lib, symbol, None)
                            if f is not None:
                                f.restype = ctypes.c_char_p
                                info["kernel"] = f().decode()
                                return info
                except Exception:
                    pass
                return info

            rng = np.random.default_rng(0)
            def normal(*shape):
                return rng.standard_normal(shape, dtype=np.float32)

            def im2col(xp, k, s, oh, ow):
                n, c = xp.shape[0], xp.shape[1]
                sn, sc, sh, sw = xp.strides
                win = np.lib.stride_tricks.as_strided(xp, (n, c, k, k, oh, ow), (sn, sc, sh, sw, sh * s, sw * s))
                return win.reshape(n, c * k * k, oh * ow)

            def prepare(op, a):
                if op == "gemm":
                    x, y = normal(a[0], a[0]), normal(a[0], a[0])
                    return lambda: x @ y
                if op == "add":
                    x, y = normal(a[0]), normal(a[0])
                    return lambda: x + y
                if op == "softmax":
                    x = normal(a[0], a[1])
                    def softmax():
                        e = np.exp(x - x.max(axis=1, keepdims=True))
                        e /= e.sum(axis=1, keepdims=True)
                        return e
                    return softmax
                if op in ("conv_fwd", "conv_bwd"):
                    n, c, h, w, oc, k, s, p = a
                    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
                    x, wt, b = normal(n, c, h, w), normal(oc, c * k * k) * np.float32((c * k * k) ** -0.5), normal(oc)
                    def forward():
                        cols = im2col(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), k, s, oh, ow)
                        return (np.matmul(wt, cols) + b[:, None]).reshape(n, oc, oh, ow)
                    if op == "conv_fwd":
                        return forward
                    cols = im2col(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), k, s, oh, ow).copy()
                    dy = normal(n, oc, oh * ow)
                    def backward():
                        db = dy.sum(axis=(0, 2))
                        dw = np.einsum("nop,nkp->ok", dy, cols, optimize=True) if n > 1 else dy[0] @ cols[0].T
                        dcols = np.matmul(wt.T, dy).reshape(n, c, k, k, oh, ow)
                        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p), np.float32)
                        for i in range(k):
                            for j in range(k):
                                dxp[:, :, i:i + s * oh:s, j:j + s * ow:s] += dcols[:, :, i, j]
                        return dxp[:, :, p:p + h, p:p + w], dw, db
                    return backward
                raise ValueError("unknown op " + op)

            print(json.dumps(blas()), flush=True)
            key, fn = None, None
            for line in sys.stdin:
                parts = line.split()
                if not parts:
                    continue
                try:
                    calls, op, args = int(parts[0]), parts[1], [int(v) for v in parts[2:]]
                    if (op, tuple(args)) != key:
                        key, fn = None, None
                        fn = prepare(op, args)
                        key = (op, tuple(args))
                    start = time.perf_counter()
                    for _ in range(calls):
                        fn()
                    print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)
                except Exception as e:
                    print(json.dumps({"error": type(e).__name__ + ": " + str(e)}), flush=True)
            """;

    private final PeerProcess process;
    private final int threads;

    private NumpyPeer(PeerProcess process, int threads) {
        this.process = process;
        this.threads = threads;
    }

    /**
     * Starts {@code python} (normally {@code python3}) with NumPy at {@code threads} BLAS threads.
     *
     * @throws PeerUnavailableException with one line saying why (no python3, no numpy, a crash)
     */
    public static NumpyPeer start(String python, int threads) {
        return new NumpyPeer(PeerProcess.start("numpy", withBlasThreads(
                new ProcessBuilder(List.of(python, "-u", "-c", SCRIPT)), threads)), threads);
    }

    /**
     * {@code builder} with the BLAS thread count set to {@code threads} (OpenBLAS, OpenMP and MKL
     * variables) and {@code OPENBLAS_CORETYPE} / {@code OPENBLAS_L2_SIZE} removed (see the class
     * comment): the environment of every NumPy peer.
     */
    public static ProcessBuilder withBlasThreads(ProcessBuilder builder, int threads) {
        Map<String, String> env = builder.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        for (String name : List.of("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")) {
            env.put(name, Integer.toString(threads));
        }
        return builder;
    }

    /** NumPy's version, its BLAS and the kernel the BLAS picked ({@code unknown} where it cannot tell). */
    public String numpyVersion() {
        return String.valueOf(process.info().getOrDefault("numpy", "unknown"));
    }

    public String blas() {
        return String.valueOf(process.info().getOrDefault("blas", "unknown"));
    }

    public String kernel() {
        return String.valueOf(process.info().getOrDefault("kernel", "unknown"));
    }

    public int threads() {
        return threads;
    }

    /** Seconds for {@code calls} calls of {@code request} (e.g. {@code gemm 1024}), timed in Python. */
    public double time(int calls, String request) {
        return process.time(calls, request);
    }

    @Override
    public void close() {
        process.close();
    }
}
