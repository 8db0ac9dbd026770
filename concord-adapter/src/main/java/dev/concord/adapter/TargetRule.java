package dev.concord.adapter;

import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * PEFT's {@code check_target_module_exists} for LoRA, on module names: exclusions first (exclude_modules, then
 * modules_to_save), then target_modules, then the layers_to_transform filter. The patterns are compiled once, when
 * the config is read, so a bad regex is reported at load time rather than in the middle of an inspect.
 */
final class TargetRule {
    private final ModuleSelector target;
    private final Pattern targetRegex;
    private final ModuleSelector exclude;
    private final Pattern excludeRegex;
    private final List<Pattern> modulesToSave;
    private final boolean onlyTargetParameters;
    private final List<Integer> layersToTransform;
    private final List<Pattern> layersPattern;

    TargetRule(ModuleSelector target, ModuleSelector exclude, List<String> modulesToSave, boolean hasTargetParameters,
            List<Integer> layersToTransform, List<String> layersPattern, String where) {
        this.target = target;
        this.targetRegex = target instanceof ModuleSelector.Regex r
                ? PythonRegex.compile(r.pattern(), where + ": target_modules") : null;
        this.exclude = exclude;
        this.excludeRegex = exclude instanceof ModuleSelector.Regex r
                ? PythonRegex.compile(r.pattern(), where + ": exclude_modules") : null;
        // a module that is fully trained and saved must never also get an adapter: PEFT excludes it by this regex
        this.modulesToSave = modulesToSave == null ? List.of() : modulesToSave.stream()
                .map(m -> PythonRegex.compile("(^|.*\\.)" + m + "($|\\..*)", where + ": modules_to_save"))
                .toList();
        this.onlyTargetParameters = hasTargetParameters;
        this.layersToTransform = layersToTransform;
        this.layersPattern = layersPattern.stream().map(p -> LayerIndex.compile(p, where + ": layers_pattern"))
                .toList();
    }

    boolean matches(String module) {
        if (excluded(module)) {
            return false;
        }
        for (Pattern p : modulesToSave) {
            if (p.matcher(module).lookingAt()) {
                return false;
            }
        }
        return switch (target) {
            // not recorded: PEFT would have chosen targets from the architecture; every module counts as targeted
            case null -> !onlyTargetParameters;
            case ModuleSelector.Regex ignored -> targetRegex.matcher(module).matches();
            case ModuleSelector.AllLinear ignored -> !LoraConfig.EMBEDDING_LAYER_NAMES.contains(lastPart(module));
            case ModuleSelector.Names n -> matchesNames(n.names(), module);
        };
    }

    private boolean excluded(String module) {
        return switch (exclude) {
            case null -> false;
            case ModuleSelector.Regex ignored -> excludeRegex.matcher(module).matches();
            case ModuleSelector.Names n -> n.names().contains(module) || endsWithAny(module, n.names());
            case ModuleSelector.AllLinear a -> Pattern.matches(PythonRegex.toJava(a.spelling()), module);
        };
    }

    private boolean matchesNames(List<String> names, String module) {
        if (names.contains(module)) {
            // named exactly: PEFT does not apply the layer filter to such a module
            return true;
        }
        if (!endsWithAny(module, names)) {
            return false;
        }
        if (layersToTransform.isEmpty()) {
            return true;
        }
        OptionalInt layer = LayerIndex.ofCompiled(module, layersPattern);
        return layer.isPresent() && layersToTransform.contains(layer.getAsInt());
    }

    private static boolean endsWithAny(String module, List<String> suffixes) {
        for (String s : suffixes) {
            if (module.endsWith("." + s)) {
                return true;
            }
        }
        return false;
    }

    private static String lastPart(String module) {
        return module.substring(module.lastIndexOf('.') + 1);
    }
}
