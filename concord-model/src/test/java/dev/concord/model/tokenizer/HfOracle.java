package dev.concord.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Hugging Face's own tokenizers library (Rust, through DJL's JNI binding, whose jar carries the native library for
 * linux-x86_64), used as the reference our tokenizer must equal. It runs offline: DJL unpacks the bundled library
 * into a cache directory, which is pointed into the build directory here so tests write nowhere else.
 */
final class HfOracle {
    static {
        if (System.getProperty("ENGINE_CACHE_DIR") == null) {
            System.setProperty("ENGINE_CACHE_DIR", TokenizerFixtures.scratch("djl-cache").toString());
        }
    }

    private final HuggingFaceTokenizer tokenizer;

    private HfOracle(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static HfOracle load(Path file) {
        try {
            // DJL truncates to 512 tokens and pads unless told not to; the raw tokenizer does neither.
            return new HfOracle(HuggingFaceTokenizer.builder().optTokenizerPath(file).optTruncation(false)
                    .optPadding(false).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int[] encode(String text, boolean addSpecialTokens) {
        return toInts(tokenizer.encode(text, addSpecialTokens, false).getIds());
    }

    int[] encodePair(String first, String second, boolean addSpecialTokens) {
        return toInts(tokenizer.encode(first, second, addSpecialTokens, false).getIds());
    }

    String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    private static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }
}
