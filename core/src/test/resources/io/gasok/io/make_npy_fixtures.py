"""Writes the .npy fixtures of io.gasok.io.NpyTest with NumPy (run once; the files are committed).

    cd core/src/test/resources/io/gasok/io && python3 make_npy_fixtures.py
"""
import numpy as np

half = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, np.inf, -np.inf, np.nan,
                 2.0 ** -24, 2.0 ** -14, 0.1], dtype=np.float16)
np.save("f2_specials.npy", half)
np.save("be_f4.npy", (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1).astype(">f4"))
np.save("be_i8.npy", np.array([1, -2, 2 ** 40, -(2 ** 62)], dtype=">i8"))
np.save("fortran_f8.npy", np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)))
np.save("scalar_i8.npy", np.array(-7, dtype=np.int64))
np.save("empty_f4.npy", np.zeros((0, 3), dtype=np.float32))
np.save("b1.npy", np.array([True, False, True]))
np.save("u1.npy", np.array([0, 255, 128], dtype=np.uint8))
np.save("i1.npy", np.array([-128, 127, 0], dtype=np.int8))
np.save("i2.npy", np.array([-32768, 32767], dtype=np.int16))
np.save("u2.npy", np.array([65535, 1], dtype=np.uint16))
np.save("u4.npy", np.array([4294967295, 7], dtype=np.uint32))
for version in [(2, 0), (3, 0)]:
    with open("v%d_f4.npy" % version[0], "wb") as f:
        np.lib.format.write_array(f, np.arange(4, dtype=np.float32).reshape(2, 2), version=version)
np.save("object.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
np.save("structured.npy", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")]))
np.save("c8.npy", np.zeros(2, dtype=np.complex64))
np.save("u8.npy", np.zeros(2, dtype=np.uint64))

# What numpy.save writes, for comparing Npy.save byte for byte.
np.save("numpy_f4_2x3.npy", np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5)
np.save("numpy_f8_0d.npy", np.array(3.25))
np.save("numpy_i4_1.npy", np.array([-5], dtype=np.int32))
np.save("numpy_i8_empty.npy", np.zeros((0,), dtype=np.int64))
np.save("numpy_b1_2x2.npy", np.array([[True, False], [False, True]]))
np.save("numpy_f4_rank5.npy", np.arange(120, dtype=np.float32).reshape(1, 2, 3, 4, 5))
