package dev.concord.lab.train;

/**
 * Causal grouped-query attention over one example (tokens {@code [s, s + n)} of a packed batch), forward and
 * backward, all heads. Query head h reads key/value head {@code h / (heads / kvHeads)}. Scores are
 * {@code (q·k)·scale} with {@code scale = 1/sqrt(headDim)}; position i sees positions j ≤ i of its own example only.
 *
 * <p>The products go through {@link Gemm}: keys and values are first copied transposed ({@code [headDim, n]}) into
 * scratch so that every product reads B by rows. The masked upper triangle is computed and then zeroed: for the
 * lab's short examples that costs less than special-casing it.
 */
final class CausalAttention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int qDim;
    private final int kvDim;
    private final float scale;

    CausalAttention(int heads, int kvHeads, int headDim) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.qDim = heads * headDim;
        this.kvDim = kvHeads * headDim;
        this.scale = (float) (1 / Math.sqrt(headDim));
    }

    /** Floats of probabilities {@link #forward} keeps for an example of {@code n} tokens. */
    int probabilityFloats(int n) {
        return heads * n * n;
    }

    /**
     * Writes the attention output of every head to {@code out} (rows of qDim) and the probabilities to
     * {@code probs[pOff…]} ({@code heads} blocks of {@code n × n}, zero above the diagonal).
     *
     * @param transposed scratch of at least {@code headDim · n} floats
     */
    void forward(float[] q, float[] k, float[] v, int s, int n, float[] probs, int pOff, float[] out,
            float[] transposed) {
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int kvh = h / group;
            if (h % group == 0) {
                transpose(k, s, n, kvh, transposed);
            }
            int p = pOff + h * n * n;
            Gemm.multiply(n, headDim, n, q, s * qDim + h * headDim, qDim, 1, transposed, 0, n, probs, p, n, false);
            for (int i = 0; i < n; i++) {
                softmaxRow(probs, p + i * n, i + 1, n);
            }
            Gemm.multiply(n, n, headDim, probs, p, n, 1, v, s * kvDim + kvh * headDim, kvDim, out,
                    s * qDim + h * headDim, qDim, false);
        }
    }

    /** Softmax of the first {@code visible} scaled scores of a row; the rest of the row becomes 0. */
    private void softmaxRow(float[] x, int off, int visible, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            x[off + j] *= scale;
            max = Math.max(max, x[off + j]);
        }
        float sum = 0;
        for (int j = 0; j < visible; j++) {
            float e = (float) Math.exp(x[off + j] - max);
            x[off + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < visible; j++) {
            x[off + j] *= inv;
        }
        for (int j = visible; j < n; j++) {
            x[off + j] = 0;
        }
    }

    /**
     * From the gradient of the output ({@code dOut}, rows of qDim at the example's tokens) writes the gradients of
     * q (rows of qDim), k and v (rows of kvDim) at the example's tokens; the k and v rows are overwritten, not added
     * to.
     *
     * @param transposed scratch of at least {@code headDim · n} floats
     * @param dScores scratch of at least {@code n · n} floats
     */
    void backward(float[] q, float[] k, float[] v, int s, int n, float[] probs, int pOff, float[] dOut,
            float[] dq, float[] dk, float[] dv, float[] transposed, float[] dScores) {
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int kvh = h / group;
            boolean firstOfGroup = h % group == 0;
            if (firstOfGroup) {
                transpose(v, s, n, kvh, transposed);
            }
            int p = pOff + h * n * n;
            int qAt = s * qDim + h * headDim;
            int kvAt = s * kvDim + kvh * headDim;
            // dP = dO · Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale
            Gemm.multiply(n, headDim, n, dOut, qAt, qDim, 1, transposed, 0, n, dScores, 0, n, false);
            for (int i = 0; i < n; i++) {
                int row = i * n;
                float dot = 0;
                for (int j = 0; j <= i; j++) {
                    dot += probs[p + row + j] * dScores[row + j];
                }
                for (int j = 0; j <= i; j++) {
                    dScores[row + j] = probs[p + row + j] * (dScores[row + j] - dot) * scale;
                }
                for (int j = i + 1; j < n; j++) {
                    dScores[row + j] = 0;
                }
            }
            Gemm.multiply(n, n, headDim, dScores, 0, n, 1, k, kvAt, kvDim, dq, qAt, qDim, false);
            Gemm.multiply(n, n, headDim, dScores, 0, 1, n, q, qAt, qDim, dk, kvAt, kvDim, !firstOfGroup);
            Gemm.multiply(n, n, headDim, probs, p, 1, n, dOut, qAt, qDim, dv, kvAt, kvDim, !firstOfGroup);
        }
    }

    /** Copies head {@code kvh} of rows [s, s + n) of a kvDim-wide matrix into {@code out} as {@code [headDim, n]}. */
    private void transpose(float[] x, int s, int n, int kvh, float[] out) {
        for (int j = 0; j < n; j++) {
            int from = (s + j) * kvDim + kvh * headDim;
            for (int d = 0; d < headDim; d++) {
                out[d * n + j] = x[from + d];
            }
        }
    }
}
