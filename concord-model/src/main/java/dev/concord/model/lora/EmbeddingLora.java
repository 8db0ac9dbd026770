package dev.concord.model.lora;

/**
 * The LoRA update of the token embedding (PEFT's {@code lora_embedding_A} [r, vocab] and {@code lora_embedding_B}
 * [hidden, r]): token t's embedding gains {@code scaling · B · A[:, t]}. A is held transposed, one row of r values
 * per token, because a lookup reads one token's column.
 */
public record EmbeddingLora(float[] aTransposed, float[] b, int rank, int vocab, int hidden, float scaling) {
    public EmbeddingLora {
        if (aTransposed.length != (long) rank * vocab || b.length != (long) hidden * rank) {
            throw new IllegalArgumentException("embedding LoRA factors do not match rank " + rank + ", vocab " + vocab
                    + ", hidden " + hidden);
        }
    }

    /** {@code row[offset + d] += alpha · (B · A[:, token])[d]}, with {@code alpha} the mix weight times scaling. */
    public void addTo(int token, float alpha, float[] row, int offset) {
        int a = token * rank;
        for (int d = 0; d < hidden; d++) {
            float sum = 0;
            int bRow = d * rank;
            for (int k = 0; k < rank; k++) {
                sum += b[bRow + k] * aTransposed[a + k];
            }
            row[offset + d] += alpha * sum;
        }
    }

    public long bytes() {
        return 4L * (aTransposed.length + b.length);
    }
}
