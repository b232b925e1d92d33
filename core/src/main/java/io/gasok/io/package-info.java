/**
 * Reading and writing tensors: safetensors (interoperable with PyTorch's files) and NumPy's
 * {@code .npy}. Writes are atomic (a temporary file, then a rename), and a corrupt, truncated or
 * hostile file gets a clear error, never an out-of-memory.
 *
 * <ul>
 *   <li>{@link io.gasok.io.Safetensors}: named tensors and string metadata, a model's state;
 *       {@link io.gasok.io.SafetensorsFile} is what a load gives back.</li>
 *   <li>{@link io.gasok.io.Npy}: one array, byte for byte as {@code numpy.save} writes it.</li>
 *   <li>{@link io.gasok.io.StoredType}: the element types files hold, and the Gasok dtype each
 *       loads as (always one that holds its values exactly; a type none holds is refused).</li>
 *   <li>{@link io.gasok.io.MalformedTensorFileException}: the one error for a bad file, naming the
 *       file, the tensor and the byte offset.</li>
 * </ul>
 *
 * <p>Every reader checks what a file claims (lengths, shapes, offsets) against the file's size
 * before allocating anything, and reads tensor data in bounded chunks straight into the tensor's
 * host array, so memory stays proportional to the file, whatever its header says.
 */
package io.gasok.io;
