package dev.concord.model.weights;

/**
 * The seven linear layers of a Llama-family decoder layer, named as Hugging Face checkpoints and PEFT adapters
 * name them ({@code model.layers.<i>.<module>}).
 */
public enum Projection {
    Q("self_attn.q_proj"),
    K("self_attn.k_proj"),
    V("self_attn.v_proj"),
    O("self_attn.o_proj"),
    GATE("mlp.gate_proj"),
    UP("mlp.up_proj"),
    DOWN("mlp.down_proj");

    private final String module;

    Projection(String module) {
        this.module = module;
    }

    /** The module path inside a layer, e.g. {@code self_attn.q_proj}. */
    public String module() {
        return module;
    }

    /** The full module name in layer {@code layer}, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public String moduleName(int layer) {
        return "model.layers." + layer + "." + module;
    }

    /** The projection with module path {@code module} (e.g. {@code self_attn.q_proj}), or null. */
    public static Projection byModule(String module) {
        for (Projection p : values()) {
            if (p.module.equals(module)) {
                return p;
            }
        }
        return null;
    }
}
