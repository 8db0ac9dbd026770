package dev.concord.model.tokenizer;

import java.util.List;

/**
 * Adds the special tokens a model expects around its input (tokenizer.json's {@code post_processor}). Receives the
 * encoded sequences (one, or two for a pair) and returns the parts to concatenate.
 */
@FunctionalInterface
interface PostProcessor {

    /** Hugging Face's ByteLevel post-processor only adjusts offsets, which this tokenizer does not report. */
    PostProcessor OFFSETS_ONLY = (sequences, addSpecialTokens) -> sequences;

    List<int[]> process(List<int[]> sequences, boolean addSpecialTokens);

    static PostProcessor fromJson(JsonConfig config) {
        String type = config.type();
        return switch (type) {
            case "TemplateProcessing" -> TemplateProcessor.fromJson(config);
            case "ByteLevel" -> OFFSETS_ONLY;
            case "Sequence" -> sequence(config.objects("processors").stream().map(PostProcessor::fromJson).toList());
            default -> throw config.unsupported("post-processor type '" + type
                    + "' is not supported (supported: TemplateProcessing, ByteLevel, Sequence)");
        };
    }

    static PostProcessor sequence(List<PostProcessor> steps) {
        return (sequences, addSpecialTokens) -> {
            List<int[]> result = sequences;
            for (PostProcessor step : steps) {
                result = step.process(result, addSpecialTokens);
            }
            return result;
        };
    }
}
