package io.gasok.gpukernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The text a GPU backend compiles: the API's prelude, then {@code kernels/common.h}, then one
 * kernel family's source (or a generated elementwise kernel). The sources are resources of this
 * module, read once and kept.
 *
 * <p>Kernel families: {@code fill}, {@code copy}, {@code random}, {@code reduce}, {@code softmax};
 * each file's header comment says what it computes, its {@code -D} options and how the work is
 * split.
 */
public final class KernelSources {
    private static final Map<String, String> RESOURCES = new ConcurrentHashMap<>();

    private KernelSources() {}

    /** The GPU programming interfaces the dialect maps to. */
    public enum Api {
        OPENCL("opencl-prelude.h"),
        CUDA("cuda-prelude.h");

        private final String preludeResource;

        Api(String preludeResource) {
            this.preludeResource = preludeResource;
        }
    }

    /** The whole source of kernel family {@code family} for {@code api}. */
    public static String family(Api api, String family) {
        return compilable(api, resource("kernels/" + family + ".c"));
    }

    /** The whole source of a kernel written in the dialect (e.g. a generated elementwise kernel). */
    public static String compilable(Api api, String dialectSource) {
        return resource(api.preludeResource) + "\n" + resource("kernels/common.h") + "\n" + dialectSource;
    }

    private static String resource(String name) {
        return RESOURCES.computeIfAbsent(name, KernelSources::load);
    }

    private static String load(String name) {
        try (InputStream in = KernelSources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no kernel source " + name + " in module io.gasok.gpukernels");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + name, e);
        }
    }
}
