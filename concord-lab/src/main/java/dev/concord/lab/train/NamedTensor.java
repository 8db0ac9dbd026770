package dev.concord.lab.train;

/**
 * One parameter tensor of the trainer under its checkpoint name, with the array that holds its values (shared, not
 * copied). Matrices are row-major.
 *
 * @param name the Hugging Face name, e.g.
 *     {@code model.layers.0.self_attn.q_proj.weight}
 * @param shape the dimensions as stored ({@code [n]} for a norm, {@code [out, in]} for a projection)
 * @param values the live values
 */
public record NamedTensor(String name, long[] shape, float[] values) {
    public NamedTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape needs " + n + " values, array holds " + values.length);
        }
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
