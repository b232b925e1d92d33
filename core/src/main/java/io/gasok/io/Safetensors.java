package io.gasok.io;

import io.gasok.Device;
import io.gasok.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Named tensors (a model's parameters and buffers, PyTorch's {@code state_dict}) in the safetensors
 * format, which PyTorch, Hugging Face and others read and write.
 *
 * <p><b>Writing.</b> Tensors are written in the order the map gives them (use a
 * {@link LinkedHashMap} to choose it), each in its own dtype, or, for floating tensors, in the
 * precision asked for ({@link StoredType#F16} and {@link StoredType#BF16} round to nearest, ties to
 * even). Non-contiguous views and tensors on any device are written as their row-major values. The
 * save is atomic: a temporary file beside the target, forced to disk, then renamed over it, so a
 * failure or a crash leaves the previous file (or none) and never half a model.
 *
 * <p><b>Reading.</b> Tensors may come in any order (PyTorch's writer sorts them by alignment, then
 * name); {@link SafetensorsFile#tensors()} keeps the header's order. Every dtype of
 * {@link StoredType} loads, as the Gasok dtype that holds its values exactly (F16/BF16 as FLOAT32,
 * the narrow integers as INT32, U32 as INT64, BOOL as BOOL with any non-zero byte true); U64, the
 * 8-bit floats and complex types are refused. The whole header is checked against the file (the
 * header length against the 100 MB limit and the file size, each tensor's shape against its
 * offsets, that the tensors tile the data section exactly without gaps or overlaps) before any tensor
 * memory is allocated, and each tensor is then read straight from the file in bounded chunks: memory
 * stays proportional to the file, whatever its header claims. A file that breaks a rule throws
 * {@link MalformedTensorFileException} naming the file, the tensor and the byte offset.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Saves {@code tensors}, each in its own dtype, with no metadata. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of(), null);
    }

    /** Saves {@code tensors}, each in its own dtype, with string {@code metadata} (e.g. "format": "pt"). */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        save(file, tensors, metadata, null);
    }

    /**
     * Saves {@code tensors} with {@code metadata}, storing every floating tensor as
     * {@code floatsAs} (F64, F32, F16 or BF16; null keeps each tensor's own dtype); integer and
     * boolean tensors keep theirs.
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                            StoredType floatsAs) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata (use Map.of() for none)");
        if (floatsAs != null && !floatsAs.isFloating()) {
            throw new IllegalArgumentException("floatsAs must be F64, F32, F16 or BF16, got " + floatsAs);
        }
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("metadata holds a null key or value: " + key + " -> " + value);
            }
        });
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        List<Tensor> sources = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> item : tensors.entrySet()) {
            String name = item.getKey();
            Tensor tensor = item.getValue();
            if (name == null || tensor == null) {
                throw new IllegalArgumentException("tensors holds a null name or tensor: " + name + " -> " + tensor);
            }
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved by the safetensors format for metadata");
            }
            StoredType type = tensor.dtype().isFloating() && floatsAs != null ? floatsAs : StoredType.of(tensor.dtype());
            long[] shape = new long[tensor.rank()];
            for (int axis = 0; axis < shape.length; axis++) {
                shape[axis] = tensor.dim(axis);
            }
            long bytes = (long) tensor.numel() * type.byteSize();
            entries.add(new SafetensorsHeader.Entry(name, type.name(), type, shape, offset, offset + bytes));
            sources.add(tensor);
            offset += bytes;
        }
        byte[] header = SafetensorsHeader.encode(metadata, entries);
        AtomicFile.write(file, channel -> {
            ByteBuffer start = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            start.putLong(header.length).put(header).flip();
            while (start.hasRemaining()) {
                channel.write(start);
            }
            for (int i = 0; i < entries.size(); i++) {
                StoredType type = entries.get(i).type();
                ElementCodec.write(channel, ElementCodec.hostArray(sources.get(i), type), type);
            }
        });
    }

    /** Loads every tensor of {@code file} onto the default device. */
    public static SafetensorsFile load(Path file) throws IOException {
        return load(file, Device.getDefault(), name -> true);
    }

    /** Loads every tensor of {@code file} onto {@code device}. */
    public static SafetensorsFile load(Path file, Device device) throws IOException {
        return load(file, device, name -> true);
    }

    /**
     * Loads the tensors of {@code file} whose names {@code include} accepts onto {@code device}; the
     * others are checked but not read. The tensors belong to the current {@link io.gasok.Scope}, if
     * any, like any new tensor; {@link SafetensorsFile#close()} closes them all.
     */
    public static SafetensorsFile load(Path file, Device device, Predicate<String> include) throws IOException {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(include, "include");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(channel, file);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, StoredType> storedTypes = new LinkedHashMap<>();
            try {
                for (SafetensorsHeader.Entry entry : header.entries()) {
                    if (include.test(entry.name())) {
                        tensors.put(entry.name(), read(channel, header.dataStart(), entry, device, file));
                        storedTypes.put(entry.name(), entry.type());
                    }
                }
            } catch (IOException | RuntimeException | Error failure) {
                tensors.values().forEach(Tensor::close);
                throw failure;
            }
            return new SafetensorsFile(file, tensors, header.metadata(), storedTypes);
        }
    }

    private static Tensor read(FileChannel channel, long dataStart, SafetensorsHeader.Entry entry, Device device,
                               Path file) throws IOException {
        if (entry.type() == null) {
            throw new MalformedTensorFileException(file, entry.describe() + ": Gasok does not load dtype "
                    + entry.dtype() + " (no Gasok dtype holds its values exactly); it loads "
                    + java.util.Arrays.toString(StoredType.values()));
        }
        int[] shape = Shapes.toIntShape(entry.shape(), file, entry.describe());
        int count = (int) entry.elementCount();
        Object host = ElementCodec.read(channel, dataStart + entry.begin(), entry.type(), count,
                ByteOrder.LITTLE_ENDIAN, file, entry.describe());
        return ElementCodec.toTensor(device, host, shape);
    }
}
