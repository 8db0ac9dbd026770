package dev.concord.adapter;

import java.util.List;

/**
 * How {@code target_modules} or {@code exclude_modules} of an adapter_config.json name modules. PEFT accepts three
 * spellings, each with its own matching rule (see {@link LoraConfig#matchesTarget(String)}).
 */
public sealed interface ModuleSelector {

    /** A JSON list: a module matches when its name equals an entry or ends with {@code "." + entry}. */
    record Names(List<String> names) implements ModuleSelector {
        public Names {
            names = List.copyOf(names);
        }
    }

    /** A JSON string: a Python regular expression the whole module name must match ({@code re.fullmatch}). */
    record Regex(String pattern) implements ModuleSelector {}

    /**
     * The string {@code "all-linear"} (any case) in target_modules: every linear layer except the output layer. PEFT
     * resolves it against the live model; without one, Concord treats every module whose last name part is not an
     * embedding or output layer ({@code embed_tokens}, {@code lm_head}) as linear.
     */
    record AllLinear(String spelling) implements ModuleSelector {}
}
