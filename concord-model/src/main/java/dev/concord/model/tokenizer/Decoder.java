package dev.concord.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns token strings back into text (tokenizer.json's {@code decoder}). Like Hugging Face's {@code decode_chain},
 * each step maps a list of strings to a list of strings; the final list is concatenated.
 */
@FunctionalInterface
interface Decoder {

    List<String> decodeChain(List<String> tokens);

    static Decoder fromJson(JsonConfig config) {
        String type = config.type();
        return switch (type) {
            case "Sequence" -> sequence(config.objects("decoders").stream().map(Decoder::fromJson).toList());
            case "ByteLevel" -> Decoder::byteLevel;
            case "Metaspace" -> metaspace(config.codePoint("replacement"),
                    MetaspacePreTokenizer.prependScheme(config) != MetaspacePreTokenizer.PrependScheme.NEVER);
            case "Replace" -> replace(ReplacePattern.fromJson(config.object("pattern")), config.string("content"));
            case "ByteFallback" -> Decoder::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> strip(config.codePoint("content"), config.nonNegativeInt("start", 0),
                    config.nonNegativeInt("stop", 0));
            default -> throw config.unsupported("decoder type '" + type
                    + "' is not supported (supported: Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse,"
                    + " Strip)");
        };
    }

    static Decoder sequence(List<Decoder> steps) {
        return tokens -> {
            List<String> result = tokens;
            for (Decoder step : steps) {
                result = step.decodeChain(result);
            }
            return result;
        };
    }

    /**
     * Maps every token's characters back to bytes through the byte-level alphabet (a token with a character outside
     * it contributes its own UTF-8 bytes) and decodes all bytes at once, replacing invalid sequences with U+FFFD.
     */
    static List<String> byteLevel(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) {
            byte[] mapped = new byte[token.length()];
            int n = 0;
            boolean inAlphabet = true;
            for (int i = 0; i < token.length() && inAlphabet; i++) {
                int b = ByteLevelAlphabet.byteOf(token.charAt(i));
                inAlphabet = b >= 0;
                if (inAlphabet) {
                    mapped[n++] = (byte) b;
                }
            }
            if (inAlphabet) {
                bytes.write(mapped, 0, n);
            } else {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
            }
        }
        return List.of(LossyUtf8.decode(bytes.toByteArray()));
    }

    /**
     * Replacement characters become spaces; in the first token they are dropped instead when the encoder prepends
     * one (Hugging Face drops every one there, not only a leading one).
     */
    static Decoder metaspace(int replacement, boolean prepends) {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            for (int t = 0; t < tokens.size(); t++) {
                String token = tokens.get(t);
                StringBuilder text = new StringBuilder(token.length());
                boolean dropMarker = t == 0 && prepends;
                token.codePoints().forEach(cp -> {
                    if (cp != replacement) {
                        text.appendCodePoint(cp);
                    } else if (!dropMarker) {
                        text.append(' ');
                    }
                });
                out.add(text.toString());
            }
            return out;
        };
    }

    static Decoder replace(OnigRegex pattern, String content) {
        return tokens -> tokens.stream().map(token -> pattern.replaceAll(token, content)).toList();
    }

    /**
     * Runs of {@code <0xXX>} tokens become the text their bytes spell; a run that is not valid UTF-8 becomes one
     * U+FFFD per byte.
     */
    static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteTokenValue(token);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            flushByteRun(run, out);
            out.add(token);
        }
        flushByteRun(run, out);
        return out;
    }

    private static void flushByteRun(ByteArrayOutputStream run, List<String> out) {
        if (run.size() == 0) {
            return;
        }
        byte[] bytes = run.toByteArray();
        String text = LossyUtf8.decodeStrict(bytes);
        if (text != null) {
            out.add(text);
        } else {
            for (int i = 0; i < bytes.length; i++) {
                out.add("\uFFFD");
            }
        }
        run.reset();
    }

    /** The byte of a {@code <0xXX>} token (six UTF-8 bytes, hexadecimal as Rust parses it), or -1. */
    private static int byteTokenValue(String token) {
        if (!token.startsWith("<0x") || !token.endsWith(">")
                || token.getBytes(StandardCharsets.UTF_8).length != 6) {
            return -1;
        }
        String hex = token.substring(3, token.length() - 1);
        if (hex.length() != 2 || hex.charAt(0) == '-') {
            return -1;
        }
        try {
            int value = Integer.parseInt(hex, 16);
            return value <= 0xFF ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing copies of {@code content} from each token. */
    static Decoder strip(int content, int start, int stop) {
        return tokens -> tokens.stream().map(token -> {
            int[] cps = token.codePoints().toArray();
            int from = 0;
            while (from < Math.min(start, cps.length) && cps[from] == content) {
                from++;
            }
            int to = cps.length;
            for (int i = 0; i < stop && to > from && cps[to - 1] == content; i++) {
                to--;
            }
            return new String(cps, from, to - from);
        }).toList();
    }
}
