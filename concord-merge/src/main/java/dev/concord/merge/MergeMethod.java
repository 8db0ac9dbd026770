package dev.concord.merge;

import java.util.List;

/**
 * One way of combining task vectors, registered by its CLI name in {@link MethodRegistry}. A method declares its
 * parameters (with defaults) and turns the inputs of one module into that module's merged update. It is called
 * once per module, possibly from several threads at once, so implementations keep no mutable state.
 */
public interface MergeMethod {
    /** The CLI / merge.yaml name, e.g. {@code ties}. */
    String name();

    /** One line for {@code --help}. */
    String summary();

    /** The paper or tool whose semantics this method reproduces. */
    String reference();

    /** Parameters in the order help lists them. */
    List<ParameterDef> parameters();

    /**
     * Checks combinations that single parameters cannot (e.g. density ± epsilon within (0, 1]); called for every
     * module before any work starts.
     *
     * @throws dev.concord.error.InvalidInputException naming the module
     */
    default void check(ModuleParameters params, String module) {}

    /** Whether the method needs every input to have the same rank on a module (PEFT's factor-wise methods). */
    default boolean requiresEqualRanks() {
        return false;
    }

    /** Whether trimming needs thresholds over each adapter's whole task vector before modules are merged. */
    default boolean needsModelScope(ModuleParameters params) {
        return false;
    }

    /**
     * Whether an adapter output must keep the method's factors as they are, even when {@code --rank} asks for
     * fewer (PEFT's {@code cat}: the rank is the sum of the input ranks).
     */
    default boolean keepsFullRank() {
        return false;
    }

    /** Merges one module. Heavy work may happen here or when a dense result is read. */
    ModuleResult merge(ModuleInputs inputs);
}
