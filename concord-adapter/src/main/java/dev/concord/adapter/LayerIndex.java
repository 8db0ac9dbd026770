package dev.concord.adapter;

import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transformer layer a module belongs to, found the way PEFT finds it for {@code layers_to_transform}: the
 * first numbered name part that follows a layers_pattern entry (or, without one, follows any name part). The match
 * is lazy so that in {@code model.layers.1.mlp.experts.0.up_proj} the layer is 1, not the expert index 0. As in
 * current PEFT, the part before the pattern is optional, so {@code layers.3.self_attn.q_proj} is layer 3.
 */
public final class LayerIndex {
    private static final Pattern ANY_PATTERN = Pattern.compile("(?:^|.*?\\.)[^.]*\\.(\\d+)\\.");

    private LayerIndex() {}

    /** The layer index of {@code moduleName} with no layers_pattern: the first numbered part after some name part. */
    public static OptionalInt of(String moduleName) {
        return of(moduleName, List.of());
    }

    /**
     * The layer index of {@code moduleName}; {@code layersPatterns} are tried in order (each a Python regex naming
     * the layer list, e.g. {@code layers} or {@code h}); an empty list accepts any name part.
     */
    public static OptionalInt of(String moduleName, List<String> layersPatterns) {
        if (layersPatterns.isEmpty()) {
            return indexFrom(ANY_PATTERN.matcher(moduleName));
        }
        return ofCompiled(moduleName, layersPatterns.stream().map(p -> compile(p, "layers_pattern")).toList());
    }

    /** The regex that finds the index after one layers_pattern entry. */
    static Pattern compile(String layersPattern, String where) {
        return PythonRegex.compile("(?:^|.*?\\.)" + layersPattern + "\\.(\\d+)\\.", where);
    }

    static OptionalInt ofCompiled(String moduleName, List<Pattern> compiled) {
        if (compiled.isEmpty()) {
            return indexFrom(ANY_PATTERN.matcher(moduleName));
        }
        for (Pattern p : compiled) {
            OptionalInt found = indexFrom(p.matcher(moduleName));
            if (found.isPresent()) {
                return found;
            }
        }
        return OptionalInt.empty();
    }

    private static OptionalInt indexFrom(Matcher m) {
        if (!m.lookingAt()) {
            return OptionalInt.empty();
        }
        String digits = m.group(m.groupCount());
        // more digits than an int holds cannot name a layer in layers_to_transform; treat as "no index"
        if (digits.length() > 9) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(digits));
    }
}
