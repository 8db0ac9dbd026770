package dev.concord.adapter;

import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import dev.concord.tensor.FloatMatrix;
import dev.concord.tensor.safetensors.SafetensorsFile;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/**
 * One adapted layer of a loaded {@link LoraAdapter}: its name in the base model (e.g.
 * {@code model.layers.0.self_attn.q_proj}), kind, rank, alpha and scaling as PEFT resolves them, and its two factors,
 * which stay in the adapter's memory map: {@link #a()}, {@link #b()} and {@link #taskVector()} read them afresh on
 * each call (callers that reuse them may cache). Valid until the adapter is closed.
 *
 * <p>Stored orientation, as PEFT saves it: LINEAR {@code A} [r, in], {@code B} [out, r]; EMBEDDING {@code A}
 * [r, vocab], {@code B} [hidden, r].
 */
public final class LoraModule {
    private final String name;
    private final ModuleKind kind;
    private final int rank;
    private final double alpha;
    private final double scaling;
    private final int inFeatures;
    private final int outFeatures;
    private final DType dtype;
    private final boolean fanInFanOut;
    private final SafetensorsFile file;
    private final String keyA;
    private final String keyB;

    LoraModule(String name, ModuleKind kind, int rank, double alpha, double scaling, int inFeatures, int outFeatures,
            DType dtype, boolean fanInFanOut, SafetensorsFile file, String keyA, String keyB) {
        this.name = name;
        this.kind = kind;
        this.rank = rank;
        this.alpha = alpha;
        this.scaling = scaling;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.dtype = dtype;
        this.fanInFanOut = fanInFanOut;
        this.file = file;
        this.keyA = keyA;
        this.keyB = keyB;
    }

    /** The module's name in the base model, without PEFT's {@code base_model.model.} prefix. */
    public String name() {
        return name;
    }

    public ModuleKind kind() {
        return kind;
    }

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    /** alpha / r, or alpha / sqrt(r) with use_rslora. */
    public double scaling() {
        return scaling;
    }

    /** LINEAR: the layer's input width; EMBEDDING: the vocabulary size (PEFT's num_embeddings). */
    public int inFeatures() {
        return inFeatures;
    }

    /** LINEAR: the layer's output width; EMBEDDING: the embedding width. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Element type of both factors in the file. */
    public DType dtype() {
        return dtype;
    }

    /** Whether the base layer stores its weight as [in, out] (Conv1D); only LINEAR modules can. */
    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    /** Tensor names of the factors in adapter_model.safetensors. */
    public String keyA() {
        return keyA;
    }

    public String keyB() {
        return keyB;
    }

    /** The layer index PEFT would see in this module's name (see {@link LayerIndex}), if any. */
    public OptionalInt layerIndex() {
        return LayerIndex.of(name);
    }

    /** Number of trained values: rank · (in + out). */
    public long parameterCount() {
        return (long) rank * ((long) inFeatures + outFeatures);
    }

    /** Factor A as stored, widened to float: LINEAR [r, in], EMBEDDING [r, vocab]. A fresh heap copy. */
    public FloatMatrix a() {
        return file.readMatrix(keyA);
    }

    /** Factor B as stored, widened to float: LINEAR [out, r], EMBEDDING [hidden, r]. A fresh heap copy. */
    public FloatMatrix b() {
        return file.readMatrix(keyB);
    }

    /** Rows of {@link #taskVector()}: the first dimension of the base weight as stored. */
    public int deltaRows() {
        return transposedDelta() ? inFeatures : outFeatures;
    }

    /** Columns of {@link #taskVector()}. */
    public int deltaCols() {
        return transposedDelta() ? outFeatures : inFeatures;
    }

    /**
     * The update this module adds to its base weight, factored, in the orientation the base weight is stored in
     * the checkpoint, so it can be added to that tensor as is:
     * <ul>
     *   <li>LINEAR: {@code s · B · A}, [out, in] (nn.Linear stores [out, in]);</li>
     *   <li>LINEAR with fan_in_fan_out: {@code s · (B · A)ᵀ = s · Aᵀ · Bᵀ}, [in, out] (Conv1D stores [in, out]; PEFT
     *       transposes the same way when it merges);</li>
     *   <li>EMBEDDING: {@code s · (B · A)ᵀ = s · Aᵀ · Bᵀ}, [vocab, hidden] (nn.Embedding stores [vocab, hidden]).</li>
     * </ul>
     * Two modules of the same base layer therefore always give task vectors of the same shape and orientation.
     */
    public TaskVector taskVector() {
        FloatMatrix a = a();
        FloatMatrix b = b();
        return transposedDelta() ? TaskVector.of(scaling, a.transpose(), b.transpose()) : TaskVector.of(scaling, b, a);
    }

    private boolean transposedDelta() {
        return kind == ModuleKind.EMBEDDING || fanInFanOut;
    }

    /**
     * Scans both factors for NaN or infinity, reading the map in blocks.
     *
     * @throws InvalidInputException naming the tensor and element of the first non-finite value
     */
    public void checkFinite() {
        checkFinite(keyA);
        checkFinite(keyB);
    }

    private void checkFinite(String key) {
        long n = file.entry(key).numel();
        long cols = file.entry(key).dim(1);
        float[] block = new float[(int) Math.min(n, 1 << 16)];
        for (long first = 0; first < n; first += block.length) {
            int count = (int) Math.min(block.length, n - first);
            file.readFloats(key, first, block, 0, count);
            for (int i = 0; i < count; i++) {
                if (!Float.isFinite(block[i])) {
                    long at = first + i;
                    throw new InvalidInputException(file.path() + ": tensor '" + key + "' holds " + block[i]
                            + " at [" + at / cols + ", " + at % cols + "]");
                }
            }
        }
    }

    /** The raw little-endian bytes of a factor, a view into the adapter's memory map (for byte-exact copies). */
    MemorySegment rawA() {
        return file.segment(keyA);
    }

    MemorySegment rawB() {
        return file.segment(keyB);
    }

    @Override
    public String toString() {
        return name + " " + kind + " r=" + rank + " alpha=" + alpha + " scaling=" + scaling + " [" + outFeatures + " x "
                + inFeatures + "] " + dtype;
    }
}
