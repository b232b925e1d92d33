package io.gasok.io;

import io.gasok.Device;
import io.gasok.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One tensor in NumPy's {@code .npy} format.
 *
 * <p><b>Reading</b> takes versions 1.0, 2.0 and 3.0; little- and big-endian data; the dtypes
 * {@code f8 f4 f2 i8 i4 i2 i1 u4 u2 u1 b1}, each loading as the Gasok dtype that holds its values
 * exactly (f2 as FLOAT32, the narrow integers as INT32, u4 as INT64); C order, and Fortran order,
 * which is reordered to row-major on load. Structured dtypes, strings, u8, complex and Python objects
 * (pickle, which Gasok never runs) are refused. The header is a Python literal read by a small parser,
 * never evaluated. The data the header promises is checked against the file size before any memory
 * is allocated; bytes after the array (NumPy's "several arrays in one file" habit) are ignored, as
 * NumPy ignores them.
 *
 * <p><b>Writing</b> gives exactly what {@code numpy.save} gives: version 1.0 (2.0 only if the header
 * needs it), little-endian, C order, with the header padded to 64 bytes. Saves are atomic (a
 * temporary file, then a rename).
 */
public final class Npy {
    /** NumPy caps headers at 10 000 bytes unless told otherwise; real ones are about 128. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    /** Saves {@code tensor} (any dtype, any layout, any device) as {@code numpy.save} would. */
    public static void save(Path file, Tensor tensor) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensor, "tensor");
        StoredType type = StoredType.of(tensor.dtype());
        byte[] header = NpyHeader.encode(type, tensor.shape());
        AtomicFile.write(file, channel -> {
            ByteBuffer start = ByteBuffer.wrap(header);
            while (start.hasRemaining()) {
                channel.write(start);
            }
            ElementCodec.write(channel, ElementCodec.hostArray(tensor, type), type);
        });
    }

    /** Loads the array of {@code file} onto the default device. */
    public static Tensor load(Path file) throws IOException {
        return load(file, Device.getDefault());
    }

    /** Loads the array of {@code file} onto {@code device}. */
    public static Tensor load(Path file, Device device) throws IOException {
        Objects.requireNonNull(device, "device");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            ByteBuffer preamble = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            int preambleRead = readAtMost(channel, preamble, 0);
            byte[] start = Arrays.copyOf(preamble.array(), preambleRead);
            if (preambleRead < MAGIC.length || !Arrays.equals(start, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new MalformedTensorFileException(file, "not an .npy file: it starts with "
                        + (start.length == 0 ? "nothing (it is empty)" : "bytes " + HexFormat.ofDelimiter(" ").formatHex(start))
                        + ", not the magic \\x93NUMPY");
            }
            if (preambleRead < 8) {
                throw new MalformedTensorFileException(file, "the file ends inside its version bytes (" + fileSize
                        + " bytes long)");
            }
            int major = start[6];
            int minor = start[7];
            if (minor != 0 || major < 1 || major > 3) {
                throw new MalformedTensorFileException(file, "unsupported .npy format version " + (major & 0xFF) + "."
                        + (minor & 0xFF) + " (Gasok reads 1.0, 2.0 and 3.0)");
            }
            int lengthBytes = major == 1 ? 2 : 4;
            ByteBuffer length = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
            if (readAtMost(channel, length, 8) < lengthBytes) {
                throw new MalformedTensorFileException(file, "the file ends inside its header length (" + fileSize
                        + " bytes long)");
            }
            long headerLength = lengthBytes == 2 ? length.getShort(0) & 0xFFFF : length.getInt(0) & 0xFFFF_FFFFL;
            long dataStart = 8 + lengthBytes + headerLength;
            if (headerLength > MAX_HEADER_BYTES) {
                throw new MalformedTensorFileException(file, "the header length says " + headerLength
                        + " bytes, over the limit of " + MAX_HEADER_BYTES);
            }
            if (dataStart > fileSize) {
                throw new MalformedTensorFileException(file, "the header length says " + headerLength + " bytes, but only "
                        + (fileSize - 8 - lengthBytes) + " follow (a truncated file?)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readAtMost(channel, headerBytes, 8 + lengthBytes);
            NpyHeader header = NpyHeader.parse(decode(headerBytes.flip(), major, file), file, 8 + lengthBytes);
            String what = "array " + header.descr() + " " + Arrays.toString(header.shape());
            int[] shape = Shapes.toIntShape(header.shape(), file, what);
            int count = Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact));
            long bytes = (long) count * header.type().byteSize();
            if (bytes > fileSize - dataStart) {
                throw new MalformedTensorFileException(file, "the header promises " + what + ", " + bytes
                        + " bytes of data, but only " + (fileSize - dataStart) + " follow it (a truncated file?)");
            }
            Object host = ElementCodec.read(channel, dataStart, header.type(), count,
                    header.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, file, what);
            if (header.fortranOrder()) {
                host = ElementCodec.columnMajorToRowMajor(host, shape);
            }
            return ElementCodec.toTensor(device, host, shape);
        }
    }

    /** Versions 1.0 and 2.0 hold Latin-1 headers; 3.0 holds UTF-8. */
    private static String decode(ByteBuffer header, int major, Path file) throws MalformedTensorFileException {
        if (major < 3) {
            return StandardCharsets.ISO_8859_1.decode(header).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(header).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTensorFileException(file, "the version 3.0 header is not valid UTF-8");
        }
    }

    /** Reads until {@code buffer} is full or the file ends; returns the bytes read. */
    private static int readAtMost(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }
}
