package dev.concord.adapter;

import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * The two factors of one module, ready for {@link AdapterWriter}, in PEFT's stored orientation: LINEAR {@code A}
 * [r, in] and {@code B} [out, r]; EMBEDDING {@code A} [r, vocab] and {@code B} [hidden, r]. The values are only read
 * when the writer reaches them, so copies of a loaded module stay in its memory map until then.
 */
public final class ModuleFactors {
    private final String module;
    private final ModuleKind kind;
    private final int rank;
    private final int inFeatures;
    private final int outFeatures;
    private final DType dtype;
    private final Source a;
    private final Source b;

    private ModuleFactors(String module, ModuleKind kind, int rank, int inFeatures, int outFeatures, DType dtype,
            Source a, Source b) {
        if (module == null || module.isEmpty()) {
            throw new IllegalArgumentException("a module needs a name");
        }
        if (rank <= 0 || inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException(module + ": rank and feature counts must be positive, got r=" + rank
                    + " in=" + inFeatures + " out=" + outFeatures);
        }
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException(module + ": factors are written as F32, F16 or BF16, not " + dtype);
        }
        this.module = module;
        this.kind = kind;
        this.rank = rank;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.dtype = dtype;
        this.a = a;
        this.b = b;
    }

    /**
     * Factors given as float matrices, narrowed to {@code dtype} when written (round to nearest even).
     *
     * @throws IllegalArgumentException if the shapes do not form a LoRA pair
     */
    public static ModuleFactors of(String module, ModuleKind kind, FloatMatrix a, FloatMatrix b, DType dtype) {
        if (a.rows() != b.cols()) {
            throw new IllegalArgumentException(module + ": A " + a.shapeString() + " and B " + b.shapeString()
                    + " disagree on the rank");
        }
        return new ModuleFactors(module, kind, a.rows(), a.cols(), b.rows(), dtype, floats(a), floats(b));
    }

    /**
     * Factors whose product, scaled by {@code scaling} (the alpha/r the written config gives this module), equals
     * {@code tau}: {@code tau} is in the orientation {@link LoraModule#taskVector()} documents, so LINEAR gives
     * {@code B = (tau.scale/scaling)·left}, {@code A = right}, while EMBEDDING and fan_in_fan_out LINEAR give
     * {@code A = leftᵀ}, {@code B = (tau.scale/scaling)·rightᵀ}. The scale goes into B, where PEFT's training
     * puts the magnitude (B starts at zero).
     */
    public static ModuleFactors fromTaskVector(String module, ModuleKind kind, boolean fanInFanOut, TaskVector tau,
            double scaling, DType dtype) {
        if (!(scaling != 0 && Double.isFinite(scaling))) {
            throw new IllegalArgumentException(module + ": scaling must be finite and non-zero, got " + scaling);
        }
        double factor = tau.scale() / scaling;
        boolean transposed = kind == ModuleKind.EMBEDDING || fanInFanOut;
        if (transposed) {
            return of(module, kind, tau.left().transpose(), times(tau.right().transpose(), factor), dtype);
        }
        return of(module, kind, tau.right().copy(), times(tau.left(), factor), dtype);
    }

    /** A byte-exact copy of a loaded module's factors (same dtype, same bytes); its adapter must stay open. */
    public static ModuleFactors copyOf(LoraModule m) {
        return new ModuleFactors(m.name(), m.kind(), m.rank(), m.inFeatures(), m.outFeatures(), m.dtype(),
                raw(m::rawA), raw(m::rawB));
    }

    /** Factors produced only when written, one at a time (used for adapters larger than the heap should hold). */
    static ModuleFactors generated(String module, ModuleKind kind, int rank, int inFeatures, int outFeatures,
            DType dtype, Supplier<FloatMatrix> a, Supplier<FloatMatrix> b) {
        return new ModuleFactors(module, kind, rank, inFeatures, outFeatures, dtype,
                w -> w.writeFloats(checked(a.get(), rank, inFeatures, module).data()),
                w -> w.writeFloats(checked(b.get(), outFeatures, rank, module).data()));
    }

    private static FloatMatrix checked(FloatMatrix m, int rows, int cols, String module) {
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalStateException(module + ": generated factor " + m.shapeString() + " where [" + rows
                    + ", " + cols + "] was declared");
        }
        return m;
    }

    private static FloatMatrix times(FloatMatrix m, double factor) {
        float[] d = m.data();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) (d[i] * factor);
        }
        return new FloatMatrix(m.rows(), m.cols(), out);
    }

    public String module() {
        return module;
    }

    public ModuleKind kind() {
        return kind;
    }

    public int rank() {
        return rank;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public DType dtype() {
        return dtype;
    }

    long[] shapeA() {
        return new long[] {rank, inFeatures};
    }

    long[] shapeB() {
        return new long[] {outFeatures, rank};
    }

    void writeA(SafetensorsWriter w) {
        a.writeTo(w);
    }

    void writeB(SafetensorsWriter w) {
        b.writeTo(w);
    }

    /** Appends one factor's elements to the writer's current tensor. */
    @FunctionalInterface
    private interface Source {
        void writeTo(SafetensorsWriter w);
    }

    private static Source floats(FloatMatrix m) {
        return w -> w.writeFloats(m.data());
    }

    private static Source raw(Supplier<MemorySegment> segment) {
        return w -> w.writeBytes(segment.get().asByteBuffer());
    }

    @Override
    public String toString() {
        return "ModuleFactors[" + module + " " + kind + " r=" + rank + " in=" + inFeatures + " out=" + outFeatures + " "
                + dtype + "]";
    }
}
