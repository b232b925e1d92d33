package io.gasok.examples.bench;

import io.gasok.Device;
import io.gasok.examples.bench.Workload.Contender;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ejml.concurrency.EjmlConcurrency;

/**
 * The peers of one bench run at one thread count, and what each contributes to a workload: EJML in
 * this JVM, NumPy in a python3 process at the same thread count, CLBlast's SGEMM in a process per
 * Gasok OpenCL device, on that device, and {@code gemm}: Gasok's own matmul on each Gasok device at
 * a conv2d layer's GEMM shapes, the rate a convolution is held to. A peer that cannot run leaves a
 * one-line note (and its reason in the report's {@code peers} object); one that fails mid-run is
 * dropped for the rest of it.
 *
 * <p>A peer row's {@code compares_with} names the Gasok device it is a peer of (CLBlast's rows:
 * the OpenCL device it ran on; gemm's: its own device); rows without it are peers of every Gasok row.
 */
public final class Peers implements AutoCloseable {
    /** Every peer {@code --peers} can name. */
    public static final List<String> NAMES = List.of("ejml", "numpy", "clblast", "gemm");

    private static final Pattern DEVICE_INDEX = Pattern.compile(":(\\d+)$");

    private final int threads;
    private final boolean ejml;
    private NumpyPeer numpy;
    private final Map<String, ClblastPeer> clblast = new LinkedHashMap<>();
    /** The Gasok devices whose matmul is the {@code gemm} peer of their own conv2d rows (empty when not asked). */
    private final List<Device> gemmDevices = new ArrayList<>();
    private final Map<String, Object> info = new LinkedHashMap<>();
    private final List<String> notes;

    /** A peer's contender for one workload and its row (the timings are added by the bench). */
    public record Run(Map<String, Object> row, Contender contender) {}

    private Peers(int threads, boolean ejml, List<String> notes) {
        this.threads = threads;
        this.ejml = ejml;
        this.notes = notes;
    }

    /**
     * Starts the peers in {@code names} for {@code threads} threads; CLBlast once per OpenCL device
     * among {@code targets} (with a note when {@code clblastAsked} and there is none). Reasons a
     * peer is absent go to {@code notes}.
     */
    public static Peers start(List<String> names, boolean clblastAsked, int threads, String python, String compiler,
                              List<Device> targets, List<String> notes) {
        Peers peers = new Peers(threads, names.contains("ejml"), notes);
        if (peers.ejml) {
            EjmlConcurrency.setMaxThreads(threads);
            peers.info.put("ejml", ordered("version", ejmlVersion(),
                    "gemm", threads > 1 ? "CommonOps_MT_FDRM.mult" : "CommonOps_FDRM.mult"));
        }
        if (names.contains("numpy")) {
            try {
                peers.numpy = NumpyPeer.start(python, threads);
                peers.info.put("numpy", ordered("numpy", peers.numpy.numpyVersion(), "blas", peers.numpy.blas(),
                        "blas_kernel", peers.numpy.kernel(), "environment",
                        "OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS set to the row's threads;"
                                + " OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed"));
            } catch (PeerUnavailableException e) {
                notes.add(e.getMessage());
                peers.info.put("numpy", ordered("unavailable", e.getMessage()));
            }
        }
        if (names.contains("clblast")) {
            peers.startClblast(clblastAsked, compiler, targets);
        }
        if (names.contains("gemm")) {
            peers.gemmDevices.addAll(targets);
            peers.info.put("gemm", ordered("what", "Gasok's own matmul on each conv2d layer's im2col + GEMM products,"
                    + " operands already laid out, on the same device as the row it is a peer of: vs gemm is the"
                    + " layer's rate over the rate of its GEMMs (the same flops)"));
        }
        return peers;
    }

    private void startClblast(boolean asked, String compiler, List<Device> targets) {
        List<Device> openCl = targets.stream().filter(d -> d.backendName().equals("opencl")).toList();
        if (openCl.isEmpty()) {
            if (asked) {
                notes.add("clblast is a peer of OpenCL devices only, and --device names none");
            }
            return;
        }
        Map<String, Object> devices = new LinkedHashMap<>();
        for (Device device : openCl) {
            Matcher index = DEVICE_INDEX.matcher(device.name());
            try {
                ClblastPeer peer = ClblastPeer.start(compiler, index.find() ? Integer.parseInt(index.group(1)) : 0);
                if (!peer.runsOn(device.description())) {
                    peer.close();
                    throw new PeerUnavailableException("clblast not compared on " + device.name() + ": it opened "
                            + peer.device() + " (" + peer.platform() + "), not Gasok's " + device.description());
                }
                clblast.put(device.name(), peer);
                devices.put(device.name(), ordered("clblast", peer.version(), "platform", peer.platform(),
                        "device", peer.device(), "device_version", peer.deviceVersion(),
                        "gemm", "CLBlastSgemm, row-major, one clFinish per call"));
            } catch (PeerUnavailableException e) {
                notes.add(e.getMessage());
                devices.put(device.name(), ordered("unavailable", e.getMessage()));
            }
        }
        info.put("clblast", devices);
    }

    /** The report's {@code peers} object: versions and settings, or why a peer is absent. */
    public Map<String, Object> info() {
        return info;
    }

    /** The peers' contenders for {@code workload}, in the order they alternate with Gasok's. */
    public List<Run> runs(Workload workload) {
        List<Run> runs = new ArrayList<>();
        if (ejml) {
            Contender contender = workload.ejml(threads);
            if (contender != null) {
                String how = workload.op.equals("add") || workload.op.equals("launch")
                        ? "CommonOps_FDRM.add, 1 thread"
                        : (threads > 1 ? "CommonOps_MT_FDRM, " + threads + " threads" : "CommonOps_FDRM, 1 thread");
                runs.add(new Run(workload.row("ejml", "ejml", "cpu",
                        "EJML " + ejmlVersion() + " " + how + " on " + Machine.cpuModel(), threads), contender));
            }
        }
        if (numpy != null && workload.numpy() != null) {
            NumpyPeer peer = numpy;
            String request = workload.numpy();
            Map<String, Object> row = workload.row("numpy", "numpy", "cpu", "NumPy " + peer.numpyVersion() + ", "
                    + peer.blas() + " (" + peer.kernel() + " kernel), " + threads + " threads on " + Machine.cpuModel(),
                    threads);
            row.put("blas", peer.blas());
            row.put("blas_kernel", peer.kernel());
            runs.add(new Run(row, calls -> peer.time(calls, request)));
        }
        if (workload.clblast() != null) {
            String request = workload.clblast();
            for (Map.Entry<String, ClblastPeer> entry : clblast.entrySet()) {
                ClblastPeer peer = entry.getValue();
                Map<String, Object> row = workload.row("clblast", "clblast", entry.getKey(), "CLBlast " + peer.version()
                        + " SGEMM on " + peer.device() + " (" + peer.platform() + ", " + peer.deviceVersion()
                        + "), one clFinish per call", threads);
                row.put("clblast_version", peer.version());
                row.put("compares_with", entry.getKey());
                runs.add(new Run(row, calls -> peer.time(calls, request)));
            }
        }
        for (Device device : gemmDevices) {
            Contender contender = workload.gemmEquivalent(device);
            if (contender != null) {
                Map<String, Object> row = workload.row("gemm", "gasok-" + device.backendName(), device.name(),
                        device.description(), threads);
                row.put("gemm_shapes", workload.gemmShapes());
                row.put("compares_with", device.name());
                runs.add(new Run(row, contender));
            }
        }
        return runs;
    }

    /** A peer's contender failed with {@code error}: a process peer that stopped is closed and dropped. */
    public void failed(Map<String, Object> row, Throwable error) {
        if (!(error instanceof PeerUnavailableException)) {
            return;
        }
        if ("numpy".equals(row.get("library")) && numpy != null) {
            numpy.close();
            numpy = null;
        }
        if ("clblast".equals(row.get("library"))) {
            ClblastPeer peer = clblast.remove(String.valueOf(row.get("device")));
            if (peer != null) {
                peer.close();
            }
        }
    }

    @Override
    public void close() {
        if (numpy != null) {
            numpy.close();
            numpy = null;
        }
        for (ClblastPeer peer : clblast.values()) {
            peer.close();
        }
        clblast.clear();
    }

    /** EJML's version, from its jar's name (its manifest has none). */
    static String ejmlVersion() {
        try {
            String jar = EjmlConcurrency.class.getProtectionDomain().getCodeSource().getLocation().getPath();
            Matcher m = Pattern.compile("ejml-core-([0-9][^/]*)\\.jar$").matcher(jar);
            if (m.find()) {
                return m.group(1);
            }
        } catch (RuntimeException ignored) {
            // unknown below
        }
        return "(version unknown)";
    }

    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
