package io.gasok.io;

import io.gasok.Tensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Safetensors#load} read: the tensors by name in the order of the file's header, the
 * file's string metadata, and the type each tensor was stored as (a tensor stored as F16 loads as
 * FLOAT32; {@link #storedTypes()} still says F16). Closing it closes every tensor.
 */
public record SafetensorsFile(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                              Map<String, StoredType> storedTypes) implements AutoCloseable {

    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        storedTypes = Collections.unmodifiableMap(new LinkedHashMap<>(storedTypes));
    }

    /** The tensor called {@code name}; fails with the names there are when the file has none such. */
    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            List<String> some = tensors.keySet().stream().limit(20).toList();
            throw new IllegalArgumentException(file + " has no tensor '" + name + "'; it has " + some
                    + (tensors.size() > some.size() ? " and " + (tensors.size() - some.size()) + " more" : ""));
        }
        return tensor;
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
    }
}
