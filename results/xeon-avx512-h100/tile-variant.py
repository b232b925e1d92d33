# The tall-tile experiment of ab-tiles-*.txt: patches a copy of cpu-backend's GemmFloat32MicroKernels.java
# (argument 1) so that the wide tile is MR rows x V vectors (arguments 2 and 3), with a generated
# kernel of MR x V accumulators in place of multiply6x4 for the packed path. Only that path: the
# variants also set GemmFloat32.UNPACKED_A_COLUMNS to 0 (sed), as the in-place kernels stay 6-row.
# The copy was then compiled as tools/perf/ab.sh compiles a revision, and checked against a plain
# triple loop on six shapes up to 97x2100x1100 before it was timed.
import sys
def kernel(mr, v):
    L=[]
    L.append(f"    static void multiply{mr}x{v}(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,")
    L.append(f"                            float[] out, int o, int ldo, boolean accumulate) {{")
    for r in range(mr):
        L.append("        FloatVector " + ", ".join(f"c{r}_{j} = FloatVector.zero(SPECIES)" for j in range(v)) + ";")
    L.append(f"        final int nr = {v} * LANES;")
    L.append("        for (int p = 0; p < kc; p++) {")
    L.append("            int b = bIndex + p * nr;")
    for j in range(v):
        L.append(f"            FloatVector b{j} = FloatVector.fromArray(SPECIES, packedB, b + {j} * LANES);")
    L.append(f"            int a = aIndex + p * {mr};")
    for r in range(mr):
        L.append(f"            FloatVector a{r} = FloatVector.broadcast(SPECIES, packedA[a + {r}]);")
        for j in range(v):
            L.append(f"            c{r}_{j} = a{r}.fma(b{j}, c{r}_{j});")
    L.append("        }")
    L.append("        if (accumulate) {")
    for r in range(mr):
        for j in range(v):
            L.append(f"            c{r}_{j}.add(FloatVector.fromArray(SPECIES, out, o + {r} * ldo + {j} * LANES)).intoArray(out, o + {r} * ldo + {j} * LANES);")
    L.append("        } else {")
    for r in range(mr):
        for j in range(v):
            L.append(f"            c{r}_{j}.intoArray(out, o + {r} * ldo + {j} * LANES);")
    L.append("        }")
    L.append("    }")
    return "\n".join(L)+"\n"
src, mr, v = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s=open(src).read()
s=s.replace("static final int MR = WIDE_REGISTER_FILE ? 6 : 4;", f"static final int MR = WIDE_REGISTER_FILE ? {mr} : 4;")
s=s.replace("static final int VECTORS_WIDE = WIDE_REGISTER_FILE ? 4 : 2;", f"static final int VECTORS_WIDE = WIDE_REGISTER_FILE ? {v} : 2;")
old="            multiply6x4(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);\n        } else {\n            multiply4x2(kc"
assert old in s
s=s.replace(old, f"            multiply{mr}x{v}(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);\n        }} else {{\n            multiply4x2(kc",1)
i=s.rindex("}")
s=s[:i]+kernel(mr,v)+s[i:]
open(src,'w').write(s)
