package dev.concord.merge;

import dev.concord.error.InvalidInputException;
import dev.concord.merge.methods.BreadcrumbsMethod;
import dev.concord.merge.methods.BreadcrumbsTiesMethod;
import dev.concord.merge.methods.CatMethod;
import dev.concord.merge.methods.DareLinearMethod;
import dev.concord.merge.methods.DareTiesMethod;
import dev.concord.merge.methods.DarexMethod;
import dev.concord.merge.methods.DarexTiesMethod;
import dev.concord.merge.methods.DellaLinearMethod;
import dev.concord.merge.methods.DellaMethod;
import dev.concord.merge.methods.LinearMethod;
import dev.concord.merge.methods.MagnitudePruneMethod;
import dev.concord.merge.methods.PeftLinearMethod;
import dev.concord.merge.methods.PeftTiesMethod;
import dev.concord.merge.methods.TaskArithmeticMethod;
import dev.concord.merge.methods.TiesMethod;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merge methods by CLI name (like mergekit's {@code REGISTERED_MERGE_METHODS}). The built-in methods are
 * registered at class load, together with any {@link MergeMethod} listed in a
 * {@code META-INF/services/dev.concord.merge.MergeMethod} file on the class path (how tsv, knots and lora_lego
 * plug in); {@link #register} adds one at run time. Registered methods are available to {@code concord merge}
 * and merge.yaml alike.
 */
public final class MethodRegistry {
    private static final Map<String, MergeMethod> METHODS = Collections.synchronizedMap(new LinkedHashMap<>());

    static {
        for (MergeMethod m : List.of(new LinearMethod(), new TaskArithmeticMethod(), new CatMethod(), new TiesMethod(),
                new MagnitudePruneMethod(), new DareLinearMethod(), new DareTiesMethod(), new DarexMethod(),
                new DarexTiesMethod(), new BreadcrumbsMethod(), new BreadcrumbsTiesMethod(), new DellaMethod(),
                new DellaLinearMethod(), new PeftLinearMethod(), new PeftTiesMethod())) {
            register(m);
        }
        // methods other modules contribute (tsv, knots, lora_lego, …) through META-INF/services
        for (MergeMethod m : java.util.ServiceLoader.load(MergeMethod.class, MethodRegistry.class.getClassLoader())) {
            register(m);
        }
    }

    private MethodRegistry() {}

    /** Adds a method; refuses a name that is already taken. */
    public static void register(MergeMethod method) {
        synchronized (METHODS) {
            if (METHODS.putIfAbsent(method.name(), method) != null) {
                throw new IllegalStateException("merge method '" + method.name() + "' is registered twice");
            }
        }
    }

    /** @throws InvalidInputException naming the known methods */
    public static MergeMethod get(String name) {
        MergeMethod m = METHODS.get(name);
        if (m == null) {
            throw new InvalidInputException("unknown merge method '" + name + "'; known methods: "
                    + String.join(", ", names()));
        }
        return m;
    }

    /** Registered names in registration order. */
    public static List<String> names() {
        synchronized (METHODS) {
            return List.copyOf(METHODS.keySet());
        }
    }

    public static List<MergeMethod> all() {
        synchronized (METHODS) {
            return List.copyOf(METHODS.values());
        }
    }
}
