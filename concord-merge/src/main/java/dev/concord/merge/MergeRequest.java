package dev.concord.merge;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code concord merge} was asked to do, already parsed (from the command line or a merge.yaml).
 *
 * @param method     the method
 * @param adapters   input adapters with their command-line weights (a merge.yaml may override weights per module)
 * @param parameters where parameter values come from
 * @param seed       seed of every random choice (masks, SVD sketches)
 * @param rank       --rank, or null (adapter output: each module's largest input rank for dense results, exact
 *                   factors for factored ones)
 * @param format     what to write
 * @param base       the base model directory (required for {@link OutputFormat#MODEL}), or null
 * @param out        the output directory, which must not exist unless {@code force}
 * @param force      replace an existing output directory (only once the new one is complete)
 * @param threads    worker threads (≥ 1); results do not depend on it
 * @param configFile the merge.yaml the request came from, or null (recorded in the report with its hash)
 */
public record MergeRequest(MergeMethod method, List<AdapterInput> adapters, ParameterSource parameters, long seed,
        Integer rank, OutputFormat format, Path base, Path out, boolean force, int threads, Path configFile) {
    public MergeRequest {
        adapters = List.copyOf(adapters);
    }
}
